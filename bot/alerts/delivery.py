"""What an undeliverable alert message does: pause the alerts behind it and tell their owners."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Final

import aiosqlite

from bot.alerts.messages import LanguageOf, failure_notices, in_english
from bot.alerts.model import AlertState, PauseReason
from bot.outbox.model import OutboxKind, OutboxRow
from bot.outbox.sender import UndeliverableReason
from bot.store import Store

log = logging.getLogger(__name__)

# The destination's faults; a message Discord "rejected" says nothing about the destination.
_PAUSE_FOR: Final[dict[str, PauseReason]] = {
    "dm_closed": PauseReason.DM_CLOSED,
    "channel_gone": PauseReason.CHANNEL_GONE,
    "missing_permissions": PauseReason.MISSING_PERMISSIONS,
}
_GONE: Final = frozenset({AlertState.REMOVED, AlertState.EXPIRED})


class PauseUndeliverableAlerts:
    """An outbox hook: a destination refused alert messages, so stop sending it more."""

    def __init__(self, store: Store, *, language_of: LanguageOf = in_english) -> None:
        self._store = store
        self._language_of = language_of

    async def __call__(
        self,
        conn: aiosqlite.Connection,
        row: OutboxRow,
        reason: UndeliverableReason,
        now: datetime,
    ) -> None:
        """Pause the alerts ``row`` reported and queue a notice to each of their owners."""
        pause = _PAUSE_FOR.get(reason)
        if row.kind is not OutboxKind.ALERT or pause is None:
            return  # notices are not retried elsewhere: that would be a loop of notices
        alerts = [a for a in await self._store.alerts.linked(conn, row.id) if a.state not in _GONE]
        if not alerts:
            return
        await self._store.alerts.pause_many(conn, [a.id for a in alerts], pause)
        notices = failure_notices(row.id, alerts, reason, self._language_of)
        await self._store.outbox.enqueue(conn, notices, now=now)
        log.warning(
            "paused alert(s) %s: %s refused their message (%s)",
            ", ".join(str(a.id) for a in alerts),
            row.destination,
            reason,
        )
