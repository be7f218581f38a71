"""The fired-alert card: one price when the trigger is the last price, both when they differ."""

from __future__ import annotations

from typing import Any

import pytest

from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession
from tests.e2e.alerts_helpers import TIMELINE, WAIT, add_alert, tick_at


@pytest.fixture
def replay_csv() -> str:
    return TIMELINE


async def fired_fields(sandbox: SandboxSession) -> dict[str, Any]:
    channel = sandbox.world.general.id
    (post,) = await sandbox.emu.wait_for_posts(channel, 1, WAIT)
    (embed,) = post.embeds
    return {f["name"]: f["value"] for f in embed["fields"]}


async def test_a_trigger_at_the_last_price_is_shown_once(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    _, created = await add_alert(sandbox, symbol="CIFR", condition="above", value=16.0)
    assert created is not None
    await tick_at(sandbox, e2e_clock, 60)  # 15.50 → 16.50
    fields = await fired_fields(sandbox)
    assert fields["Triggered at"] == "$16.50"
    assert "Last" not in fields
    assert list(fields).count("Triggered at") == 1


async def test_an_intraday_high_is_shown_with_the_last_price(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    _, created = await add_alert(sandbox, symbol="CIFR", condition="above", value=16.0)
    assert created is not None
    await tick_at(sandbox, e2e_clock, 120)  # 16.50 at +60, back to 15.00 by +120
    fields = await fired_fields(sandbox)
    assert fields["Triggered at"] == "$16.50 (intraday high)"
    assert fields["Last"] == "$15.00"


async def test_the_summary_lists_the_alert_that_fired(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    _, created = await add_alert(sandbox, symbol="CIFR", condition="above", value=16.0)
    await tick_at(sandbox, e2e_clock, 60)
    await fired_fields(sandbox)
    preview = await sandbox.invoke("summary preview", {}, user=sandbox.world.member)
    await preview.wait_done(timeout=15)
    embeds = preview.visible[-1].embeds
    (fired,) = [e for e in embeds if e["title"] == "Alerts fired in the last 24 hours"]
    line = fired["description"]
    assert line.startswith(f"#{created} CIFR above $16.00 · <@{sandbox.world.member.id}>")
    assert "more" not in line
