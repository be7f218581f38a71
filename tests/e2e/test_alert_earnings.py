"""An earnings reminder through the emulator, with dates from the local Yahoo's calendar.

Prices come from the local Yahoo too (its MSFT session of Friday 2026-09-25 for every
symbol), so the bot runs exactly as with `MINERWATCH_PRICE_SOURCE=yahoo`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.alerts.model import AlertState, Tick
from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession
from tests.e2e.alerts_helpers import CREATED, WAIT, command, settled, stored
from tests.e2e.deals_helpers import run
from yahoo_emulator.server import FakeYahoo

AFTER_CLOSE = datetime(2026, 9, 25, 20, 30, tzinfo=UTC)  # the payloads' last trade + 30 min
MONDAY = date(2026, 9, 28)  # three days after the quotes' session


pytestmark = pytest.mark.usefixtures("fake_yahoo")  # prices and earnings dates come from it


@pytest.fixture
def price_source() -> str:
    return "yahoo"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"stream_url": "off"}  # the earnings calendar is the poll's; no stream here


@pytest.fixture
def e2e_clock() -> ManualClock:
    return ManualClock(AFTER_CLOSE)


async def _add_earnings(sandbox: SandboxSession, days: int) -> tuple[str, int | None]:
    world = sandbox.world
    options = {"symbol": "IREN", "condition": "earnings", "value": days}
    result = await run(sandbox, "alert add", options, user=world.member, channel=world.alerts)
    assert result.ephemeral, result.describe()
    found = CREATED.search(result.content)
    return result.content, int(found.group(1)) if found else None


async def test_an_earnings_reminder_fires_once_from_yahoos_calendar(
    sandbox: SandboxSession, fake_yahoo: FakeYahoo
) -> None:
    # Yahoo has no date yet: the reply and the list say it is unknown.
    reply, alert_id = await _add_earnings(sandbox, 3)
    assert alert_id is not None, reply
    assert "next earnings date unknown so far" in reply
    # The date appears; the daily refresh asks for it (one request for the alert's symbol).
    fake_yahoo.serve_earnings("IREN", [MONDAY])
    await sandbox.bot.pipeline.refresh_history()
    asked = len(fake_yahoo.requests("/v10/finance/quoteSummary/IREN"))
    assert "next earnings Mon 28 Sep 2026" in await command(sandbox, "list")
    iren = sandbox.bot.market.quote("IREN")
    assert iren is not None
    # The evaluation each poll runs, on the quote the poll took, twice: one reminder.
    for _ in range(2):
        await sandbox.bot.services.evaluator.evaluate([Tick(iren)])
    await settled(sandbox)
    (post,) = await sandbox.emu.wait_for_posts(sandbox.world.alerts.id, 1, WAIT)
    (embed,) = post.embeds
    assert embed["title"] == "IREN reports earnings in 3 days (Mon 28 Sep 2026)"
    assert f"Alert #{alert_id}" in embed["footer"]["text"]
    assert (await stored(sandbox, alert_id)).state is AlertState.ARMED  # the day is to come
    # Known for the day: neither the list, nor the evaluations, nor a second refresh ask again.
    await sandbox.bot.pipeline.refresh_history()
    assert len(fake_yahoo.requests("/v10/finance/quoteSummary/IREN")) == asked


async def test_inside_the_window_the_reply_gives_the_date_and_skips_the_reminder(
    sandbox: SandboxSession, fake_yahoo: FakeYahoo
) -> None:
    fake_yahoo.serve_earnings("IREN", [MONDAY, MONDAY + timedelta(days=91)])
    reply, alert_id = await _add_earnings(sandbox, 5)
    assert alert_id is not None, reply
    assert "For now: next earnings Mon 28 Sep 2026" in reply
    assert "the early reminder is skipped this time: it reminds you on the day" in reply
    reply, alert_id = await _add_earnings(sandbox, 0)
    assert alert_id is None
    assert "value: must be a whole number of days between 1 and 14 for earnings" in reply
