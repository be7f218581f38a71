"""The boundary the delivery worker sends through, and the two ways a send can fail."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal, Protocol, get_args

import aiosqlite

from bot.outbox.model import Destination, OutboxRow, Payload

# Why a destination cannot take a message. The first three are the destination's fault and
# pause the alerts behind the message; "rejected" means Discord refused the message itself.
UndeliverableReason = Literal["channel_gone", "missing_permissions", "dm_closed", "rejected"]
UNDELIVERABLE_REASONS: tuple[UndeliverableReason, ...] = get_args(UndeliverableReason)
# The reasons that say a server channel itself is unusable (deleted, or closed to the bot).
CHANNEL_REFUSALS: Final[tuple[UndeliverableReason, ...]] = ("channel_gone", "missing_permissions")


@dataclass(frozen=True, slots=True)
class Refusal:
    """A server channel that refused a post (outbox row ``row_id``) for good, and why."""

    row_id: int
    guild_id: int
    channel_id: int
    reason: UndeliverableReason


def refused_channel(row: OutboxRow, reason: UndeliverableReason) -> Refusal | None:
    """Return the server channel of ``row`` when that channel refused it for good (gone or
    closed to the bot); None for a DM or a message Discord refused for its body."""
    channel_id = row.destination.channel_id
    if row.guild_id is None or channel_id is None or reason not in CHANNEL_REFUSALS:
        return None
    return Refusal(row.id, row.guild_id, channel_id, reason)


class ChannelRefusalHook(abc.ABC):
    """An outbox hook for one kind of server post: when such a post's channel is gone or
    closed to the bot, stop what would keep queueing posts there (a watch, a schedule).

    Without it every later post would go to a channel that cannot take it.
    """

    async def __call__(
        self, conn: aiosqlite.Connection, row: OutboxRow, reason: UndeliverableReason, now: datetime
    ) -> None:
        """Stop the server's feature when ``row`` is one of its posts and its channel refused
        it for good, in the transaction that gives up on ``row``."""
        refusal = refused_channel(row, reason)
        if refusal is not None and self.concerns(row):
            await self.stop(conn, refusal, now)

    @abc.abstractmethod
    def concerns(self, row: OutboxRow) -> bool:
        """Tell whether ``row`` is one of this feature's posts."""

    @abc.abstractmethod
    async def stop(self, conn: aiosqlite.Connection, refusal: Refusal, now: datetime) -> None:
        """Stop the feature for the server's refusing channel."""


class RetryableSendError(Exception):
    """The send may succeed later (429, 5xx, network); ``retry_after`` is a hint in seconds.

    ``answered`` is True only when Discord surely did not create the message (a 429 refuses
    the request before any work); after a 5xx, a timeout or a lost connection the message
    may exist, and the next attempt first looks for it.
    """

    def __init__(
        self, detail: str, *, retry_after: float | None = None, answered: bool = False
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after
        self.answered = answered


class UndeliverableError(Exception):
    """The destination will not take this message; retrying would not help."""

    def __init__(self, reason: UndeliverableReason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: UndeliverableReason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What reading a destination for a row's marker found, and what it cost."""

    message_id: int | None  # the bot's message carrying the marker, when found
    pages: int  # history pages read
    gave_up: bool = False  # the bound was reached before the newest message


class Sender(Protocol):
    """Posts a stored message; returns the id of the message Discord created (or already had)."""

    async def send_channel(self, channel_id: int, payload: Payload, nonce: str) -> int:
        """Post ``payload`` in a channel."""
        ...

    async def send_dm(self, user_id: int, payload: Payload, nonce: str) -> int:
        """Post ``payload`` in a user's direct messages."""
        ...

    async def find(self, destination: Destination, marker: str, after: datetime) -> SearchResult:
        """Look for the bot's message carrying ``marker`` posted since ``after``."""
        ...
