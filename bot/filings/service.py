"""What /filings asks of the core: a server's watch, and the latest filings found."""

from __future__ import annotations

from bot.clock import Clock
from bot.filings.model import Filing, Level
from bot.filings.watcher import FilingsWatcher
from bot.store import Store
from bot.store.filings import FilingWatch


class FilingsService:
    """The filings watch of each server and the filings found so far; ``watcher`` polls."""

    def __init__(self, store: Store, clock: Clock, watcher: FilingsWatcher) -> None:
        self._store = store
        self._clock = clock
        self.watcher = watcher

    async def watch(self, guild_id: int, channel_id: int, min_level: Level) -> None:
        """Post this server's new filings (from ``min_level`` up) to ``channel_id``.

        Only filings found from now on are posted: the watch starts empty, never with history.
        """
        await self._store.filings.set_watch(guild_id, channel_id, min_level, now=self._clock.now())

    async def unwatch(self, guild_id: int) -> bool:
        """Stop this server's filings watch; False when it had none."""
        return await self._store.filings.clear_watch(guild_id)

    async def watch_of(self, guild_id: int) -> FilingWatch | None:
        """Return this server's filings watch, if any."""
        return await self._store.filings.watch_of(guild_id)

    async def recent(self, symbol: str | None = None, *, limit: int = 15) -> list[Filing]:
        """Return the latest filings found, newest first."""
        return await self._store.filings.recent(symbol, limit=limit)
