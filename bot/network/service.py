"""The network-data poll (at most every 10 minutes, backing off on failures) and the hashprice
commands, the summary and alerts read from memory."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final, Protocol

from bot.clock import Clock
from bot.market.models import MarketState, Quote
from bot.network.client import NetworkDataError
from bot.network.hashprice import HASHPRICE_SYMBOL, Hashprice, NetworkStats, hashprice_usd

log = logging.getLogger(__name__)

# Difficulty moves every two weeks and rewards block by block: ten minutes (one block) is
# as often as the figures can change.
POLL_EVERY: Final = timedelta(minutes=10)
# After failures the wait doubles up to this.
MAX_BACKOFF: Final = timedelta(hours=1)
# Figures older than three polls are shown marked stale; older than this, not at all.
STALE_AFTER: Final = timedelta(minutes=30)
UNKNOWN_AFTER: Final = timedelta(hours=6)


class NetworkSource(Protocol):
    """Where network figures come from (the REST client, or the demo)."""

    async def fetch(self, now: datetime) -> NetworkStats: ...

    async def aclose(self) -> None: ...


class BitcoinNetwork:
    """Hold the latest network figures and combine them with our BTC quote into a hashprice."""

    def __init__(
        self,
        source: NetworkSource | None,
        btc_quote: Callable[[], Quote | None],
        clock: Clock,
    ) -> None:
        self._source = source
        self._btc_quote = btc_quote  # our own BTC-USD quote, from memory
        self._clock = clock
        self._stats: NetworkStats | None = None
        self._failures = 0
        self._next_attempt: datetime | None = None
        self.last_error: str | None = None

    @property
    def enabled(self) -> bool:
        """Tell whether a network-data source is configured."""
        return self._source is not None

    @property
    def stats(self) -> NetworkStats | None:
        """Return the latest figures held (whatever their age)."""
        return self._stats

    async def poll(self) -> bool:
        """Fetch the figures unless polled recently or backing off; return whether they came."""
        if self._source is None:
            return False
        now = self._clock.now()
        if self._next_attempt is not None and now < self._next_attempt:
            return False
        try:
            stats = await self._source.fetch(now)
        except NetworkDataError as exc:
            self._failures += 1
            wait = min(POLL_EVERY * 2**self._failures, MAX_BACKOFF)
            self._next_attempt = now + wait
            self.last_error = exc.reason
            log.warning("bitcoin network data unavailable (%s); next try in %s", exc.reason, wait)
            return False
        self._stats = stats
        self._failures = 0
        self.last_error = None
        # The job runs every POLL_EVERY; this guards against a manual tick in between.
        self._next_attempt = now + POLL_EVERY - timedelta(seconds=1)
        return True

    def hashprice(self) -> Hashprice | None:
        """Return the hashprice now (None: no figures, figures too old, or no BTC price)."""
        stats, quote = self._stats, self._btc_quote()
        now = self._clock.now()
        if stats is None or quote is None or now - stats.fetched_at > UNKNOWN_AFTER:
            return None
        try:
            value = hashprice_usd(stats.difficulty, stats.reward_btc, quote.price)
        except ValueError:
            return None
        return Hashprice(
            usd_per_ph_day=value,
            stats=stats,
            btc_usd=quote.price,
            btc_as_of=quote.as_of,
            demo=quote.is_demo,
            stale=now - stats.fetched_at > STALE_AFTER or quote.stale,
        )

    def hashprice_quote(self) -> Quote | None:
        """Return the hashprice as a quote of HASHPRICE, for the alert engine (None: unknown).

        It is dated by the newer of its inputs (the moment the figure last changed), so
        evaluations see it move forward in time; a stale figure is marked and fires nothing.
        """
        hp, btc = self.hashprice(), self._btc_quote()
        if hp is None or btc is None:
            return None
        return Quote.priced(
            HASHPRICE_SYMBOL,
            hp.usd_per_ph_day,
            previous_close=None,
            market_state=MarketState.ALWAYS_OPEN,
            as_of=max(hp.stats.fetched_at, hp.btc_as_of),
            source=btc.source,
            stale=hp.stale,
        )

    async def aclose(self) -> None:
        """Close the source's HTTP session."""
        if self._source is not None:
            await self._source.aclose()
