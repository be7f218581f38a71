"""Ledger scopes and edits: who may change what, what is valid, and that history is kept."""

from __future__ import annotations

import math

import pytest

from bot.clock import ManualClock
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.ledger.service import Actor, LedgerService, Scope
from bot.store import Store

GUILD_A, GUILD_B = 111, 222
MEMBER = Actor(user_id=1, guild_id=GUILD_A, is_admin=False, is_owner=False)
ADMIN_A = Actor(user_id=2, guild_id=GUILD_A, is_admin=True, is_owner=False)
ADMIN_B = Actor(user_id=3, guild_id=GUILD_B, is_admin=True, is_owner=False)
OWNER = Actor(user_id=4, guild_id=GUILD_A, is_admin=False, is_owner=True)
SOURCE = "https://example.com/press-release"
NEW_DEAL = {
    "host_symbol": "IREN",
    "counterparty": "Local AI Cloud",
    "mw_critical_it": 50.0,
    "term_years": 5.0,
    "total_contract_value_usd": 1.2e9,
}


@pytest.fixture
def ledger(seeded_store: Store, clock: ManualClock) -> LedgerService:
    return LedgerService(seeded_store, clock)


async def _global_id(ledger: LedgerService, key: str) -> int:
    return next(c.id for c in await ledger.view(None) if c.key == key)


async def test_admin_adds_a_server_row_only_that_server_sees(ledger: LedgerService) -> None:
    added = await ledger.add(ADMIN_A, NEW_DEAL, source_url=SOURCE)
    assert added.guild_id == GUILD_A and added.sources[0].url == SOURCE
    assert added.id in {c.id for c in await ledger.view(GUILD_A)}
    assert added.id not in {c.id for c in await ledger.view(GUILD_B)}
    assert added.id not in {c.id for c in await ledger.view(None)}
    with pytest.raises(NotFound):
        await ledger.get(GUILD_B, added.id)


async def test_another_server_cannot_change_a_server_row(ledger: LedgerService) -> None:
    added = await ledger.add(ADMIN_A, NEW_DEAL, source_url=SOURCE)
    with pytest.raises(NotFound):  # invisible, so not even its existence is confirmed
        await ledger.edit(ADMIN_B, added.id, {"status": "signed"})
    with pytest.raises(NotFound):
        await ledger.remove(ADMIN_B, added.id)
    assert (await ledger.get(GUILD_A, added.id)).deleted_at is None


async def test_server_admin_cannot_change_a_global_row(ledger: LedgerService) -> None:
    contract_id = await _global_id(ledger, "cifr-aws")
    with pytest.raises(NotAllowed, match="owners"):
        await ledger.edit(ADMIN_A, contract_id, {"status": "terminated"})
    with pytest.raises(NotAllowed):
        await ledger.remove(ADMIN_A, contract_id)
    with pytest.raises(NotAllowed):
        await ledger.add(ADMIN_A, NEW_DEAL, source_url=SOURCE, scope=Scope.GLOBAL)
    assert (await ledger.get(GUILD_A, contract_id)).status == "signed"


async def test_member_cannot_add_to_the_server_ledger(ledger: LedgerService) -> None:
    with pytest.raises(NotAllowed, match="Manage Server"):
        await ledger.add(MEMBER, NEW_DEAL, source_url=SOURCE)


async def test_owner_changes_a_global_row_with_history(ledger: LedgerService) -> None:
    contract_id = await _global_id(ledger, "cifr-aws")
    changes = await ledger.edit(
        OWNER, contract_id, {"status": "energized", "status_as_of": "2026-11-20"}
    )
    assert ("status", "signed", "energized") in changes
    history = await ledger._store.ledger.history(contract_id)
    last = [h for h in history if h.action == "update"]
    assert {(h.field, h.actor_id) for h in last} == {("status", 4), ("status_as_of", 4)}


async def test_remove_is_soft_and_recorded(ledger: LedgerService) -> None:
    added = await ledger.add(ADMIN_A, NEW_DEAL, source_url=SOURCE)
    await ledger.remove(ADMIN_A, added.id)
    assert added.id not in {c.id for c in await ledger.view(GUILD_A)}
    kept = await ledger.get(GUILD_A, added.id)
    assert kept.deleted_at is not None
    actions = [h.action for h in await ledger._store.ledger.history(added.id)]
    assert actions == ["create", "delete"]


@pytest.mark.parametrize(
    ("values", "source", "message"),
    [
        ({"mw_critical_it": 10_001.0}, SOURCE, "mw_critical_it: must be between 0 and 10,000 MW"),
        ({"mw_gross": -1.0}, SOURCE, "mw_gross: must be between 0"),
        ({"mw_gross": math.nan}, SOURCE, "mw_gross: must be a number"),
        ({"term_years": 100.0}, SOURCE, "term_years: must be between 0 and 99"),
        ({"total_contract_value_usd": 2e13}, SOURCE, "total_contract_value_usd: must be between"),
        ({"total_contract_value_usd": math.inf}, SOURCE, "must be a number"),
        ({"announced_date": "26/11/2026"}, SOURCE, "announced_date: must be a date as YYYY-MM-DD"),
        ({"announced_date": "1999-12-31"}, SOURCE, "between 2000 and 2100"),
        ({"announced_date": "2026-02-30"}, SOURCE, "YYYY-MM-DD"),
        ({"status": "rumoured"}, SOURCE, "status: must be one of: announced, mou"),
        ({"confidence": "certain"}, SOURCE, "confidence: must be one of: high, medium, low"),
        ({"counterparty": "x" * 201}, SOURCE, "counterparty: must be at most 200 characters"),
        ({"counterparty": "   "}, SOURCE, "counterparty: must not be blank"),
        ({"notes": "y" * 1001}, SOURCE, "notes: must be at most 1,000 characters"),
        ({"host_symbol": "ZZZZ"}, SOURCE, "host: must be a tracked company symbol"),
        ({}, "javascript:alert(1)", "source_url: must be an http:// or https:// link"),
        ({}, "ftp://example.com/file", "source_url: must be an http:// or https:// link"),
        ({}, "https://example.com/" + "a" * 2100, "source_url: must be at most 2,048 characters"),
    ],
)
async def test_invalid_values_are_refused_and_nothing_is_stored(
    ledger: LedgerService, values: dict[str, object], source: str, message: str
) -> None:
    before = len(await ledger.view(GUILD_A))
    with pytest.raises(InvalidInput) as caught:
        await ledger.add(ADMIN_A, {**NEW_DEAL, **values}, source_url=source)  # type: ignore[arg-type]
    assert any(message in problem for problem in caught.value.problems), caught.value.problems
    assert len(await ledger.view(GUILD_A)) == before


async def test_user_text_is_stored_as_typed(ledger: LedgerService) -> None:
    hostile = "@everyone **bold** '; DROP TABLE contracts; --"
    added = await ledger.add(ADMIN_A, {**NEW_DEAL, "notes": hostile}, source_url=SOURCE)
    assert (await ledger.get(GUILD_A, added.id)).notes == hostile
    assert len(await ledger.view(None)) > 0
