"""The shipped ledger: loaded faithfully, idempotent, and updated only where it changed."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.ledger.model import Contract
from bot.ledger.records import LedgerFile, check_ledger
from bot.store import Store
from tests.conftest import SHARED


async def _by_key(store: Store) -> dict[str, Contract]:
    return {
        c.key: c for c in await store.ledger.contracts(guild_id=None, include_removed=True) if c.key
    }


async def _table_dump(store: Store) -> dict[str, list[tuple[object, ...]]]:
    tables = [
        "companies",
        "company_aliases",
        "company_sources",
        "sites",
        "contracts",
        "contract_sources",
        "contract_history",
        "store_meta",
    ]
    return {
        t: [tuple(r) for r in await store.db.fetch_all(f"SELECT * FROM {t} ORDER BY 1, 2")]
        for t in tables
    }


def test_shipped_ledger_passes_its_own_check(shipped_ledger: LedgerFile) -> None:
    assert check_ledger(shipped_ledger) == []


async def test_seeding_twice_changes_nothing(
    store: Store, shipped_ledger: LedgerFile, clock: ManualClock
) -> None:
    first = await store.ledger.apply_seed(shipped_ledger, now=clock.now())
    assert len(first.created) == len(shipped_ledger.contracts)
    before = await _table_dump(store)
    clock.advance(timedelta(days=3))
    second = await store.ledger.apply_seed(shipped_ledger, now=clock.now())
    assert not second.changed
    assert await _table_dump(store) == before


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        # The article's figures, corrected: 168 MW IT / 244 MW gross, ~$3.0B over 10 years.
        (
            "cifr-fluidstack-barberlake-1",
            {
                "host_symbol": "CIFR",
                "mw_critical_it": 168,
                "mw_gross": 244,
                "term_years": 10,
                "total_contract_value_usd": 3.0e9,
            },
        ),
        # Cipher's AWS lease, which the article missed.
        (
            "cifr-aws",
            {
                "host_symbol": "CIFR",
                "mw_gross": 300,
                "term_years": 15,
                "total_contract_value_usd": 5.5e9,
                "mw_critical_it": None,
            },
        ),
        (
            "iren-microsoft",
            {
                "host_symbol": "IREN",
                "mw_critical_it": 200,
                "term_years": 5,
                "total_contract_value_usd": 9.7e9,
            },
        ),
        ("nbis-microsoft", {"host_symbol": "NBIS", "total_contract_value_usd": 17.4e9}),
        # CoreWeave did not buy Core Scientific: the merger was terminated on 2025-10-30.
        ("crwv-corz-merger", {"status": "terminated", "status_as_of": "2025-10-30"}),
        ("corz-coreweave-hosting", {"host_symbol": "CORZ", "mw_critical_it": 590}),
    ],
)
async def test_spot_checks_against_the_reference(
    seeded_store: Store, key: str, expected: dict[str, object]
) -> None:
    contract = (await _by_key(seeded_store))[key]
    for field, value in expected.items():
        assert getattr(contract, field) == value, field


async def test_every_contract_has_a_source_and_an_as_of_date(seeded_store: Store) -> None:
    contracts = await seeded_store.ledger.contracts(guild_id=None)
    assert len(contracts) >= 25
    for contract in contracts:
        assert contract.sources, contract.key
        assert all(s.url.startswith(("http://", "https://")) for s in contract.sources), (
            contract.key
        )
        assert contract.status_as_of, contract.key


async def test_unknown_figures_stay_unknown(seeded_store: Store) -> None:
    """Nebius–Microsoft's MW were never disclosed: the ledger must not invent them."""
    contract = (await _by_key(seeded_store))["nbis-microsoft"]
    assert contract.mw_critical_it is None and contract.mw_gross is None


async def test_aliases_resolve_to_symbols(seeded_store: Store) -> None:
    aliases = await seeded_store.ledger.aliases()
    assert aliases["cipher"] == "CIFR"
    assert aliases["bitcoin"] == "BTC-USD"
    assert aliases["nebius"] == "NBIS"
    assert aliases["iris energy"] == "IREN"


