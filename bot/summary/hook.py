"""The outbox hook that pauses a server's summary when its channel refuses the post."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Final

import aiosqlite

from bot.outbox.model import OutboxKind, OutboxRow
from bot.outbox.sender import ChannelRefusalHook, Refusal
from bot.store import Store
from bot.summary.model import PAUSE_TEXT, PauseReason

log = logging.getLogger(__name__)

# The channel's fault; a message Discord "rejected" says nothing about the channel.
_PAUSE_FOR: Final[dict[str, PauseReason]] = {
    "channel_gone": PauseReason.CHANNEL_GONE,
    "missing_permissions": PauseReason.MISSING_PERMISSIONS,
}


class PauseSummaryOnRefusal(ChannelRefusalHook):
    """A summary channel that is gone or closed to the bot pauses that server's summary.

    Without it the job would queue another undeliverable post every day. The pause holds
    until an admin runs /summary config again; /status says why.
    """

    def __init__(self, store: Store, *, on_paused: Callable[[int], None] | None = None) -> None:
        self._store = store
        self._on_paused = on_paused  # e.g. remove the server's job at once

    def concerns(self, row: OutboxRow) -> bool:
        """A daily summary post."""
        return row.kind is OutboxKind.SUMMARY

    async def stop(self, conn: aiosqlite.Connection, refusal: Refusal, now: datetime) -> None:
        """Pause the summary and mark the day's run, in the transaction giving up on the row."""
        pause = _PAUSE_FOR[refusal.reason]
        guild_id, channel_id = refusal.guild_id, refusal.channel_id
        await self._store.summary.mark_paused(conn, refusal.row_id, PAUSE_TEXT[pause])
        if await self._store.summary.pause(conn, guild_id, channel_id, pause, now=now):
            log.warning(
                "daily summary of server %s paused: channel %s %s",
                guild_id,
                channel_id,
                refusal.reason,
            )
            if self._on_paused is not None:
                self._on_paused(guild_id)
