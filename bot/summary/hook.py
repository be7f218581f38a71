"""The outbox hook that pauses a server's summary when its channel refuses the post."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Final

import aiosqlite

from bot.outbox.model import OutboxKind, OutboxRow
from bot.outbox.sender import UndeliverableReason
from bot.store import Store
from bot.summary.model import PAUSE_TEXT, PauseReason

log = logging.getLogger(__name__)

# The channel's fault; a message Discord "rejected" says nothing about the channel.
_PAUSE_FOR: Final[dict[str, PauseReason]] = {
    "channel_gone": PauseReason.CHANNEL_GONE,
    "missing_permissions": PauseReason.MISSING_PERMISSIONS,
}


class PauseSummaryOnRefusal:
    """A summary channel that is gone or closed to the bot pauses that server's summary.

    Without it the job would queue another undeliverable post every day. The pause holds
    until an admin runs /summary config again; /status says why.
    """

    def __init__(self, store: Store, *, on_paused: Callable[[int], None] | None = None) -> None:
        self._store = store
        self._on_paused = on_paused  # e.g. remove the server's job at once

    async def __call__(
        self, conn: aiosqlite.Connection, row: OutboxRow, reason: UndeliverableReason, now: datetime
    ) -> None:
        """Pause the summary and mark the day's run, in the transaction giving up on ``row``."""
        pause = _PAUSE_FOR.get(reason)
        channel_id = row.destination.channel_id
        if row.kind is not OutboxKind.SUMMARY or row.guild_id is None or channel_id is None:
            return
        if pause is None:
            return
        await self._store.summary.mark_paused(conn, row.id, PAUSE_TEXT[pause])
        if await self._store.summary.pause(conn, row.guild_id, channel_id, pause, now=now):
            log.warning(
                "daily summary of server %s paused: channel %s %s", row.guild_id, channel_id, reason
            )
            if self._on_paused is not None:
                self._on_paused(row.guild_id)
