"""Read a channel since an unanswered send, looking for the bot's message with a row's marker."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

import discord

from bot.outbox.marker import carries
from bot.outbox.retry import Pace
from bot.outbox.sender import SearchResult

log = logging.getLogger(__name__)

# Discord's largest page of GET /channels/{id}/messages.
PAGE_SIZE: Final = 100
# A channel with more new messages than this since the attempt is not read to its end: the
# row is sent again and the bound logged. Five reads cost about a second of one channel's
# rate limit, and a message created by the attempt sits near the start of what is read.
MAX_PAGES: Final = 5
# The bot's clock may run ahead of Discord's: read from a little before the attempt.
CLOCK_MARGIN: Final = timedelta(seconds=60)
DISCORD_EPOCH_MS: Final = 1_420_070_400_000


class MessageReader(Protocol):
    """The part of discord.py's HTTP client a search uses."""

    async def logs_from(
        self, channel_id: int, limit: int, before: Any = None, after: Any = None
    ) -> Any:
        """Return a page of a channel's messages (discord.py's ``HTTPClient.logs_from``)."""
        ...


def snowflake_at(moment: datetime) -> int:
    """Return the smallest snowflake Discord could give a message created at ``moment``."""
    milliseconds = int(moment.timestamp() * 1000) - DISCORD_EPOCH_MS
    return max(milliseconds, 0) << 22


class HistorySearch:
    """Pages forward through a channel from an attempt's time, within a bound."""

    def __init__(
        self,
        reader: MessageReader,
        pace: Pace,
        *,
        max_pages: int = MAX_PAGES,
        page_size: int = PAGE_SIZE,
    ) -> None:
        if max_pages < 1 or not 1 <= page_size <= PAGE_SIZE:
            raise ValueError("a search reads at least one page of 1 to 100 messages")
        self._reader = reader
        self._pace = pace  # shared with the sends: reads count toward the global limit too
        self._max_pages = max_pages
        self._page_size = page_size

    async def search(
        self, channel_id: int, marker: str, after: datetime, bot_user_id: int
    ) -> SearchResult:
        """Return the bot's message in ``channel_id`` carrying ``marker``, posted since ``after``.

        Each page holds the oldest messages after the cursor (Discord lists a page newest
        first), so the read moves forward in time from the attempt. discord.py's HTTP client
        waits out the channel's rate limit between pages.
        """
        cursor = snowflake_at(after - CLOCK_MARGIN)
        for page_number in range(1, self._max_pages + 1):
            await self._pace.wait()
            try:
                page: list[dict[str, Any]] = await self._reader.logs_from(
                    channel_id, self._page_size, after=cursor
                )
            except (discord.Forbidden, discord.NotFound) as exc:
                # Unreadable: the send that follows meets the same refusal and reports it.
                log.warning("cannot read channel %d to settle a send: %s", channel_id, exc)
                return SearchResult(None, page_number, gave_up=True)
            for message in page:
                if carries(message, marker, bot_user_id):
                    return SearchResult(int(message["id"]), page_number)
            if len(page) < self._page_size:
                return SearchResult(None, page_number)
            cursor = max(int(message["id"]) for message in page)
        return SearchResult(None, self._max_pages, gave_up=True)
