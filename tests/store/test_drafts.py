"""The drafts table: one row per proposal and ledger, decided once, standing on its own."""

from __future__ import annotations

import sqlite3

import pytest

from bot.clock import ManualClock
from bot.filings.draft_model import FilingRef
from bot.store import Store

FILING = FilingRef("0001819989-26-000123", "1819989", "8-K", "2026-11-04", "https://www.sec.gov/a/")
FIELDS = {"counterparty": "Fluidstack", "mw_critical_it": 168.0}


async def test_each_ledger_gets_its_own_draft_of_a_proposal(
    seeded_store: Store, clock: ManualClock
) -> None:
    repo = seeded_store.drafts
    (global_draft,) = await repo.propose(
        FILING, [("CIFR", FIELDS, {})], guild_id=None, now=clock.now()
    )
    (server_draft,) = await repo.propose(
        FILING, [("CIFR", FIELDS, {})], guild_id=5, now=clock.now()
    )
    assert global_draft.id != server_draft.id
    assert [d.id for d in await repo.pending(None)] == [global_draft.id]
    assert [d.id for d in await repo.pending(5)] == [server_draft.id]
    assert await repo.pending(6) == []


async def test_a_decided_draft_never_changes(seeded_store: Store, clock: ManualClock) -> None:
    repo = seeded_store.drafts
    (draft,) = await repo.propose(FILING, [("CIFR", FIELDS, {})], guild_id=None, now=clock.now())
    assert await repo.dismiss(draft.id, user_id=9, now=clock.now())
    assert not await repo.dismiss(draft.id, user_id=9, now=clock.now())
    assert not await repo.edit(draft.id, {"counterparty": "Other"}, user_id=9, now=clock.now())
    stored = await repo.get(draft.id)
    assert stored is not None and stored.fields["counterparty"] == "Fluidstack"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("state", "maybe"),
        ("mw_critical_it", -1.0),
        ("value_exactness", "roughly"),
        ("filing_url", "javascript:alert(1)"),
        ("accession", "not-an-accession"),
    ],
)
async def test_the_table_refuses_what_no_draft_can_be(
    seeded_store: Store, clock: ManualClock, column: str, value: object
) -> None:
    (draft,) = await seeded_store.drafts.propose(
        FILING, [("CIFR", FIELDS, {})], guild_id=None, now=clock.now()
    )
    with pytest.raises(sqlite3.IntegrityError):
        await seeded_store.db.execute(
            f"UPDATE filing_drafts SET {column} = ? WHERE id = ?",
            (value, draft.id),
        )


async def test_a_confirmed_draft_names_its_contract(
    seeded_store: Store, clock: ManualClock
) -> None:
    (draft,) = await seeded_store.drafts.propose(
        FILING, [("CIFR", FIELDS, {})], guild_id=None, now=clock.now()
    )
    with pytest.raises(sqlite3.IntegrityError):
        await seeded_store.db.execute(
            "UPDATE filing_drafts SET state = 'confirmed', decided_at = 'x' WHERE id = ?",
            (draft.id,),
        )
