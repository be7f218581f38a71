"""Filing alerts end to end: a member's alert fires once for a new filing on the local EDGAR."""

from __future__ import annotations

from typing import Any

import pytest

from bot.alerts.model import AlertState
from bot.sandbox.session import SandboxSession
from edgar_emulator import LEASE_8K, ROUTINE_8K, EdgarEmulator
from edgar_emulator.texts import LEASE_EX99
from tests.e2e.alerts_helpers import add_alert, command, stored
from tests.e2e.deals_helpers import worker
from tests.filings.world import CIFR_CIK


@pytest.fixture
def settings_overrides(edgar_settings: dict[str, Any]) -> dict[str, Any]:
    return edgar_settings


def alert_embeds(sandbox: SandboxSession) -> list[dict[str, Any]]:
    posts = sandbox.emu.posts(sandbox.world.general.id)
    return [e for p in posts for e in p.embeds if "Alert #" in e.get("footer", {}).get("text", "")]


def dm_embeds(sandbox: SandboxSession) -> list[dict[str, Any]]:
    return [e for m in sandbox.emu.dms(sandbox.world.member.id) for e in m.embeds]


async def poll_and_deliver(sandbox: SandboxSession) -> None:
    await sandbox.bot.services.filings.watcher.poll()
    delivery = sandbox.bot.outbox
    await delivery.deliver_due()
    await delivery.deliver_due()


async def test_a_likely_deal_fires_the_members_alert_once_and_a_routine_filing_does_not(
    sandbox: SandboxSession, edgar: EdgarEmulator
) -> None:
    await worker(sandbox)
    await poll_and_deliver(sandbox)  # the baseline: nothing already listed fires
    reply, likely_id = await add_alert(sandbox, symbol="CIFR", condition="filing", value=2)
    assert "CIFR new SEC filing, likely deals only" in reply
    assert "watcher is off" not in reply
    _, any_id = await add_alert(sandbox, symbol="CIFR", condition="filing", dm=True)
    listed = await command(sandbox, "list")
    assert "new SEC filing, likely deals only" in listed
    assert "new SEC filing, any new filing" in listed
    assert likely_id is not None and any_id is not None

    edgar.add_filing(CIFR_CIK, "8-K", items="5.07", text=ROUTINE_8K)
    await poll_and_deliver(sandbox)
    assert alert_embeds(sandbox) == []  # routine: below the likely-only alert's level
    (routine,) = dm_embeds(sandbox)  # the any-filing alert, by DM
    assert routine["title"] == "New SEC filing by CIFR: 8-K (routine)"
    assert (await stored(sandbox, any_id)).state is AlertState.FIRED  # one-shot: done

    accession = edgar.add_filing(
        CIFR_CIK, "8-K", items="1.01,9.01", text=LEASE_8K, exhibit=LEASE_EX99
    )
    await poll_and_deliver(sandbox)
    await poll_and_deliver(sandbox)  # unchanged on EDGAR: nothing more
    (card,) = alert_embeds(sandbox)
    assert card["title"] == "New SEC filing by CIFR: 8-K (likely AI/HPC deal)"
    assert card["url"].endswith(f"{accession}-index.htm")
    assert f"Alert #{likely_id}" in card["footer"]["text"]
    assert "Not investment advice" in card["footer"]["text"]
    assert len(dm_embeds(sandbox)) == 1  # the one-shot DM alert did not fire again
    assert (await stored(sandbox, likely_id)).state is AlertState.FIRED
    keys = [r.dedupe_key for r in await sandbox.bot.store.outbox.rows()]
    assert keys.count(f"alert:{likely_id}:{accession}") == 1


async def test_filing_alert_values_are_checked_and_nothing_is_stored(
    sandbox: SandboxSession, edgar: EdgarEmulator
) -> None:
    reply, created = await add_alert(sandbox, symbol="CIFR", condition="filing", value=3)
    assert created is None
    assert "value: must be 0 (any new filing), 1" in reply and "between 0 and 2" in reply
    reply, created = await add_alert(sandbox, symbol="BTC-USD", condition="filing")
    assert created is None and "files nothing with the SEC" in reply
    assert "You have no alerts in this server" in await command(sandbox, "list")
