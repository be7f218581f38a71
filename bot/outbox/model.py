"""What the bot owes a channel or a user: messages as plain JSON-able data, and their nonces."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, NotRequired, TypedDict

# Discord accepts a message nonce of at most 25 characters; 20 base-36 digits carry ~103 bits
# of the key's hash, so two different messages never share one.
NONCE_LENGTH: Final = 20
_BASE36: Final = "0123456789abcdefghijklmnopqrstuvwxyz"


class AllowedMentions(TypedDict):
    """Who a message may ping: only the listed users, never @everyone, @here or roles."""

    users: list[int]


class PayloadFile(TypedDict):
    """A file sent with a message: its name, and its bytes' SHA-256 in ``outbox_files``."""

    filename: str
    sha256: str


class Payload(TypedDict):
    """A message body as stored in the outbox (rendered to Discord objects only when sent)."""

    content: str
    embeds: list[dict[str, Any]]
    allowed_mentions: AllowedMentions
    # Attachments (an embed shows one with "attachment://<filename>"); the bytes are stored
    # once per content, however many messages carry them.
    files: NotRequired[list[PayloadFile]]


class OutboxKind(StrEnum):
    """What an outbox row is (the vocabulary of ``outbox.kind``)."""

    ALERT = "alert"
    SUMMARY = "summary"
    WATCH = "watch"
    NOTICE = "notice"


class OutboxState(StrEnum):
    """Where a row is in delivery."""

    PENDING = "pending"
    DELIVERED = "delivered"
    UNDELIVERABLE = "undeliverable"


class Settlement(StrEnum):
    """How a send whose answer never came was settled (the vocabulary of ``outbox.settled_by``)."""

    FOUND = "found"  # the message was in the channel: recorded, not sent again
    RESENT = "resent"  # the whole span since the attempt was read, without it: sent again
    GAVE_UP = "gave_up"  # the read reached its bound first: sent again, logged


@dataclass(frozen=True, slots=True)
class Destination:
    """A channel, or a user's DMs (exactly one of the two ids)."""

    channel_id: int | None = None
    user_id: int | None = None

    def __post_init__(self) -> None:
        if (self.channel_id is None) == (self.user_id is None):
            raise ValueError("a destination is a channel or a user, not both or neither")

    @classmethod
    def channel(cls, channel_id: int) -> Destination:
        """Return a channel destination."""
        return cls(channel_id=channel_id)

    @classmethod
    def dm(cls, user_id: int) -> Destination:
        """Return a user's direct messages as a destination."""
        return cls(user_id=user_id)

    @property
    def is_dm(self) -> bool:
        """Tell whether this is a user's direct messages."""
        return self.user_id is not None

    def __str__(self) -> str:
        return f"user:{self.user_id}" if self.is_dm else f"channel:{self.channel_id}"


@dataclass(frozen=True, slots=True)
class OutboxFile:
    """File bytes to send with a message; build one per content and share it between messages."""

    filename: str
    data: bytes
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        if not self.data:
            raise ValueError("an attachment needs at least one byte")
        # Hashed once here, not once per message that carries the file.
        object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())

    @property
    def ref(self) -> PayloadFile:
        """Return how a stored payload names this file."""
        return {"filename": self.filename, "sha256": self.sha256}


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A message to enqueue; ``dedupe_key`` names the decision that owes it, once."""

    dedupe_key: str
    kind: OutboxKind
    destination: Destination
    payload: Payload
    guild_id: int | None = None
    alert_ids: tuple[int, ...] = field(default=())  # the alerts this message reports
    files: tuple[OutboxFile, ...] = field(default=())  # stored with the row, sent attached

    @property
    def nonce(self) -> str:
        """Return the nonce this message is sent with, on every attempt."""
        return nonce_for(self.dedupe_key)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A stored outbox message with its delivery state."""

    id: int
    dedupe_key: str
    kind: OutboxKind
    guild_id: int | None
    destination: Destination
    payload: Payload
    nonce: str
    state: OutboxState
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    message_id: int | None
    last_error: str | None
    # When an attempt that got no answer began (None: every attempt was answered); a row
    # tried again with this set may already be in the channel.
    unanswered_since: datetime | None = None
    settled_by: Settlement | None = None
    search_pages: int = 0
    # The delivery worker holding the row, and until when (None: nobody).
    claimed_by: str | None = None
    claimed_until: datetime | None = None

    @property
    def uncertain(self) -> bool:
        """Tell whether an earlier attempt may have posted this row without the bot knowing."""
        return self.unanswered_since is not None


def nonce_for(dedupe_key: str) -> str:
    """Return the deterministic Discord nonce of ``dedupe_key`` (base-36, 20 characters)."""
    # A retried send carries the same nonce, so Discord (``enforce_nonce``) returns the
    # message it already created instead of posting a second one.
    number = int.from_bytes(hashlib.sha256(dedupe_key.encode("utf-8")).digest(), "big")
    digits = []
    for _ in range(NONCE_LENGTH):
        number, digit = divmod(number, 36)
        digits.append(_BASE36[digit])
    return "".join(digits)


def embed_text_length(embed: dict[str, Any]) -> int:
    """Return how many characters of ``embed`` count toward Discord's 6,000 per message."""
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += len(embed.get("footer", {}).get("text", ""))
    total += len(embed.get("author", {}).get("name", ""))
    for item in embed.get("fields", []):
        total += len(item.get("name", "")) + len(item.get("value", ""))
    return total
