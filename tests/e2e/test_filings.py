"""/filings end to end: a filing placed on the local EDGAR reaches a watched channel once."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.session import SandboxSession
from edgar_emulator import LEASE_8K, ROUTINE_8K, EdgarEmulator
from edgar_emulator.texts import LEASE_EX99
from tests.e2e.deals_helpers import people, press, run, worker
from tests.filings.world import CIFR_CIK


@pytest.fixture
def settings_overrides(edgar_settings: dict[str, Any]) -> dict[str, Any]:
    return edgar_settings


def filing_posts(sandbox: SandboxSession) -> list[dict[str, Any]]:
    return [e for p in sandbox.emu.posts(sandbox.world.alerts.id) for e in p.embeds]


async def contracts(sandbox: SandboxSession) -> int:
    row = await sandbox.bot.store.db.fetch_one("SELECT count(*) FROM contracts")
    assert row is not None
    return int(row[0])


async def poll(sandbox: SandboxSession) -> int:
    return await sandbox.bot.services.filings.watcher.poll()


async def test_a_new_filing_reaches_the_watched_channel_once(
    sandbox: SandboxSession, edgar: EdgarEmulator
) -> None:
    delivery = await worker(sandbox)
    assert await poll(sandbox) == 0  # the baseline: the 10-Q already listed is never posted
    result = await run(sandbox, "filings watch", {"channel": sandbox.world.alerts.id})
    assert result.ephemeral and result.content.startswith("Watching SEC filings")
    accession = edgar.add_filing(
        CIFR_CIK, "8-K", items="1.01,9.01", text=LEASE_8K, exhibit=LEASE_EX99
    )
    assert await poll(sandbox) == 1
    assert await poll(sandbox) == 0  # unchanged: a 304, nothing new
    await delivery.deliver_due()
    await delivery.deliver_due()
    (card,) = filing_posts(sandbox)
    assert card["title"].startswith("CIFR · 8-K")
    assert "1.01 material agreement" in card["description"]
    assert accession in card["footer"]["text"]
    assert card["url"].endswith(f"{accession}-index.htm")
    fields = {f["name"]: f["value"] for f in card["fields"]}
    assert fields["Classification"].startswith("likely AI/HPC deal")
    assert "168 MW" in fields["Figures (extracted, unverified)"]
    assert edgar.requests(f"/submissions/CIK{CIFR_CIK:010d}")[-1].status == 304


async def test_recent_lists_filings_and_unwatch_stops_posts(
    sandbox: SandboxSession, edgar: EdgarEmulator
) -> None:
    delivery = await worker(sandbox)
    await run(sandbox, "filings watch", {"channel": sandbox.world.alerts.id, "min_level": "likely"})
    await poll(sandbox)
    edgar.add_filing(CIFR_CIK, "8-K", items="5.07", text=ROUTINE_8K)
    await poll(sandbox)
    await delivery.deliver_due()
    assert filing_posts(sandbox) == []  # routine: below the server's level
    recent = await run(sandbox, "filings recent", {"company": "cipher"})
    text = recent.embeds[0]["description"]
    assert "8-K (5.07)" in text and "10-Q" in text
    stopped = await run(sandbox, "filings unwatch", {})
    assert stopped.content == "Stopped posting SEC filings."
    status = await run(sandbox, "status", {})
    assert "SEC filings: 8 company(ies) with a CIK" in status.embeds[0]["description"]


async def test_unknown_company_is_refused(sandbox: SandboxSession, edgar: EdgarEmulator) -> None:
    result = await run(sandbox, "filings recent", {"company": "nosuchco"})
    assert result.ephemeral and "is not a tracked company" in result.content


async def test_a_deleted_channel_stops_the_filings_watch_and_only_it(
    sandbox: SandboxSession, edgar: EdgarEmulator
) -> None:
    delivery = await worker(sandbox)
    await poll(sandbox)
    channel = sandbox.world.alerts.id
    await run(sandbox, "filings watch", {"channel": channel})
    await run(sandbox, "deals watch", {"channel": channel})
    sandbox.emu.delete_channel(channel)
    edgar.add_filing(CIFR_CIK, "8-K", items="8.01")
    await poll(sandbox)
    await delivery.deliver_due()
    guild = sandbox.world.guild.id
    assert await sandbox.bot.services.filings.watch_of(guild) is None
    # The deal watch on the same channel is the deal watch's business: its own posts decide.
    assert await sandbox.bot.store.guilds.watch_channel(guild) == channel


async def test_a_likely_deal_becomes_a_draft_an_owner_confirms_into_the_ledger(
    sandbox: SandboxSession, edgar: EdgarEmulator
) -> None:
    who = people(sandbox)
    delivery = await worker(sandbox)
    await poll(sandbox)  # the baseline
    before = await contracts(sandbox)
    await run(sandbox, "filings watch", {"channel": sandbox.world.alerts.id})
    accession = edgar.add_filing(
        CIFR_CIK, "8-K", items="1.01,9.01", text=LEASE_8K, exhibit=LEASE_EX99
    )
    assert await poll(sandbox) == 1
    await delivery.deliver_due()
    (card,) = filing_posts(sandbox)
    fields = {f["name"]: f["value"] for f in card["fields"]}
    # The card quotes the deal as the draft holds it, never as a ledger fact.
    assert "168 MW critical IT · 10 years" in fields["Figures (extracted, unverified)"]
    assert await contracts(sandbox) == before  # a draft is not a ledger fact

    review = await run(sandbox, "deals drafts", user=who.owner)
    message = review.original
    assert review.ephemeral and message is not None
    assert (
        review.embeds[0]["title"].startswith("Draft ")
        and "CIFR ← Fluidstack" in (review.embeds[0]["title"])
    )
    assert accession in review.embeds[0]["description"]
    click = await press(sandbox, message, "Confirm", who.owner.id)
    await click.wait_ack()
    confirmed = sandbox.emu.message(message.id)
    assert confirmed is not None and "contract #" in confirmed.content
    contract_id = int(confirmed.content.split("#", 1)[1].split(" ", 1)[0])

    assert await contracts(sandbox) == before + 1
    detail = await run(sandbox, "deals show", {"id": contract_id}, user=who.member)
    text = detail.text()
    assert "Fluidstack" in text and "168" in text
    assert f"<@{who.owner.id}> · added from SEC 8-K {accession}" in text
    assert "sec filing" in text


async def test_a_french_servers_filing_post_is_in_french(
    sandbox: SandboxSession, edgar: EdgarEmulator
) -> None:
    delivery = await worker(sandbox)
    await poll(sandbox)  # the baseline
    await run(sandbox, "filings watch", {"channel": sandbox.world.alerts.id})
    sandbox.emu.set_guild_locale(sandbox.world.guild.id, "fr")
    await run(sandbox, "filings recent", {})  # the bot sees the server's French locale
    edgar.add_filing(CIFR_CIK, "8-K", items="1.01,9.01", text=LEASE_8K, exhibit=LEASE_EX99)
    assert await poll(sandbox) == 1
    await delivery.deliver_due()
    (card,) = filing_posts(sandbox)
    fields = {f["name"]: f["value"] for f in card["fields"]}
    assert fields["Classement"].startswith("contrat IA/HPC probable")
    assert "168 MW" in fields["Chiffres (extraits, non vérifiés)"]
    assert card["description"].startswith("Déposé le ")
    assert "1.01 accord important" in card["description"]  # the 8-K item in words
