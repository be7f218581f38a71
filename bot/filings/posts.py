"""The posts a new filing owes each watching server, and what a refusing channel means."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Final

import aiosqlite

from bot.filings.model import Filing
from bot.i18n import speaking
from bot.i18n.language import DEFAULT, Language
from bot.limits import EMBED_TOTAL, EMBEDS_PER_MESSAGE
from bot.outbox.model import (
    Destination,
    OutboxKind,
    OutboxMessage,
    OutboxRow,
    Payload,
    embed_text_length,
)
from bot.outbox.sender import ChannelRefusalHook, Refusal
from bot.render.filings import filing_embed
from bot.store import Store
from bot.store.filings import FilingWatch

log = logging.getLogger(__name__)

# Every filings post's dedupe key starts with this: the outbox hooks tell the posts apart by it.
KEY_PREFIX: Final = "filing:"
# Room left in a message's 6,000 characters for what Discord counts besides the embeds.
_MESSAGE_BUDGET: Final = EMBED_TOTAL - 200


def in_english(_guild_id: int) -> Language:
    """Write every server's posts in English (where no server language is known)."""
    return DEFAULT


def is_filing_post(row: OutboxRow) -> bool:
    """Tell whether an outbox row is a filings post."""
    return row.dedupe_key.startswith(KEY_PREFIX)


def groups(filings: Sequence[Filing]) -> list[list[Filing]]:
    """Split filings into messages: up to 10 embeds each, within the message's text budget."""
    batches: list[list[Filing]] = []
    used = 0
    for filing in filings:
        size = embed_text_length(filing_embed(filing))
        if batches and len(batches[-1]) < EMBEDS_PER_MESSAGE and used + size <= _MESSAGE_BUDGET:
            batches[-1].append(filing)
            used += size
        else:
            batches.append([filing])
            used = size
    return batches


def filing_messages(
    watches: Sequence[FilingWatch],
    filings: Sequence[Filing],
    language_of: Callable[[int], Language] = in_english,
) -> list[OutboxMessage]:
    """Return the posts owed: per server, its filings at or above its level, grouped.

    Each server's posts are written in its language.
    """
    messages = []
    for watch in watches:
        owed = [f for f in filings if f.level.rank >= watch.min_level.rank]
        with speaking(language_of(watch.guild_id)):
            batches = [(batch, [filing_embed(f) for f in batch]) for batch in groups(owed)]
        for batch, embeds in batches:
            payload: Payload = {
                "content": "",
                "embeds": embeds,
                "allowed_mentions": {"users": []},
            }
            # The same filings always make the same key, hence the same nonce on every attempt.
            accessions = "+".join(f.accession for f in batch)
            messages.append(
                OutboxMessage(
                    dedupe_key=f"{KEY_PREFIX}{watch.guild_id}:{accessions}",
                    kind=OutboxKind.WATCH,
                    destination=Destination.channel(watch.channel_id),
                    payload=payload,
                    guild_id=watch.guild_id,
                )
            )
    return messages


class StopFilingWatchOnRefusal(ChannelRefusalHook):
    """An outbox hook: a channel that is gone or closed to the bot stops the filings watch."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def concerns(self, row: OutboxRow) -> bool:
        """A filings post."""
        return is_filing_post(row)

    async def stop(self, conn: aiosqlite.Connection, refusal: Refusal, now: datetime) -> None:
        """Drop the server's filings watch."""
        where = (refusal.guild_id, refusal.channel_id)
        if await self._store.filings.drop_watch_channel(conn, *where):
            log.warning("filings watch of server %s stopped: channel %s %s", *where, refusal.reason)
