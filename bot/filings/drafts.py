"""Drafts: contract proposals read from filings, which a person confirms, edits or dismisses.

Nothing extracted is a ledger fact until someone with the right confirms it: a draft lives
in its own table, which no view, total or board reads. Global drafts are for the bot's
owners, a server's drafts for that server's admins (Manage Server), as for the ledger itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Final

import aiosqlite

from bot.clock import Clock
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.filings.draft_model import DRAFT_FIELDS, Draft, FilingRef
from bot.filings.extract import Proposal, extract_proposals
from bot.i18n import N_, _
from bot.ledger.model import Contract, FieldValue
from bot.ledger.service import (
    Actor,
    LedgerService,
    Scope,
    check_consistency,
    future_dates,
    validate_fields,
)
from bot.store import Store

log = logging.getLogger(__name__)

OWNERS: Final = N_("the bot's owners")
ADMINS: Final = N_("members with Manage Server")
EDIT_HINT: Final = "press Edit on the draft to fill in or correct it, then Confirm"


class DraftDecided(InvalidInput):
    """The draft was confirmed or dismissed already (by someone else, or a second click)."""

    def __init__(self, draft: Draft) -> None:
        super().__init__([f"draft {draft.id} was already {draft.state}: nothing was changed"])
        self.draft = draft


class DraftService:
    """Proposals from filings, kept apart from the ledger until a person confirms them."""

    def __init__(self, store: Store, clock: Clock, ledger: LedgerService) -> None:
        self._store = store
        self._clock = clock
        self._ledger = ledger

    # ----- from a filing ------------------------------------------------------------------

    async def propose(
        self, filing: FilingRef, text: str, *, host: str, guild_id: int | None = None
    ) -> list[Draft]:
        """Read ``text`` (the filing's documents) for ``host``'s deals and store each as a draft.

        Idempotent per (filing, proposal index): the same filing read again adds nothing and
        leaves edited or decided drafts as they are.
        """
        company = await self._ledger.company(host)
        names = (company.name, *company.aliases)
        proposals = extract_proposals(text, host=host, host_names=names)
        known = await self._known_hosts()
        rows = [(host, *self._storable(proposal, known)) for proposal in proposals]
        drafts = await self._store.drafts.propose(
            filing, rows, guild_id=guild_id, now=self._clock.now()
        )
        if drafts:
            log.info("%d draft(s) from %s %s", len(drafts), filing.form, filing.accession)
        return drafts

    @staticmethod
    def _storable(
        proposal: Proposal, known: frozenset[str]
    ) -> tuple[dict[str, FieldValue], dict[str, str]]:
        """Keep the extracted fields the ledger would accept; a figure out of bounds is dropped.

        Dropped is unknown, never clipped: a person sees the quote on the filing card and
        types the figure in with Edit.
        """
        fields: dict[str, FieldValue] = {}
        for name, value in proposal.contract_fields().items():
            if name == "host_symbol":
                continue
            try:
                validate_fields({name: value}, known)
            except InvalidInput:
                log.info("extracted %s=%r is out of bounds: left empty", name, value)
                continue
            fields[name] = value
        if check_consistency(fields):  # a value qualifier without its value, a range without top
            for name in ("value_exactness", "value_high_usd", "value_kind"):
                fields.pop(name, None)
        evidence = {
            _evidence_field(name): quoted.phrase for name, quoted in proposal.quoted().items()
        }
        return fields, {name: phrase for name, phrase in evidence.items() if name in fields}

    # ----- for people ---------------------------------------------------------------------

    def scopes(self, actor: Actor) -> list[Scope]:
        """Return the ledgers whose drafts ``actor`` reviews: global (owners), server (admins)."""
        found = []
        if actor.is_owner:
            found.append(Scope.GLOBAL)
        if actor.guild_id is not None and actor.is_admin:
            found.append(Scope.SERVER)
        if not found:
            raise NotAllowed(
                N_("review drafts"),
                _("{owners} (global drafts) and {admins}", owners=_(OWNERS), admins=_(ADMINS)),
            )
        return found

    async def pending(self, actor: Actor, scope: Scope) -> list[Draft]:
        """Return the pending drafts of one ledger ``actor`` may review, oldest first."""
        guild_id = self._scope_guild(actor, scope)
        return await self._store.drafts.pending(guild_id)

    async def get(self, actor: Actor, draft_id: int) -> Draft:
        """Return a draft ``actor`` may review; another server's draft is not found."""
        draft = await self._store.drafts.get(draft_id)
        if draft is None or (not draft.is_global and draft.guild_id != actor.guild_id):
            raise NotFound(N_("draft"), draft_id)
        self._scope_guild(actor, Scope.GLOBAL if draft.is_global else Scope.SERVER)
        return draft

    async def edit(
        self,
        actor: Actor,
        draft_id: int,
        changes: Mapping[str, FieldValue],
        *,
        labels: Mapping[str, str] | None = None,
    ) -> Draft:
        """Change a pending draft's fields after the ledger's own checks; return it changed."""
        draft = await self._pending(actor, draft_id)
        unknown = sorted(set(changes) - set(DRAFT_FIELDS))
        if unknown:
            raise InvalidInput([_("{name}: is not a draft field", name=name) for name in unknown])
        clean = validate_fields(
            {k: v for k, v in changes.items() if v is not None}, await self._known_hosts(), labels
        )
        cleared = {name: None for name, value in changes.items() if value is None}
        merged = {**draft.contract_fields(), **clean, **cleared}
        problems = future_dates(clean, self._clock.now().date(), labels)
        problems += check_consistency(merged, labels)
        if problems:
            raise InvalidInput(problems)
        changed = {
            name: value
            for name, value in {**clean, **cleared}.items()
            if draft.fields.get(name) != value
        }
        if not changed:
            raise InvalidInput(
                [_("nothing changed: draft {id} already has those values", id=draft.id)]
            )
        if not await self._store.drafts.edit(
            draft.id, changed, user_id=actor.user_id, now=self._clock.now()
        ):
            raise DraftDecided(await self._current(draft))
        return await self.get(actor, draft.id)

    async def dismiss(self, actor: Actor, draft_id: int) -> Draft:
        """Set a pending draft aside for good; the ledger is not touched."""
        draft = await self._pending(actor, draft_id)
        if not await self._store.drafts.dismiss(
            draft.id, user_id=actor.user_id, now=self._clock.now()
        ):
            raise DraftDecided(await self._current(draft))
        return await self.get(actor, draft.id)

    async def confirm(self, actor: Actor, draft_id: int) -> Contract:
        """Enter a pending draft into its ledger, the filing as its source, in one transaction.

        The contract's history names the confirmer and the filing; the draft is marked
        confirmed in the same transaction, so two clicks never give two contracts.
        """
        draft = await self._pending(actor, draft_id)
        now = self._clock.now()

        async def mark_confirmed(conn: aiosqlite.Connection, contract_id: int) -> None:
            done = await self._store.drafts.mark_confirmed(
                conn, draft.id, contract_id, user_id=actor.user_id, now=now
            )
            if not done:
                raise DraftDecided(await self._current(draft))

        try:
            return await self._ledger.add(
                actor,
                draft.contract_fields(),
                source_url=draft.filing.url,
                source=draft.filing.source(),
                scope=Scope.GLOBAL if draft.is_global else Scope.SERVER,
                created_from=draft.filing.label,
                in_same_transaction=mark_confirmed,
            )
        except DraftDecided:
            raise
        except InvalidInput as exc:
            raise InvalidInput([*exc.problems, EDIT_HINT]) from exc

    # ----- helpers ------------------------------------------------------------------------

    def _scope_guild(self, actor: Actor, scope: Scope) -> int | None:
        if scope is Scope.GLOBAL:
            if not actor.is_owner:
                raise NotAllowed(N_("review the global ledger's drafts"), OWNERS)
            return None
        if actor.guild_id is None or not actor.is_admin:
            raise NotAllowed(N_("review this server's drafts"), ADMINS)
        return actor.guild_id

    async def _pending(self, actor: Actor, draft_id: int) -> Draft:
        draft = await self.get(actor, draft_id)
        if draft.state != "pending":
            raise DraftDecided(draft)
        return draft

    async def _current(self, draft: Draft) -> Draft:
        return await self._store.drafts.get(draft.id) or draft

    async def _known_hosts(self) -> frozenset[str]:
        return frozenset(company.symbol for company in await self._store.ledger.companies())


def _evidence_field(name: str) -> str:
    """Name the contract field a proposal field's quote supports."""
    return {"value_usd": "total_contract_value_usd", "mw_unstated": "mw_note"}.get(name, name)
