"""Per-server settings: the deal watch's channel and its position in the contract history."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.store import Store

GUILD, OTHER = 111, 222


async def latest_history_id(store: Store) -> int:
    row = await store.db.fetch_one("SELECT max(id) FROM contract_history")
    assert row is not None
    return int(row[0])


async def test_a_new_watch_starts_after_the_latest_change(
    seeded_store: Store, clock: ManualClock
) -> None:
    await seeded_store.guilds.set_watch(GUILD, 5, now=clock.now())
    async with seeded_store.db.transaction() as conn:
        (watcher,) = await seeded_store.guilds.watchers(conn)
    assert (watcher.guild_id, watcher.channel_id) == (GUILD, 5)
    assert watcher.after_history_id == await latest_history_id(seeded_store)
    assert await seeded_store.guilds.watch_channel(GUILD) == 5
    assert await seeded_store.guilds.watch_channel(OTHER) is None


async def test_moving_the_channel_keeps_the_position_and_unwatching_forgets_it(
    seeded_store: Store, clock: ManualClock
) -> None:
    guilds = seeded_store.guilds
    await guilds.set_watch(GUILD, 5, now=clock.now())
    async with seeded_store.db.transaction() as conn:
        await guilds.advance_watch(conn, GUILD, 3)  # never backwards
        (before,) = await guilds.watchers(conn)
        await guilds.advance_watch(conn, GUILD, before.after_history_id + 10)
    await guilds.set_watch(GUILD, 6, now=clock.now())
    async with seeded_store.db.transaction() as conn:
        (moved,) = await guilds.watchers(conn)
    assert moved.channel_id == 6 and moved.after_history_id == before.after_history_id + 10
    assert await guilds.clear_watch(GUILD, now=clock.now())
    assert not await guilds.clear_watch(GUILD, now=clock.now())
    async with seeded_store.db.transaction() as conn:
        assert await guilds.watchers(conn) == []


async def test_history_after_and_contracts_by_id(seeded_store: Store) -> None:
    async with seeded_store.db.transaction() as conn:
        rows = await seeded_store.ledger.history_after(conn, 0, limit=3)
        assert [row_id for row_id, _ in rows] == [1, 2, 3]
        assert all(entry.action == "create" for _, entry in rows)
        found = await seeded_store.ledger.contracts_by_id(conn, [e.contract_id for _, e in rows])
    assert sorted(found) == [e.contract_id for _, e in rows]
    assert all(contract.sources for contract in found.values())
