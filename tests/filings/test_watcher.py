"""The watcher: baseline, new filings by accession, restarts, levels, grouping and the seams."""

from __future__ import annotations

import functools
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.filings.client import EdgarClient
from bot.filings.model import Filing, Level, Tracked
from bot.filings.tracked import tracked_companies
from bot.filings.watcher import FilingsWatcher
from bot.outbox.model import OutboxRow
from bot.store import Store
from edgar_emulator import LEASE_8K, ROUTINE_8K, EdgarEmulator
from edgar_emulator.texts import LEASE_EX99
from tests.filings.conftest import CIK
from tests.filings.world import SHIPPED

GUILD, CHANNEL = 101, 202
PARTIES = ["Fluidstack", "Google"]


async def parties() -> list[str]:
    return PARTIES


@pytest.fixture
def watcher(seeded_store: Store, clock: ManualClock, client: EdgarClient) -> FilingsWatcher:
    """The watcher over the shipped companies, polling the local EDGAR."""
    return watcher_for(seeded_store, clock, client)


def watcher_for(
    store: Store, clock: ManualClock, client: EdgarClient | None, **options: object
) -> FilingsWatcher:
    return FilingsWatcher(
        store,
        clock,
        client,
        companies=functools.partial(tracked_companies, store),
        parties=parties,
        poll_seconds=60,
        **options,  # type: ignore[arg-type]
    )


def titles(row: OutboxRow) -> list[str]:
    return [embed["title"] for embed in row.payload["embeds"]]


async def test_shipped_ledger_gives_cipher_its_cik(seeded_store: Store) -> None:
    tracked = await tracked_companies(seeded_store)
    assert [(t.symbol, t.cik) for t in tracked] == [(s, str(c)) for s, _, c in SHIPPED]
    assert Tracked("CIFR", "Cipher Digital Inc.", str(CIK)) in tracked


async def test_the_first_poll_is_a_baseline_that_posts_nothing(
    seeded_store: Store, clock: ManualClock, client: EdgarClient, edgar: EdgarEmulator
) -> None:
    await seeded_store.filings.set_watch(GUILD, CHANNEL, Level.ROUTINE, now=clock.now())
    watcher = watcher_for(seeded_store, clock, client)
    assert await watcher.poll() == 0
    assert await seeded_store.outbox.rows() == []
    (recorded,) = await seeded_store.filings.recent("CIFR")
    assert recorded.form == "10-Q" and recorded.baseline


async def test_new_filings_are_posted_oldest_first_in_one_message(
    seeded_store: Store, clock: ManualClock, watcher: FilingsWatcher, edgar: EdgarEmulator
) -> None:
    await watcher.poll()
    await seeded_store.filings.set_watch(GUILD, CHANNEL, Level.ROUTINE, now=clock.now())
    first = edgar.add_filing(CIK, "8-K", items="5.07", text=ROUTINE_8K)
    second = edgar.add_filing(CIK, "8-K", items="1.01,9.01", text=LEASE_8K, exhibit=LEASE_EX99)
    edgar.add_filing(CIK, "4")  # an insider's form: not followed
    assert await watcher.poll() == 2
    (row,) = await seeded_store.outbox.rows()
    assert row.dedupe_key == f"filing:{GUILD}:{first}+{second}"
    assert row.destination.channel_id == CHANNEL
    footers = [embed["footer"]["text"] for embed in row.payload["embeds"]]
    assert footers[0].startswith(first) and footers[1].startswith(second)
    levels = {f.accession: f.level for f in await seeded_store.filings.recent("CIFR")}
    assert levels[first] is Level.ROUTINE and levels[second] is Level.LIKELY


async def test_a_restart_neither_repeats_nor_misses_a_filing(
    seeded_store: Store, clock: ManualClock, client: EdgarClient, edgar: EdgarEmulator
) -> None:
    await watcher_for(seeded_store, clock, client).poll()
    await seeded_store.filings.set_watch(GUILD, CHANNEL, Level.ROUTINE, now=clock.now())
    edgar.add_filing(CIK, "8-K", items="8.01")
    await watcher_for(seeded_store, clock, client).poll()
    later = edgar.add_filing(CIK, "10-K")
    restarted = watcher_for(seeded_store, clock, client)  # a new process: state from the store
    assert await restarted.poll() == 1
    assert await restarted.poll() == 0
    rows = await seeded_store.outbox.rows()
    assert len(rows) == 2 and rows[1].dedupe_key == f"filing:{GUILD}:{later}"


