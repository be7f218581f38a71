"""Where the bot posts by itself: the channels configured for summaries, alerts and the watch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.store.db import Database

PostingPurpose = Literal["alerts", "summary", "watch"]


@dataclass(frozen=True, slots=True)
class PostingChannel:
    """A channel the bot is configured to post in, and what for."""

    guild_id: int
    channel_id: int
    purpose: PostingPurpose


async def posting_channels(db: Database) -> list[PostingChannel]:
    """List every channel with an enabled summary, a contract watch or a live channel alert."""
    rows = await db.fetch_all(
        """
        SELECT guild_id, summary_channel_id AS channel_id, 'summary' AS purpose
          FROM guild_settings WHERE summary_enabled = 1
        UNION
        SELECT guild_id, watch_channel_id, 'watch'
          FROM guild_settings WHERE watch_channel_id IS NOT NULL
        UNION
        SELECT DISTINCT guild_id, channel_id, 'alerts'
          FROM alerts WHERE via_dm = 0 AND state IN ('armed', 'rearming')
        ORDER BY guild_id, channel_id, purpose
        """
    )
    return [PostingChannel(int(r[0]), int(r[1]), r[2]) for r in rows]
