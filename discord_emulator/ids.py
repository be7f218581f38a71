"""Snowflake ids and Discord-style timestamps."""

from __future__ import annotations

import datetime
import secrets
import time

DISCORD_EPOCH_MS = 1420070400000


class SnowflakeFactory:
    """Hand out unique, increasing snowflakes that encode the current time."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        """Return a new snowflake, strictly greater than every earlier one."""
        stamp = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        # Strictly increasing even within one millisecond, as Discord's are per worker.
        self._last = max(stamp, self._last + 1)
        return self._last

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """Return a new snowflake that, as a guild id, puts the guild on that shard.

        The shard comes from the timestamp bits, so this moves up to ``shard_count - 1``
        milliseconds ahead; ids stay strictly increasing.
        """
        if not 0 <= shard_id < shard_count:
            raise ValueError(f"no shard {shard_id} among {shard_count}")
        candidate = self.next()
        ahead = (shard_id - (candidate >> 22)) % shard_count
        if ahead:
            self._last = ((candidate >> 22) + ahead) << 22
        return self._last


def iso_timestamp(epoch: float | None = None) -> str:
    """Format a time the way Discord does (ISO 8601 with microseconds and +00:00)."""
    moment = datetime.datetime.fromtimestamp(time.time() if epoch is None else epoch, datetime.UTC)
    return moment.isoformat(timespec="microseconds")


def new_token(prefix: str = "") -> str:
    """Return an opaque random token."""
    return prefix + secrets.token_urlsafe(48)
