"""Ledger rules: who may change which scope, and what a valid contract edit is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

import aiosqlite

from bot.clock import Clock
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.i18n import N_, _
from bot.i18n.language import Language
from bot.ledger.consistency import consistency_problems
from bot.ledger.limits import (
    CONTRACT_NUMBER_LIMITS,
    MAX_NAME_LENGTH,
    MAX_TEXT_LENGTH,
    Problem,
    check_day,
    check_number,
    check_text,
    check_url,
    parse_day,
)
from bot.ledger.model import CONTRACT_FIELDS, Company, Contract, FieldValue, HistoryEntry, Source
from bot.ledger.vocab import (
    CONFIDENCES,
    DEAL_KINDS,
    DEAL_TYPES,
    EXACTNESSES,
    STATUSES,
    VALUE_KINDS,
)
from bot.ledger.watch import DealWatch
from bot.store import Store

# Free-text fields a user may set, with their length limits.
_TEXT_LIMITS: Final = {
    "counterparty": MAX_NAME_LENGTH,
    "end_customer": MAX_NAME_LENGTH,
    "backstop": MAX_TEXT_LENGTH,
    "gpu_type": MAX_NAME_LENGTH,
    "site": MAX_NAME_LENGTH,
    "site_location": MAX_NAME_LENGTH,
    "mw_note": MAX_TEXT_LENGTH,
    "status_note": MAX_TEXT_LENGTH,
    "notes": MAX_TEXT_LENGTH,
}
_CHOICES: Final = {
    "status": STATUSES,
    "confidence": CONFIDENCES,
    "deal_type": DEAL_TYPES,
    "deal_kind": DEAL_KINDS,
    "value_kind": VALUE_KINDS,
    "value_exactness": EXACTNESSES,
}
# Parties must name tracked companies (they link a tenant's page to its deals).
_SYMBOL_FIELDS: Final = ("counterparty_symbol", "end_customer_symbol", "backstop_symbol")
DEFAULT_USER_CONFIDENCE: Final = "low"  # a member's entry is unvetted until a source is checked


# Runs inside the transaction that adds a contract, with its id (a draft marked confirmed).
AfterInsert = Callable[[aiosqlite.Connection, int], Awaitable[None]]


class Scope(StrEnum):
    """Which ledger a new contract goes to."""

    SERVER = "server"
    GLOBAL = "global"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asks for a change, and what rights they have where they ask."""

    user_id: int
    guild_id: int | None
    is_admin: bool  # Manage Server in guild_id
    is_owner: bool  # owner of the bot application (or a member of its team)

    @property
    def label(self) -> str:
        return f"user:{self.user_id}"


def validate_fields(
    values: Mapping[str, FieldValue],
    known_hosts: frozenset[str],
    labels: Mapping[str, str] | None = None,
) -> dict[str, FieldValue]:
    """Check user-supplied contract fields; raise InvalidInput listing every problem.

    ``labels`` maps field names to the names the user typed (a command's option names), so
    each problem names what the user can fix.
    """
    problems: list[Problem] = []
    clean: dict[str, FieldValue] = {}
    for name, value in values.items():
        if name not in CONTRACT_FIELDS:
            problems.append(Problem(name, "is not a contract field"))
            continue
        problem = _check_field(name, value, known_hosts)
        if problem is not None:
            problems.append(problem)
        else:
            clean[name] = value
    if problems:
        raise InvalidInput([str(_relabel(problem, labels)) for problem in problems])
    return clean


def check_consistency(
    values: Mapping[str, FieldValue], labels: Mapping[str, str] | None = None
) -> list[str]:
    """Return what contradicts itself in a contract's (merged) fields, named as typed."""
    return [str(_relabel(problem, labels)) for problem in consistency_problems(values)]


def _relabel(problem: Problem, labels: Mapping[str, str] | None) -> Problem:
    if not labels:
        return problem
    name = "host_symbol" if problem.field == "host" else problem.field
    return Problem(labels.get(name, problem.field), problem.message)


def future_dates(
    values: Mapping[str, FieldValue], today: date, labels: Mapping[str, str] | None = None
) -> list[str]:
    """List the dates that lie in the future: nothing was announced or observed tomorrow."""
    # One day of slack: a member west of UTC may already be on the next day's date.
    latest = today + timedelta(days=1)
    problems = []
    for name in ("announced_date", "status_as_of"):
        value = values.get(name)
        day = parse_day(value) if isinstance(value, str) else None
        if day is not None and day > latest:
            label = (labels or {}).get(name, name)
            problems.append(f"{label}: must not be in the future (got {value})")
    return problems


