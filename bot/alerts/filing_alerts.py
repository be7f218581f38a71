"""Filing alerts fired by the filings watcher, inside the transaction that stores the filings.

The watcher calls this hook with its open transaction: the alerts' new state, their posts in
the outbox and the filings commit together, so a crash before the commit leaves all of it to
the next poll and one after it leaves nothing to redo. Each post is keyed
``alert:{id}:{accession}``: even a replayed decision is never queued twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from bot.alerts.filing_rule import FilingFiring, step_filings
from bot.alerts.messages import LanguageOf, destination_of, in_english
from bot.filings.model import Filing
from bot.i18n import speaking
from bot.outbox.model import OutboxKind, OutboxMessage
from bot.render.alerts import fired_text
from bot.render.filing_alerts import filing_alert_embed
from bot.store import Store

log = logging.getLogger(__name__)


def dedupe_key(alert_id: int, accession: str) -> str:
    """Return the key of the post one alert owes for one filing."""
    return f"alert:{alert_id}:{accession}"


def filing_alert_messages(
    firings: Sequence[FilingFiring], language_of: LanguageOf = in_english
) -> list[OutboxMessage]:
    """Return one message per firing, to the alert's owner by DM or in its channel."""
    messages = []
    for firing in firings:
        alert = firing.alert
        destination = destination_of(alert)
        owners = [] if destination.is_dm else [alert.owner_id]
        with speaking(language_of(destination, alert.guild_id)):
            content = fired_text([alert.owner_id], 1, dm=destination.is_dm)
            embed = filing_alert_embed(firing)
        messages.append(
            OutboxMessage(
                dedupe_key=dedupe_key(alert.id, firing.filing.accession),
                kind=OutboxKind.ALERT,
                destination=destination,
                guild_id=None if destination.is_dm else alert.guild_id,
                payload={
                    "content": content,
                    "embeds": [embed],
                    "allowed_mentions": {"users": owners},
                },
                alert_ids=(alert.id,),
            )
        )
    return messages


class FilingAlertHook:
    """Fire the filing alerts of newly stored filings, in the watcher's transaction."""

    def __init__(self, store: Store, *, language_of: LanguageOf = in_english) -> None:
        self._store = store
        self._language_of = language_of

    async def __call__(
        self, conn: aiosqlite.Connection, filings: Sequence[Filing], now: datetime
    ) -> list[int]:
        """Apply ``filings`` (oldest first) to the alerts on them; return the queued rows."""
        fresh = [filing for filing in filings if not filing.baseline]
        if not fresh:
            return []
        alerts = await self._store.alerts.filing_alerts(conn, {f.symbol for f in fresh})
        pairs = {dedupe_key(a.id, f.accession): (a.id, f.accession) for a in alerts for f in fresh}
        owed = await self._store.outbox.known_keys(conn, list(pairs))
        already = {pairs[key] for key in owed}
        changed, firings = step_filings(alerts, fresh, now=now, already=already)
        if changed:
            await self._store.alerts.apply(conn, changed)
        if not firings:
            return []
        log.info("%d filing alert(s) fired", len(firings))
        messages = filing_alert_messages(firings, self._language_of)
        return await self._store.outbox.enqueue(conn, messages, now=now)
