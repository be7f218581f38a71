"""The seed policy decides, without a database, what a new shipped ledger changes."""

from __future__ import annotations

from bot.ledger.records import LedgerFile
from bot.ledger.seed import (
    SeededRow,
    changed_companies,
    company_snapshot,
    plan_contracts,
    shipped_contract,
)


def _seeded(ledger: LedgerFile) -> list[SeededRow]:
    """The rows a previous seed of ``ledger`` left behind, untouched since."""
    return [
        SeededRow(index, record.key, shipped_contract(record).snapshot, removed=False)
        for index, record in enumerate(ledger.contracts, start=1)
    ]


def test_a_first_seed_creates_every_shipped_contract(shipped_ledger: LedgerFile) -> None:
    plan = plan_contracts(shipped_ledger.contracts, [])
    assert [c.key for c in plan.create] == [r.key for r in shipped_ledger.contracts]
    assert plan.update == [] and plan.remove == []


def test_the_same_file_again_plans_nothing(shipped_ledger: LedgerFile) -> None:
    plan = plan_contracts(shipped_ledger.contracts, _seeded(shipped_ledger))
    assert (plan.create, plan.update, plan.remove) == ([], [], [])
    snapshots = {c.symbol: company_snapshot(c) for c in shipped_ledger.companies}
    assert changed_companies(shipped_ledger.companies, snapshots) == []


def test_only_the_fields_the_file_changed_are_rewritten(shipped_ledger: LedgerFile) -> None:
    first = shipped_ledger.contracts[0]
    newer = first.model_copy(update={"status_note": "Energised ahead of plan"})
    plan = plan_contracts([newer, *shipped_ledger.contracts[1:]], _seeded(shipped_ledger))
    assert len(plan.update) == 1
    update = plan.update[0]
    assert update.row.key == first.key
    assert update.changes == {"status_note": "Energised ahead of plan"}
    assert update.sources is None  # the sources did not change: they are left alone


def test_a_contract_dropped_from_the_file_is_removed_and_comes_back(
    shipped_ledger: LedgerFile,
) -> None:
    seeded = _seeded(shipped_ledger)
    dropped = plan_contracts(shipped_ledger.contracts[1:], seeded)
    assert [row.key for row in dropped.remove] == [shipped_ledger.contracts[0].key]
    removed = [SeededRow(1, seeded[0].key, seeded[0].snapshot, removed=True)]
    back = plan_contracts(shipped_ledger.contracts[:1], removed)
    assert [u.row.key for u in back.update] == [shipped_ledger.contracts[0].key]
    assert back.update[0].changes == {}  # restored as it was; no field rewritten