def _check_field(name: str, value: FieldValue, known_hosts: frozenset[str]) -> Problem | None:
    if value is None:
        if name in (
            "counterparty",
            "status",
            "status_as_of",
            "confidence",
            "host_symbol",
            "deal_kind",
            "value_kind",
            "value_exactness",
        ):
            return Problem(name, "cannot be cleared")
        return None
    if name == "host_symbol" or name in _SYMBOL_FIELDS:
        if value not in known_hosts:
            field = "host" if name == "host_symbol" else name
            return Problem(field, f"must be a tracked company symbol (got {str(value)[:20]!r})")
        return None
    if name == "host_share_pct" and isinstance(value, int | float) and value <= 0:
        return Problem(name, "must be more than 0 and at most 100 %")
    if name in CONTRACT_NUMBER_LIMITS:
        high, unit = CONTRACT_NUMBER_LIMITS[name]
        if not isinstance(value, int | float) or isinstance(value, bool):
            return Problem(name, "must be a number")
        return check_number(name, float(value), 0, high, unit)
    if name == "gpu_count":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10_000_000
        return None if ok else Problem(name, "must be a whole number between 0 and 10,000,000")
    if not isinstance(value, str):
        return Problem(name, "must be text")
    if name in _CHOICES:
        choices = _CHOICES[name]
        return None if value in choices else Problem(name, f"must be one of: {', '.join(choices)}")
    if name in ("announced_date", "status_as_of"):
        return check_day(name, value)
    return check_text(name, value, _TEXT_LIMITS.get(name, MAX_TEXT_LENGTH))


