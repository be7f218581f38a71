"""Shipping a newer ledger: owners' corrections survive, history has the rest, one watch post.

Also the migration that gives existing rows their kind and exactness.
"""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.ledger.model import Contract
from bot.ledger.records import LedgerFile
from bot.ledger.watch import DealWatch
from bot.outbox.model import OutboxKind
from bot.store import Store
from bot.store.db import Database
from tests.store.catalog import migrations_for

NEW_KEYS = {
    "hut-beacon-point",
    "apld-hyperscaler-delta-forge-1",
    "apld-hyperscaler-polaris-forge-3",
    "apld-hyperscaler-delta-forge-2",
    "cifr-hyperscaler-third-lease",
}
GUILD, CHANNEL = 111, 222


def previous_ledger(shipped: LedgerFile) -> LedgerFile:
    """The ledger as shipped before: no 2026 deals, CORZ's status of October 2025."""
    contracts = []
    for record in shipped.contracts:
        if record.key in NEW_KEYS:
            continue
        if record.key == "corz-coreweave-hosting":
            record = record.model_copy(
                update={"status_as_of": "2025-10-30", "value_exactness": "exact"}
            )
        contracts.append(record)
    return shipped.model_copy(update={"as_of": "2026-11-26", "contracts": contracts})


async def by_key(store: Store) -> dict[str, Contract]:
    rows = await store.ledger.contracts(guild_id=None, include_removed=True)
    return {c.key: c for c in rows if c.key}


async def test_a_newer_ledger_keeps_an_owner_edit_and_records_the_rest(
    store: Store, shipped_ledger: LedgerFile, clock: ManualClock
) -> None:
    await store.ledger.apply_seed(previous_ledger(shipped_ledger), now=clock.now())
    corz = (await by_key(store))["corz-coreweave-hosting"]
    # A bot owner corrects the MW, which the newer ledger does not change.
    await store.ledger.update_contract(
        corz.id,
        {"mw_critical_it": 600.0},
        sources=None,
        actor_id=42,
        actor_label="user:42",
        now=clock.now(),
    )
    await store.guilds.set_watch(GUILD, CHANNEL, now=clock.now())
    watch = DealWatch(store, clock)
    await watch.run()  # the owner's edit is posted on its own
    before = len(await store.outbox.rows())

    clock.advance(timedelta(days=8))
    report = await store.ledger.apply_seed(shipped_ledger, now=clock.now())

    assert set(report.created) == NEW_KEYS
    assert "corz-coreweave-hosting" in report.updated
    rows = await by_key(store)
    corz = rows["corz-coreweave-hosting"]
    assert corz.mw_critical_it == 600.0  # the owner's correction survives
    assert (corz.status_as_of, corz.value_exactness) == ("2026-05-06", "floor")
    history = await store.ledger.history(corz.id)
    seeded = {(h.field, h.old_value, h.new_value) for h in history if h.actor_label == "ledger"}
    assert ("status_as_of", "2025-10-30", "2026-05-06") in seeded
    assert ("value_exactness", "exact", "floor") in seeded
    assert ("mw_critical_it", "590", "600") not in seeded
    assert rows["hut-beacon-point"].total_contract_value_usd == 9.8e9
    assert (await store.ledger.history(rows["hut-beacon-point"].id))[0].action == "create"

    # The watching server gets one post for the whole update, listing what changed.
    assert await watch.run() == 1
    posts = (await store.outbox.rows())[before:]
    assert len(posts) == 1 and posts[0].kind is OutboxKind.WATCH
    embed = posts[0].payload["embeds"][0]
    assert embed["title"].startswith("Shipped ledger updated: 5 added, ")
    assert "Corrections made by the bot's owners are kept" in embed["description"]
    assert "CORZ ← CoreWeave (CRWV)" in embed["description"]
    assert "HUT ← Undisclosed high investment-grade tenant" in embed["description"]


async def test_the_migration_gives_existing_rows_a_kind_and_an_exactness(
    empty_db: Database,
) -> None:
    db = empty_db
    migrations = migrations_for(db)
    await db.migrate([m for m in migrations if m.version <= 4])
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO companies (symbol, name, kind, updated_at) "
            "VALUES ('WULF', 'TeraWulf Inc.', 'miner', 'now')"
        )
        rows = [
            ("joint_venture", 9.5e9, 1),
            ("acquisition", 1.68e8, 0),
            (None, 1.2e9, 0),  # a member's row without a deal type
        ]
        for deal_type, value, approx in rows:
            await conn.execute(
                "INSERT INTO contracts (origin, guild_id, host_symbol, counterparty, "
                "deal_type, total_contract_value_usd, tcv_approx, status, status_as_of, "
                "confidence, created_at, updated_at) VALUES ('user', 1, 'WULF', 'T', ?, ?, "
                "?, 'signed', '2025-10-28', 'high', 'now', 'now')",
                (deal_type, value, approx),
            )
    await db.migrate(migrations)
    found = await db.fetch_all(
        "SELECT deal_kind, value_kind, value_exactness FROM contracts ORDER BY id"
    )
    assert [tuple(row) for row in found] == [
        ("joint_venture", "contracted_revenue", "approximate"),
        ("acquisition_investment", "purchase_price", "exact"),
        ("lease", "contracted_revenue", "exact"),
    ]
