"""The deal watch: queue one post per ledger change for every server that watches it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Final

import aiosqlite

from bot.clock import Clock
from bot.filings.posts import is_filing_post
from bot.i18n import speaking
from bot.i18n.language import DEFAULT, Language
from bot.ledger.changes import Change, group_changes
from bot.ledger.model import Contract
from bot.ledger.seed import SEED_ACTOR
from bot.outbox.model import Destination, OutboxKind, OutboxMessage, OutboxRow, Payload
from bot.outbox.sender import ChannelRefusalHook, Refusal
from bot.render.contracts import seed_update_embed, watch_embed
from bot.store import Store
from bot.store.guilds import Watcher

log = logging.getLogger(__name__)

# History entries read per transaction: a new shipped ledger can change a few hundred at once.
BATCH: Final = 500


def dedupe_key(guild_id: int, change: Change) -> str:
    """Name the post one server is owed for one change (its first history entry)."""
    return f"watch:{guild_id}:{change.contract_id}:{change.first_id}"


def sees(watcher: Watcher, contract: Contract) -> bool:
    """Tell whether a change to ``contract`` is in the watcher's view of the ledger."""
    return contract.guild_id is None or contract.guild_id == watcher.guild_id


def in_english(_guild_id: int) -> Language:
    """Write every server's posts in English (where no server language is known)."""
    return DEFAULT


def watch_message(
    watcher: Watcher, contract: Contract, change: Change, language: Language = DEFAULT
) -> OutboxMessage:
    """Return the outbox message that tells ``watcher``'s channel about ``change``."""
    with speaking(language):
        embed = watch_embed(contract, change)
    payload: Payload = {
        "content": "",
        "embeds": [embed],
        "allowed_mentions": {"users": []},  # the post names members; it never pings them
    }
    return OutboxMessage(
        dedupe_key=dedupe_key(watcher.guild_id, change),
        kind=OutboxKind.WATCH,
        destination=Destination.channel(watcher.channel_id),
        payload=payload,
        guild_id=watcher.guild_id,
    )


def seed_message(
    watcher: Watcher, items: list[tuple[Contract, Change]], language: Language = DEFAULT
) -> OutboxMessage:
    """Return the one post that tells ``watcher``'s channel about a shipped-ledger update."""
    with speaking(language):
        embed = seed_update_embed(items)
    payload: Payload = {
        "content": "",
        "embeds": [embed],
        "allowed_mentions": {"users": []},
    }
    return OutboxMessage(
        dedupe_key=f"watch:{watcher.guild_id}:ledger:{items[0][1].first_id}",
        kind=OutboxKind.WATCH,
        destination=Destination.channel(watcher.channel_id),
        payload=payload,
        guild_id=watcher.guild_id,
    )


def seed_runs(changes: list[Change]) -> tuple[list[list[Change]], list[Change]]:
    """Split changes into shipped-ledger runs (one per seeding) and the members' changes."""
    runs: dict[str, list[Change]] = {}
    others: list[Change] = []
    for change in changes:
        if change.entries[0].actor_label == SEED_ACTOR:
            runs.setdefault(change.at, []).append(change)
        else:
            others.append(change)
    return list(runs.values()), others


class DealWatch:
    """Turns new contract history into outbox posts, exactly once per server and change.

    Each run reads the history after the oldest watcher's position, queues the posts and moves
    every position forward in one transaction. A change is therefore queued once even if the
    bot stops between the change and the run: the next run (after the next change, or at
    start) picks it up; the dedupe key guards against anything queued twice.
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        on_queued: Callable[[], None] | None = None,
        language_of: Callable[[int], Language] = in_english,
    ) -> None:
        self._store = store
        self._clock = clock
        self._on_queued = on_queued
        self._language_of = language_of  # each server's posts in its language

    async def run(self) -> int:
        """Queue the posts owed for every change not yet handled; return how many."""
        queued = 0
        while True:
            count, more = await self._run_batch()
            queued += count
            if not more:
                break
        if queued and self._on_queued is not None:
            self._on_queued()
        return queued

    async def _run_batch(self) -> tuple[int, bool]:
        store = self._store
        async with store.db.transaction() as conn:
            watchers = await store.guilds.watchers(conn)
            if not watchers:
                return 0, False
            start = min(w.after_history_id for w in watchers)
            rows = await store.ledger.history_after(conn, start, limit=BATCH)
            if not rows:
                return 0, False
            changes = group_changes(rows)
            more = len(rows) == BATCH
            if more and len(changes) > 1:
                # The last change may continue past this batch: leave it whole for the next.
                changes = changes[:-1]
            contracts = await store.ledger.contracts_by_id(
                conn, sorted({c.contract_id for c in changes})
            )
            runs, singles = seed_runs(changes)

            def owed(watcher: Watcher, change: Change) -> bool:
                return (
                    change.first_id > watcher.after_history_id
                    and change.contract_id in contracts
                    and sees(watcher, contracts[change.contract_id])
                )

            language = self._language_of
            messages = [
                watch_message(
                    watcher, contracts[change.contract_id], change, language(watcher.guild_id)
                )
                for watcher in watchers
                for change in singles
                if owed(watcher, change)
            ]
            # A newer shipped ledger changes many contracts at once: one post lists them all.
            for run in runs:
                for watcher in watchers:
                    items = [(contracts[c.contract_id], c) for c in run if owed(watcher, c)]
                    if items:
                        messages.append(seed_message(watcher, items, language(watcher.guild_id)))
            created = await store.outbox.enqueue(conn, messages, now=self._clock.now())
            for watcher in watchers:
                await store.guilds.advance_watch(conn, watcher.guild_id, changes[-1].last_id)
        if created:
            log.info("queued %d deal-watch post(s)", len(created))
        return len(created), more


class StopWatchOnRefusal(ChannelRefusalHook):
    """An outbox hook: a watch channel that is gone or closed to the bot stops the watch.

    Without it every later ledger change would queue another post that cannot be delivered.
    """

    def __init__(self, store: Store) -> None:
        self._store = store

    def concerns(self, row: OutboxRow) -> bool:
        """A watch post; a filings post (also a watch post) has its own hook."""
        return row.kind is OutboxKind.WATCH and not is_filing_post(row)

    async def stop(self, conn: aiosqlite.Connection, refusal: Refusal, now: datetime) -> None:
        """Clear the server's watch."""
        where = (refusal.guild_id, refusal.channel_id)
        if await self._store.guilds.drop_watch_channel(conn, *where, now=now):
            log.warning("deal watch of server %s stopped: channel %s %s", *where, refusal.reason)
