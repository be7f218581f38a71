"""Drafts from filings: stored once, never counted, confirmed by the right people."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.filings.drafts import DraftDecided, DraftService
from bot.ledger.service import Actor, LedgerService, Scope
from bot.store import Store
from tests.factories import filing_ref
from tests.filings.texts import CASES

GUILD_A, GUILD_B = 111, 222
MEMBER = Actor(user_id=1, guild_id=GUILD_A, is_admin=False, is_owner=False)
ADMIN_A = Actor(user_id=2, guild_id=GUILD_A, is_admin=True, is_owner=False)
ADMIN_B = Actor(user_id=3, guild_id=GUILD_B, is_admin=True, is_owner=False)
OWNER = Actor(user_id=4, guild_id=GUILD_A, is_admin=False, is_owner=True)
CIPHER = next(case for case in CASES if case.host == "CIFR")
WULF = next(case for case in CASES if case.host == "WULF")
FILING = filing_ref(accepted_at="2026-11-04T16:05:12+00:00")


@pytest.fixture
def ledger(seeded_store: Store, clock: ManualClock) -> LedgerService:
    return LedgerService(seeded_store, clock)


@pytest.fixture
def drafts(seeded_store: Store, clock: ManualClock, ledger: LedgerService) -> DraftService:
    return DraftService(seeded_store, clock, ledger)


async def test_a_filing_becomes_pending_drafts_once(drafts: DraftService) -> None:
    first = await drafts.propose(FILING, CIPHER.text, host="CIFR")
    again = await drafts.propose(FILING, CIPHER.text, host="CIFR")
    assert [d.id for d in again] == [d.id for d in first] and len(first) == 1
    draft = first[0]
    assert draft.state == "pending" and draft.is_global and draft.filing == FILING
    assert draft.fields["counterparty"] == "Fluidstack Ltd."
    assert draft.fields["mw_critical_it"] == 168.0
    assert draft.evidence["mw_critical_it"] == "approximately 168 MW of critical IT load"
    assert "end_customer" not in draft.fields  # unknown stays unknown
    assert [d.id for d in await drafts.pending(OWNER, Scope.GLOBAL)] == [draft.id]


async def test_two_sites_give_two_drafts(drafts: DraftService) -> None:
    found = await drafts.propose(FILING, WULF.text, host="WULF")
    assert [(d.proposal_index, d.fields["site"]) for d in found] == [
        (0, "Lake Mariner"),
        (1, "Cayuga"),
    ]


async def test_drafts_are_never_ledger_facts(drafts: DraftService, ledger: LedgerService) -> None:
    before = await ledger.view(GUILD_A)
    await drafts.propose(FILING, CIPHER.text, host="CIFR")
    await drafts.propose(FILING, WULF.text, host="WULF", guild_id=GUILD_A)
    after = await ledger.view(GUILD_A)
    assert after == before


async def test_owner_confirms_a_global_draft_with_the_filing_as_source(
    drafts: DraftService, ledger: LedgerService
) -> None:
    (draft,) = await drafts.propose(FILING, CIPHER.text, host="CIFR")
    contract = await drafts.confirm(OWNER, draft.id)
    assert contract.is_global and contract.counterparty == "Fluidstack Ltd."
    assert contract.mw_critical_it == 168.0 and contract.total_contract_value_usd == 3.8e9
    assert contract.value_exactness == "approximate" and contract.backstop == "Google"
    assert contract.confidence == "low" and contract.status == "announced"
    (source,) = contract.sources
    assert (source.url, source.kind, source.date) == (FILING.url, "sec_filing", "2026-11-04")
    assert source.title == FILING.title
    (created,) = await ledger.history(contract)
    assert created.actor_id == OWNER.user_id and created.action == "create"
    assert created.new_value == "SEC 8-K 0001819989-26-000123, filed 2026-11-04"
    decided = await drafts.get(OWNER, draft.id)
    assert decided.state == "confirmed" and decided.contract_id == contract.id
    assert decided.decided_by == OWNER.user_id
    assert await drafts.pending(OWNER, Scope.GLOBAL) == []


async def test_a_second_confirm_adds_nothing(drafts: DraftService, ledger: LedgerService) -> None:
    (draft,) = await drafts.propose(FILING, CIPHER.text, host="CIFR")
    await drafts.confirm(OWNER, draft.id)
    count = len(await ledger.view(None))
    with pytest.raises(DraftDecided, match="already confirmed"):
        await drafts.confirm(OWNER, draft.id)
    assert len(await ledger.view(None)) == count


@pytest.mark.parametrize("who", [MEMBER, ADMIN_A])
async def test_only_owners_review_global_drafts(drafts: DraftService, who: Actor) -> None:
    (draft,) = await drafts.propose(FILING, CIPHER.text, host="CIFR")
    for attempt in (
        drafts.pending(who, Scope.GLOBAL),
        drafts.confirm(who, draft.id),
        drafts.dismiss(who, draft.id),
        drafts.edit(who, draft.id, {"counterparty": "Someone"}),
    ):
        with pytest.raises(NotAllowed, match="owners"):
            await attempt
    assert (await drafts.get(OWNER, draft.id)).state == "pending"


async def test_server_drafts_belong_to_that_servers_admins(
    drafts: DraftService, ledger: LedgerService
) -> None:
    (draft,) = await drafts.propose(FILING, CIPHER.text, host="CIFR", guild_id=GUILD_A)
    with pytest.raises(NotFound):
        await drafts.confirm(ADMIN_B, draft.id)
    with pytest.raises(NotAllowed, match="Manage Server"):
        await drafts.confirm(OWNER, draft.id)
    assert await drafts.pending(ADMIN_B, Scope.SERVER) == []
    contract = await drafts.confirm(ADMIN_A, draft.id)
    assert contract.guild_id == GUILD_A
    assert contract.id not in {c.id for c in await ledger.view(GUILD_B)}


async def test_nobody_else_reviews_drafts(drafts: DraftService) -> None:
    with pytest.raises(NotAllowed):
        drafts.scopes(MEMBER)
    assert drafts.scopes(OWNER) == [Scope.GLOBAL]
    assert drafts.scopes(ADMIN_A) == [Scope.SERVER]


async def test_edit_checks_like_the_ledger_and_drops_the_quote(drafts: DraftService) -> None:
    (draft,) = await drafts.propose(FILING, CIPHER.text, host="CIFR")
    with pytest.raises(InvalidInput, match="mw_critical_it"):
        await drafts.edit(OWNER, draft.id, {"mw_critical_it": 20_000.0})
    with pytest.raises(InvalidInput, match="not a draft field"):
        await drafts.edit(OWNER, draft.id, {"status": "energized"})
    assert (await drafts.get(OWNER, draft.id)).fields == draft.fields  # nothing changed
    edited = await drafts.edit(OWNER, draft.id, {"mw_critical_it": 170.0, "end_customer": "Lab"})
    assert edited.fields["mw_critical_it"] == 170.0 and edited.fields["end_customer"] == "Lab"
    assert "mw_critical_it" not in edited.evidence and "counterparty" in edited.evidence
    assert edited.edited_by == OWNER.user_id


async def test_a_draft_without_a_tenant_cannot_be_confirmed_until_edited(
    drafts: DraftService, ledger: LedgerService
) -> None:
    mou = next(case for case in CASES if case.host == "BTDR")
    (draft,) = await drafts.propose(FILING, mou.text, host="BTDR")
    count = len(await ledger.view(None))
    with pytest.raises(InvalidInput, match="counterparty: is required") as refused:
        await drafts.confirm(OWNER, draft.id)
    assert "press Edit" in refused.value.user_message
    assert len(await ledger.view(None)) == count
    assert (await drafts.get(OWNER, draft.id)).state == "pending"
    await drafts.edit(OWNER, draft.id, {"counterparty": "A cloud provider"})
    contract = await drafts.confirm(OWNER, draft.id)
    assert contract.mw_gross == 570.0 and contract.counterparty == "A cloud provider"


async def test_dismissed_drafts_leave_the_ledger_alone(
    drafts: DraftService, ledger: LedgerService
) -> None:
    (draft,) = await drafts.propose(FILING, CIPHER.text, host="CIFR")
    before = await ledger.view(None)
    dismissed = await drafts.dismiss(OWNER, draft.id)
    assert dismissed.state == "dismissed" and dismissed.decided_by == OWNER.user_id
    assert await ledger.view(None) == before
    with pytest.raises(DraftDecided):
        await drafts.confirm(OWNER, draft.id)
    again = await drafts.propose(FILING, CIPHER.text, host="CIFR")
    assert again[0].state == "dismissed"  # reading the filing again does not revive it