async def test_a_filing_found_before_the_watch_is_never_posted(
    seeded_store: Store, clock: ManualClock, watcher: FilingsWatcher, edgar: EdgarEmulator
) -> None:
    await watcher.poll()
    edgar.add_filing(CIK, "8-K", items="8.01")
    assert await watcher.poll() == 1
    await seeded_store.filings.set_watch(GUILD, CHANNEL, Level.ROUTINE, now=clock.now())
    assert await watcher.poll() == 0
    assert await seeded_store.outbox.rows() == []


async def test_a_server_gets_only_filings_at_its_level(
    seeded_store: Store, clock: ManualClock, watcher: FilingsWatcher, edgar: EdgarEmulator
) -> None:
    await watcher.poll()
    await seeded_store.filings.set_watch(GUILD, CHANNEL, Level.LIKELY, now=clock.now())
    await seeded_store.filings.set_watch(GUILD + 1, CHANNEL + 1, Level.ROUTINE, now=clock.now())
    edgar.add_filing(CIK, "10-Q")
    likely = edgar.add_filing(CIK, "8-K", items="1.01", text=LEASE_8K)
    await watcher.poll()
    rows = {row.guild_id: row for row in await seeded_store.outbox.rows()}
    assert len(titles(rows[GUILD + 1])) == 2
    assert rows[GUILD].dedupe_key == f"filing:{GUILD}:{likely}"


async def test_the_figures_and_likely_deal_seams(
    seeded_store: Store, clock: ManualClock, client: EdgarClient, edgar: EdgarEmulator
) -> None:
    told: list[tuple[str, str]] = []

    async def on_likely_deal(filing: Filing, text: str) -> None:
        told.append((filing.accession, text))

    watcher = watcher_for(
        seeded_store,
        clock,
        client,
        figures=lambda filing, text: ["168 MW (from the drafts)"],
        on_likely_deal=on_likely_deal,
    )
    await watcher.poll()
    await seeded_store.filings.set_watch(GUILD, CHANNEL, Level.ROUTINE, now=clock.now())
    edgar.add_filing(CIK, "8-K", items="5.07", text=ROUTINE_8K)
    likely = edgar.add_filing(CIK, "8-K", items="1.01", text=LEASE_8K, exhibit=LEASE_EX99)
    await watcher.poll()
    assert [accession for accession, _ in told] == [likely]
    assert "colocation agreement" in told[0][1]  # exhibit 99 was read too
    (row,) = await seeded_store.outbox.rows()
    fields = row.payload["embeds"][1]["fields"]
    assert fields[1] == {
        "name": "Figures (extracted, unverified)",
        "value": (
            "168 MW (from the drafts) — quoted from the filing; check it before relying on it."
        ),
        "inline": False,
    }


async def test_a_failed_poll_changes_nothing_and_the_next_one_catches_up(
    seeded_store: Store, clock: ManualClock, watcher: FilingsWatcher, edgar: EdgarEmulator
) -> None:
    await watcher.poll()
    await seeded_store.filings.set_watch(GUILD, CHANNEL, Level.ROUTINE, now=clock.now())
    accession = edgar.add_filing(CIK, "8-K", items="8.01")
    edgar.fail("/submissions/", status=503)
    assert await watcher.poll() == 0
    assert watcher.status().backoff is not None and watcher.status().last_error
    assert await seeded_store.outbox.rows() == []
    clock.advance(timedelta(minutes=11))
    assert await watcher.poll() == 1
    (row,) = await seeded_store.outbox.rows()
    assert row.dedupe_key.endswith(accession)
    status = watcher.status()
    assert status.last_new_filing_at == clock.now() and status.requests_last_hour >= 3


async def test_outside_business_hours_the_poll_waits_ten_minutes(
    seeded_store: Store, clock: ManualClock, client: EdgarClient, edgar: EdgarEmulator
) -> None:
    clock.set(clock.now().replace(hour=4))  # 23:00 in New York
    watcher = watcher_for(seeded_store, clock, client)
    await watcher.tick()
    clock.advance(timedelta(minutes=5))
    await watcher.tick()
    cifr = f"/submissions/CIK{CIK:010d}.json"
    assert len(edgar.requests(cifr)) == 1
    clock.advance(timedelta(minutes=5))
    await watcher.tick()
    assert len(edgar.requests(cifr)) == 2


async def test_without_a_contact_the_watcher_is_off_and_says_why(
    seeded_store: Store, clock: ManualClock, edgar: EdgarEmulator
) -> None:
    watcher = watcher_for(seeded_store, clock, None, off_reason="MINERWATCH_SEC_CONTACT is not set")
    assert await watcher.tick() == 0 and edgar.seen == []
    status = watcher.status()
    assert not status.enabled and status.off_reason == "MINERWATCH_SEC_CONTACT is not set"