class LedgerService:
    """The ledger as commands use it: a server's view, and checked, recorded changes."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def view(
        self, guild_id: int | None, *, host: str | None = None, status: str | None = None
    ) -> list[Contract]:
        """Return the contracts this server sees: the global ledger plus its own."""
        return await self._store.ledger.contracts(guild_id=guild_id, host=host, status=status)

    async def get(self, guild_id: int | None, contract_id: int) -> Contract:
        """Return one visible contract or raise NotFound."""
        contract = await self._store.ledger.contract(contract_id, guild_id=guild_id)
        if contract is None:
            raise NotFound(N_("contract"), contract_id)
        return contract

    async def history(self, contract: Contract) -> list[HistoryEntry]:
        """Return every recorded change of a contract already checked visible, oldest first."""
        return await self._store.ledger.history(contract.id)

    async def company(self, symbol: str) -> Company:
        """Return a tracked company's profile or raise NotFound."""
        profile = await self._store.ledger.company(symbol)
        if profile is None:
            raise NotFound(N_("company"), symbol)
        return profile

    async def watch(self, guild_id: int, channel_id: int) -> None:
        """Post this server's ledger changes to ``channel_id`` from now on."""
        await self._store.guilds.set_watch(guild_id, channel_id, now=self._clock.now())

    async def unwatch(self, guild_id: int) -> bool:
        """Stop this server's deal watch; False when it was not watching."""
        return await self._store.guilds.clear_watch(guild_id, now=self._clock.now())

    def watch_feed(
        self,
        *,
        on_queued: Callable[[], None] | None = None,
        language_of: Callable[[int], Language] | None = None,
    ) -> DealWatch:
        """Return the deal watch that queues ledger changes for the watching servers."""
        if language_of is None:
            return DealWatch(self._store, self._clock, on_queued=on_queued)
        return DealWatch(self._store, self._clock, on_queued=on_queued, language_of=language_of)

    async def add(
        self,
        actor: Actor,
        values: Mapping[str, FieldValue],
        *,
        source_url: str,
        scope: Scope = Scope.SERVER,
        labels: Mapping[str, str] | None = None,
        source: Source | None = None,
        created_from: str | None = None,
        in_same_transaction: AfterInsert | None = None,
    ) -> Contract:
        """Add a contract to the server's ledger (admins) or the global one (bot owners).

        ``source`` describes ``source_url`` (title, date, kind) when the caller knows it;
        ``created_from`` is kept in the 'create' history entry (the filing a draft came
        from); ``in_same_transaction`` runs with the new contract's id before the
        contract is committed, and a failure there leaves the ledger unchanged.
        """
        guild_id = self._target_scope(actor, scope)
        fields = dict(values)
        fields.setdefault("status_as_of", self._clock.now().date().isoformat())
        fields.setdefault("confidence", DEFAULT_USER_CONFIDENCE)
        fields.setdefault("status", "announced")
        fields.setdefault("deal_kind", "lease")
        clean = validate_fields(fields, await self._known_hosts(), labels)
        missing = [name for name in ("host_symbol", "counterparty") if clean.get(name) is None]
        url_problem = check_url("source_url", source_url)
        problems = [f"{(labels or {}).get(name, name)}: is required" for name in missing]
        problems += future_dates(clean, self._clock.now().date(), labels)
        problems += [str(url_problem)] if url_problem else []
        problems += check_consistency(clean, labels)
        if problems:
            raise InvalidInput(problems)
        sources = [
            source if source is not None and source.url == source_url else Source(source_url)
        ]
        async with self._store.db.transaction() as conn:
            contract_id = await self._store.ledger.insert_contract_in(
                conn,
                clean,
                sources,
                guild_id=guild_id,
                actor_id=actor.user_id,
                actor_label=actor.label,
                now=self._clock.now(),
                created_from=created_from,
            )
            if in_same_transaction is not None:
                await in_same_transaction(conn, contract_id)
        return await self.get(actor.guild_id, contract_id)

    async def edit(
        self,
        actor: Actor,
        contract_id: int,
        changes: Mapping[str, FieldValue],
        *,
        source_url: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> list[tuple[str, str | None, str | None]]:
        """Change fields of a contract the actor may change; every change lands in history."""
        contract = await self.get(actor.guild_id, contract_id)
        if contract.deleted_at is not None:
            raise NotFound(N_("contract"), contract_id)  # removed: only its history remains
        self._check_may_change(actor, contract)
        clean = validate_fields(changes, await self._known_hosts(), labels)
        if problems := future_dates(clean, self._clock.now().date(), labels):
            raise InvalidInput(problems)
        merged = {name: getattr(contract, name) for name in CONTRACT_FIELDS} | clean
        if problems := check_consistency(merged, labels):
            raise InvalidInput(problems)
        sources = None
        if source_url is not None:
            url_problem = check_url("source_url", source_url)
            if url_problem:
                raise InvalidInput([str(url_problem)])
            sources = [Source(source_url), *(s for s in contract.sources if s.url != source_url)]
        if not clean and sources is None:
            raise InvalidInput([_("give at least one field to change")])
        return await self._store.ledger.update_contract(
            contract_id,
            clean,
            sources=sources,
            actor_id=actor.user_id,
            actor_label=actor.label,
            now=self._clock.now(),
        )

    async def remove(self, actor: Actor, contract_id: int) -> Contract:
        """Soft-delete a contract the actor may change; it stays in history."""
        contract = await self.get(actor.guild_id, contract_id)
        self._check_may_change(actor, contract)
        removed = await self._store.ledger.remove_contract(
            contract_id, actor_id=actor.user_id, actor_label=actor.label, now=self._clock.now()
        )
        if not removed:
            raise NotFound(N_("contract"), contract_id)
        return contract

    def _target_scope(self, actor: Actor, scope: Scope) -> int | None:
        if scope is Scope.GLOBAL:
            if not actor.is_owner:
                raise NotAllowed(N_("change the global ledger"), N_("the bot's owners"))
            return None
        if actor.guild_id is None:
            raise NotAllowed(
                N_("add a server contract outside a server"), N_("server admins in a server")
            )
        if not actor.is_admin:
            raise NotAllowed(N_("change this server's contracts"), N_("members with Manage Server"))
        return actor.guild_id

    def _check_may_change(self, actor: Actor, contract: Contract) -> None:
        if contract.is_global:
            if not actor.is_owner:
                raise NotAllowed(N_("change the global ledger"), N_("the bot's owners"))
        elif contract.guild_id != actor.guild_id or not actor.is_admin:
            raise NotAllowed(N_("change this server's contracts"), N_("members with Manage Server"))

    async def _known_hosts(self) -> frozenset[str]:
        return frozenset(company.symbol for company in await self._store.ledger.companies())