# The contracts of the reference dataset the ledger was built from (2026-11-26): each must
# ship. Kept here so the check runs in every checkout; the dataset itself, when it sits
# beside the checkout, is compared as well.
REFERENCE_CONTRACTS = frozenset(
    {
        "apld-coreweave-pf1", "apld-hyperscaler-pf2", "btdr-tydal-colocation", "cifr-aws",
        "cifr-fluidstack-barberlake-1", "cifr-fluidstack-barberlake-2", "corz-coreweave-hosting",
        "crwv-corz-merger", "glxy-coreweave-helios", "hive-bell-ai-fabric",
        "hut-fluidstack-riverbend", "iren-ai-cloud-multi", "iren-microsoft", "iren-nvidia-2026",
        "mara-exaion", "mara-starwood-jv", "nbis-meta-2025", "nbis-meta-2026", "nbis-microsoft",
        "riot-amd-rockdale", "slnh-metrobloks-kati2", "wulf-core42",
        "wulf-fluidstack-abernathy-jv", "wulf-fluidstack-cb3-cb4", "wulf-fluidstack-cb5",
        "wyfi-cerebras-mtl3", "wyfi-nscale-nc1",
    }
)  # fmt: skip


async def test_every_reference_contract_is_shipped(seeded_store: Store) -> None:
    shipped = set(await _by_key(seeded_store))
    assert shipped >= REFERENCE_CONTRACTS
    reference = SHARED / "reference" / "miner_ai_deals.yaml"
    if reference.exists():  # the dataset itself, when present: an extra cross-check
        import yaml

        ids = {c["id"] for c in yaml.safe_load(reference.read_text())["contracts"]}
        assert ids <= shipped


async def test_newer_ledger_updates_changed_fields_and_records_history(
    seeded_store: Store, shipped_ledger: LedgerFile, clock: ManualClock
) -> None:
    newer = shipped_ledger.model_copy(deep=True)
    index = next(i for i, c in enumerate(newer.contracts) if c.key == "cifr-aws")
    newer.contracts[index] = newer.contracts[index].model_copy(
        update={"status": "energized", "status_as_of": "2026-10-01"}
    )
    clock.advance(timedelta(days=30))
    report = await seeded_store.ledger.apply_seed(newer, now=clock.now())
    assert report.updated == ["cifr-aws"] and not report.created
    contract = (await _by_key(seeded_store))["cifr-aws"]
    assert (contract.status, contract.status_as_of) == ("energized", "2026-10-01")
    history = await seeded_store.ledger.history(contract.id)
    changes = {(h.field, h.old_value, h.new_value) for h in history if h.action == "update"}
    assert changes == {
        ("status", "signed", "energized"),
        ("status_as_of", "2025-11-03", "2026-10-01"),
    }
    assert all(h.actor_label == "ledger" for h in history)


async def test_reseeding_keeps_an_owner_correction_the_ledger_did_not_touch(
    seeded_store: Store, shipped_ledger: LedgerFile, clock: ManualClock
) -> None:
    contract = (await _by_key(seeded_store))["iren-microsoft"]
    await seeded_store.ledger.update_contract(
        contract.id,
        {"status": "energized"},
        sources=None,
        actor_id=42,
        actor_label="user:42",
        now=clock.now(),
    )
    report = await seeded_store.ledger.apply_seed(shipped_ledger, now=clock.now())
    assert not report.changed
    assert (await _by_key(seeded_store))["iren-microsoft"].status == "energized"


async def test_seed_never_touches_server_rows(
    seeded_store: Store, shipped_ledger: LedgerFile, clock: ManualClock
) -> None:
    contract_id = await seeded_store.ledger.insert_contract(
        {
            "host_symbol": "CIFR",
            "counterparty": "Local Tenant",
            "status": "announced",
            "status_as_of": "2026-11-01",
            "confidence": "low",
        },
        [],
        guild_id=7,
        actor_id=1,
        actor_label="user:1",
        now=clock.now(),
    )
    trimmed = shipped_ledger.model_copy(update={"contracts": shipped_ledger.contracts[:-1]})
    report = await seeded_store.ledger.apply_seed(trimmed, now=clock.now())
    assert report.removed == [shipped_ledger.contracts[-1].key]
    server_row = await seeded_store.ledger.contract(contract_id, guild_id=7)
    assert server_row is not None and server_row.deleted_at is None


async def test_processes_seeding_together_create_each_row_once(
    store: Store, shipped_ledger: LedgerFile, clock: ManualClock
) -> None:
    """Several processes starting at once all seed: the store's write lock makes them take
    turns, and each reads what the one before it wrote, so the ledger lands once."""
    other = await Store.open(store.db.location)
    try:
        reports = await asyncio.gather(
            store.ledger.apply_seed(shipped_ledger, now=clock.now()),
            other.ledger.apply_seed(shipped_ledger, now=clock.now()),
        )
    finally:
        await other.close()
    created = sorted(len(report.created) for report in reports)
    assert created == [0, len(shipped_ledger.contracts)]
    assert all(report.updated == [] and report.removed == [] for report in reports)
    stored = await store.ledger.contracts(guild_id=None, include_removed=True)
    assert len(stored) == len(shipped_ledger.contracts)
