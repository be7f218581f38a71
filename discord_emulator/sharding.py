"""Discord's sharding rules: which shard a guild is on, shard checks and session start limits."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Final

# Discord refuses a session that would hold more guilds than this (close code 4011).
MAX_GUILDS_PER_SHARD: Final = 2500
# GET /gateway/bot recommends one shard per this many guilds.
RECOMMENDED_GUILDS_PER_SHARD: Final = 1000
INVALID_SHARD: Final = 4010
SHARDING_REQUIRED: Final = 4011
SESSION_START_TOTAL: Final = 1000
SESSION_START_WINDOW: Final = 24 * 3600.0  # seconds


def shard_of(guild_id: int | None, shard_count: int) -> int:
    """Return the shard a guild's events go to; DMs (no guild) always go to shard 0."""
    if guild_id is None:
        return 0
    return (guild_id >> 22) % shard_count


def recommended_shards(guild_count: int) -> int:
    """Return the shard count GET /gateway/bot recommends for this many guilds."""
    return max(1, math.ceil(guild_count / RECOMMENDED_GUILDS_PER_SHARD))


def parse_shard(value: object) -> tuple[int, int] | None:
    """Return IDENTIFY's ``shard: [shard_id, shard_count]`` if it is valid, else None."""
    if not isinstance(value, list) or len(value) != 2:
        return None
    shard_id, count = value
    # bool is an int in Python, not in Discord's JSON.
    if any(isinstance(v, bool) or not isinstance(v, int) for v in (shard_id, count)):
        return None
    if count < 1 or not 0 <= shard_id < count:
        return None
    return shard_id, count


@dataclass
class SessionStartLimit:
    """Count IDENTIFYs in Discord's rolling 24-hour window, for GET /gateway/bot."""

    total: int = SESSION_START_TOTAL
    max_concurrency: int = 1
    _starts: list[float] = field(default_factory=list)

    def note(self) -> None:
        """Record one session start (an IDENTIFY that was accepted)."""
        self._starts.append(time.monotonic())

    def payload(self) -> dict[str, int]:
        """Return ``session_start_limit`` as Discord documents it (reset_after in ms)."""
        now = time.monotonic()
        self._starts = [t for t in self._starts if now - t < SESSION_START_WINDOW]
        reset_after = (
            math.ceil((self._starts[0] + SESSION_START_WINDOW - now) * 1000) if self._starts else 0
        )
        return {
            "total": self.total,
            "remaining": max(0, self.total - len(self._starts)),
            "reset_after": reset_after,
            "max_concurrency": self.max_concurrency,
        }
