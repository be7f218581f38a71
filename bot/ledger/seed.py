"""The seed policy: what applying the shipped ledger changes in the store, decided without SQL.

A field is rewritten only when the shipped value itself changed since the last seed, so a bot
owner's later correction survives re-seeding with the same file. The store reads the snapshots
of the last seed, asks this module for a plan and writes it in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from bot.ledger.model import CONTRACT_FIELDS, FieldValue, Source
from bot.ledger.records import CompanyRecord, ContractRecord

SEED_ACTOR: Final = "ledger"  # actor label of changes made by the shipped ledger


@dataclass(slots=True)
class SeedReport:
    """What applying the shipped ledger changed."""

    companies: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether any contract row changed."""
        return bool(self.created or self.updated or self.removed)


@dataclass(frozen=True, slots=True)
class SeededRow:
    """A contract row the shipped ledger owns, as the last seed left it."""

    id: int
    key: str
    snapshot: str | None
    removed: bool


@dataclass(frozen=True, slots=True)
class ShippedContract:
    """One shipped contract as the store's columns, with its sources and snapshot."""

    key: str
    columns: dict[str, FieldValue]
    sources: tuple[Source, ...]
    snapshot: str


@dataclass(frozen=True, slots=True)
class SeedUpdate:
    """Bring a seeded row back in line with the file: changed fields, new sources or None."""

    row: SeededRow
    shipped: ShippedContract
    changes: dict[str, FieldValue]
    sources: tuple[Source, ...] | None


@dataclass(slots=True)
class SeedPlan:
    """The contract rows to create, update (or restore) and remove."""

    create: list[ShippedContract] = field(default_factory=list)
    update: list[SeedUpdate] = field(default_factory=list)
    remove: list[SeededRow] = field(default_factory=list)


def sources_json(sources: Sequence[Source]) -> str:
    """Return the sources as the snapshot records them (order matters)."""
    return json.dumps([[s.url, s.title, s.date, s.kind] for s in sources])


def shipped_contract(record: ContractRecord) -> ShippedContract:
    """Map a shipped record onto the contract columns (the file's ``host`` is host_symbol)."""
    data = record.model_dump(exclude={"key", "host", "sources"})
    data["host_symbol"] = record.host
    columns = {name: data[name] for name in CONTRACT_FIELDS}
    sources = tuple(Source(s.url, s.title, s.date, s.kind) for s in record.sources)
    snapshot = json.dumps({**columns, "sources": sources_json(sources)}, sort_keys=True)
    return ShippedContract(record.key, columns, sources, snapshot)


def company_snapshot(company: CompanyRecord) -> str:
    """Return what a company's seed snapshot records: the shipped record, whole."""
    return company.model_dump_json()


def changed_companies(
    companies: Iterable[CompanyRecord], snapshots: Mapping[str, str | None]
) -> list[CompanyRecord]:
    """Return the shipped companies whose record differs from the last seed's snapshot."""
    return [c for c in companies if snapshots.get(c.symbol) != company_snapshot(c)]


def plan_contracts(records: Iterable[ContractRecord], seeded: Iterable[SeededRow]) -> SeedPlan:
    """Decide which seeded rows to create, update, restore or remove for ``records``."""
    existing = {row.key: row for row in seeded}
    plan = SeedPlan()
    shipped_keys = set()
    for record in records:
        shipped_keys.add(record.key)
        shipped = shipped_contract(record)
        row = existing.get(record.key)
        if row is None:
            plan.create.append(shipped)
            continue
        if row.snapshot == shipped.snapshot and not row.removed:
            continue
        previous = json.loads(row.snapshot or "{}")
        changes = {
            name: value for name, value in shipped.columns.items() if previous.get(name) != value
        }
        new_sources = (
            shipped.sources if previous.get("sources") != sources_json(shipped.sources) else None
        )
        plan.update.append(SeedUpdate(row, shipped, changes, new_sources))
    plan.remove = [
        row for key, row in existing.items() if key not in shipped_keys and not row.removed
    ]
    return plan
