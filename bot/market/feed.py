"""The provider every source is wrapped in: one poll at a time, guards, backoff, stats."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.market.backoff import Backoff
from bot.market.book import QuoteBook
from bot.market.calendar import TradingCalendar, is_crypto
from bot.market.guards import Rejection
from bot.market.intraday import IntradaySpan
from bot.market.models import Bar, DailyBar, DataSource, MarketState, Quote
from bot.market.negative_cache import NegativeCache
from bot.market.provider import PollResult, ProviderStats, SymbolUpdate
from bot.market.shared_call import settle_with
from bot.market.source import Fetched, Source, SourceThrottled
from bot.market.symbols import InvalidSymbol, normalize_symbol, normalize_symbols

log = logging.getLogger(__name__)

# A quote not renewed for this many poll intervals during a session is shown as stale.
STALE_AFTER_POLLS = 3
POLL_FETCH_TIMEOUT = 10.0  # seconds per symbol inside a poll
HISTORY_TIMEOUT = 20.0
# An intraday chart is fetched after the command deferred; a member should hear back (bars
# or why not) within about three seconds even when the source hangs.
INTRADAY_TIMEOUT = 1.5
# Extra time for a worker thread to notice its own HTTP timeout before we give up on it.
TIMEOUT_GRACE = 2.0


class FeedProvider:
    """A PriceProvider built around one Source."""

    def __init__(
        self,
        source: Source,
        *,
        clock: Clock,
        calendar: TradingCalendar,
        poll_seconds: float,
        backoff: Backoff | None = None,
        negative_cache: NegativeCache | None = None,
        poll_fetch_timeout: float = POLL_FETCH_TIMEOUT,
    ) -> None:
        self._source = source
        self._clock = clock
        self.calendar = calendar
        self.poll_seconds = poll_seconds
        self._book = QuoteBook(
            calendar, stale_after=timedelta(seconds=STALE_AFTER_POLLS * poll_seconds)
        )
        self._backoff = backoff or Backoff(clock)
        self._negative = negative_cache or NegativeCache(clock)
        self._poll_fetch_timeout = poll_fetch_timeout
        self._semaphore = asyncio.Semaphore(max(1, source.concurrency))
        self._poll_lock = asyncio.Lock()
        self._inflight: asyncio.Future[PollResult] | None = None
        self._inflight_symbols: frozenset[str] = frozenset()
        self._fetch_locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self._polls = 0
        self._last_poll_at: datetime | None = None
        self._last_poll_seconds: float | None = None
        self._last_poll_requests: int | None = None
        # Streamed symbols, and the time of each symbol's last quote taken from a poll: the
        # poll then reconciles the stream from there (a crossing the stream missed).
        self._streamed: set[str] = set()
        self._polled_as_of: dict[str, datetime] = {}

    @property
    def source(self) -> DataSource:
        """Return which source the quotes come from."""
        return self._source.name

    @property
    def backend(self) -> Source:
        """Return the source itself (for what only some sources offer, like earnings)."""
        return self._source

    @property
    def book(self) -> QuoteBook:
        """Return the quote cache (tests and the facade read it)."""
        return self._book

    def cached(self, symbol: str) -> Quote | None:
        """Return the last good quote from memory (never does I/O)."""
        try:
            symbol = normalize_symbol(symbol)
        except InvalidSymbol:
            return None
        return self._book.get(symbol, self._clock.now(), backing_off=self._backoff.active())

    async def poll(self, symbols: Iterable[str]) -> PollResult:
        """Refresh ``symbols``; a concurrent call for a subset shares the poll in flight."""
        wanted = normalize_symbols(symbols)
        inflight = self._inflight
        if (
            inflight is not None
            and not inflight.done()
            and self._inflight_symbols.issuperset(wanted)
        ):
            return await asyncio.shield(inflight)
        async with self._poll_lock:
            future: asyncio.Future[PollResult] = asyncio.get_running_loop().create_future()
            self._inflight, self._inflight_symbols = future, frozenset(wanted)
            try:
                return await settle_with(future, self._poll_locked(wanted))
            finally:
                self._inflight = None

    # The timeout is handed to the HTTP layer in the worker thread, which asyncio.timeout
    # around the call could not stop; hence a parameter.
    async def fetch(self, symbol: str, timeout: float = 5.0) -> Quote | None:  # noqa: ASYNC109
        """Fetch one symbol not yet cached, bounded by ``timeout`` seconds."""
        try:
            symbol = normalize_symbol(symbol)
        except InvalidSymbol:
            return None
        quote = self.cached(symbol)
        if quote is not None or self._negative.lookup(symbol) is not None:
            return quote
        # Two commands asking for the same new symbol share one request.
        lock, users = self._fetch_locks.get(symbol, (asyncio.Lock(), 0))
        self._fetch_locks[symbol] = (lock, users + 1)
        try:
            async with lock:
                quote = self.cached(symbol)
                if quote is not None or self._backoff.active():
                    return quote
                now = self._clock.now()
                held = self._book.held(symbol)
                fetched = await self._fetch_one(symbol, timeout, now, limit=timeout)
                self._apply(fetched, held, now)
                return self.cached(symbol)
        finally:
            lock, users = self._fetch_locks[symbol]
            if users <= 1:
                del self._fetch_locks[symbol]
            else:
                self._fetch_locks[symbol] = (lock, users - 1)

    def offer_streamed(self, quote: Quote) -> SymbolUpdate:
        """Take one streamed trade through the same guards and cache as a polled quote."""
        now = self._clock.now()
        symbol = quote.symbol
        self._streamed.add(symbol)
        held = self._book.held(symbol)
        rejection = self._book.offer(quote, now)
        accepted = self._book.get(symbol, now) if rejection is None else None
        detail = "" if rejection is None else f"streamed trade at {quote.as_of} refused"
        return self._outcome(symbol, now, accepted, held, rejection=rejection, detail=detail)

    async def daily_history(self, symbol: str, days: int = 365) -> list[DailyBar]:
        """Return up to ``days`` calendar days of daily bars, oldest first ([] when unavailable)."""
        try:
            symbol = normalize_symbol(symbol)
        except InvalidSymbol:
            return []
        if days <= 0 or self._negative.lookup(symbol) is not None:
            return []
        now = self._clock.now()
        async with self._semaphore:
            if self._backoff.active():
                return []
            try:
                bars = await asyncio.wait_for(
                    self._source.fetch_daily(symbol, days, http_timeout=HISTORY_TIMEOUT, now=now),
                    HISTORY_TIMEOUT + TIMEOUT_GRACE,
                )
            except SourceThrottled as exc:
                self._throttled(symbol, exc.reason, now)
                return []
            except Exception as exc:
                log.warning("daily history for %s failed: %s", symbol, exc, exc_info=True)
                self._book.note_error(symbol, Rejection.ERROR, _describe(exc), now)
                return []
        return clean_daily(bars, since=now - timedelta(days=days))

    async def intraday_history(self, symbol: str, span: IntradaySpan) -> list[Bar]:
        """Return ``span``'s intraday bars, oldest first ([] when unavailable)."""
        try:
            symbol = normalize_symbol(symbol)
        except InvalidSymbol:
            return []
        if self._negative.lookup(symbol) is not None or self._backoff.active():
            return []
        now = self._clock.now()
        try:
            async with asyncio.timeout(INTRADAY_TIMEOUT + TIMEOUT_GRACE / 4), self._semaphore:
                bars = await self._source.fetch_intraday(
                    symbol, span, http_timeout=INTRADAY_TIMEOUT, now=now
                )
        except SourceThrottled as exc:
            self._throttled(symbol, exc.reason, now)
            return []
        except Exception as exc:
            log.warning("intraday bars for %s failed: %s", symbol, _describe(exc))
            return []
        return [b for b in bars if _usable(b)]

    def stats(self) -> ProviderStats:
        """Return the feed's health counters."""
        return ProviderStats(
            source=self._source.name,
            requests=self._source.requests_made(),
            polls=self._polls,
            last_poll_at=self._last_poll_at,
            last_poll_seconds=self._last_poll_seconds,
            last_poll_requests=self._last_poll_requests,
            rejected=self._book.rejected(),
            symbols=self._book.symbol_stats(),
            backoff=self._backoff.state,
            backing_off=self._backoff.active(),
            remembered=self._negative.snapshot(),
        )

    async def aclose(self) -> None:
        """Release the source."""
        await self._source.aclose()

    async def _poll_locked(self, wanted: Sequence[str]) -> PollResult:
        started = time.perf_counter()
        requests_before = self._source.requests_made()
        now = self._clock.now()
        held = {s: self._book.held(s) for s in wanted}
        results: dict[str, Fetched] = {}
        todo: list[str] = []
        for symbol in wanted:
            verdict = self._negative.lookup(symbol)
            if verdict is not None:
                # Remembered as having no data: no request, and not counted again.
                results[symbol] = Fetched.failed(symbol, verdict.reason, verdict.detail)
            else:
                todo.append(symbol)
        if todo and not self._backoff.active():
            try:
                await self._source.prepare_poll(todo, now)
            except SourceThrottled as exc:
                self._trip(exc.reason)
            except Exception as exc:
                log.warning("poll preparation failed: %s", exc, exc_info=True)
        if todo and self._backoff.recovering():
            # Coming out of a backoff: one request probes before the whole set is sent.
            probe = todo.pop(0)
            results[probe] = await self._fetch_one(probe, self._poll_fetch_timeout, now)
        fetched = await asyncio.gather(
            *(self._fetch_one(s, self._poll_fetch_timeout, now) for s in todo)
        )
        results.update((f.symbol, f) for f in fetched)
        updates = {s: self._apply(results[s], held[s], now) for s in wanted}
        self._polls += 1
        self._last_poll_at = now
        self._last_poll_seconds = time.perf_counter() - started
        self._last_poll_requests = self._source.requests_made() - requests_before
        return PollResult(
            started_at=now,
            updates=updates,
            requests=self._last_poll_requests,
            elapsed_seconds=self._last_poll_seconds,
            backoff=self._backoff.state,
        )

    async def _fetch_one(
        self, symbol: str, http_timeout: float, now: datetime, *, limit: float | None = None
    ) -> Fetched:
        """Fetch one symbol; give up after ``limit`` s (default: the HTTP timeout plus grace)."""
        limit = http_timeout + TIMEOUT_GRACE if limit is None else limit
        async with self._semaphore:
            # Checked under the semaphore: a throttle seen by another fetch stops this one.
            state = self._backoff.state
            if state is not None and self._backoff.active():
                return Fetched.failed(symbol, Rejection.BACKING_OFF, state.reason)
            try:
                return await asyncio.wait_for(
                    self._source.fetch_quote(symbol, http_timeout=http_timeout, now=now),
                    limit,
                )
            except SourceThrottled as exc:
                self._throttled(symbol, exc.reason, now)
                return Fetched.failed(symbol, Rejection.BACKING_OFF, exc.reason)
            except TimeoutError:
                return Fetched.failed(symbol, Rejection.ERROR, f"no answer within {limit:g} s")
            except Exception as exc:
                log.warning("fetching %s failed: %s", symbol, exc, exc_info=True)
                return Fetched.failed(symbol, Rejection.ERROR, _describe(exc))

    def _stream_ahead(self, quote: Quote, held: Quote | None) -> bool:
        return quote.symbol in self._streamed and held is not None and quote.as_of < held.as_of

    def _range_start(self, symbol: str, held: Quote | None) -> datetime | None:
        """Return where a poll's bars start to count: the held quote, or for a streamed
        symbol the last polled quote when that is earlier (the stream may have missed a
        spike since)."""
        if held is None:
            return None
        polled = self._polled_as_of.get(symbol)
        if symbol in self._streamed and polled is not None:
            return min(polled, held.as_of)
        return held.as_of

    def _reconcile(self, fetched: Fetched, held: Quote, now: datetime) -> SymbolUpdate:
        symbol = fetched.symbol
        since = self._range_start(symbol, held)
        assert fetched.quote is not None
        self._polled_as_of[symbol] = fetched.quote.as_of
        bars = _bars_since(fetched.bars, since, fetched.bar_length)
        current = self._book.get(symbol, now)
        # With bars, the streamed price is evaluated again with the range the poll saw; the
        # alerts' stored state keeps a crossing the stream already fired from firing twice.
        return self._outcome(symbol, now, current if bars else None, held, bars=bars)

    def _throttled(self, symbol: str, reason: str, now: datetime) -> None:
        self._book.note_error(symbol, Rejection.BACKING_OFF, reason, now)
        self._trip(reason)

    def _trip(self, reason: str) -> None:
        if not self._backoff.active():  # the first throttle of a burst sets the pause
            self._backoff.trip(reason)

    def _apply(self, fetched: Fetched, held: Quote | None, now: datetime) -> SymbolUpdate:
        symbol = fetched.symbol
        rejection: Rejection | None = fetched.failure
        detail = fetched.detail
        accepted: Quote | None = None
        if fetched.failure is not None:
            skipped = fetched.failure is Rejection.BACKING_OFF or (
                self._negative.lookup(symbol) is not None
            )
            if not skipped:
                self._book.note_error(symbol, fetched.failure, fetched.detail, now)
                self._negative.remember(symbol, fetched.failure, fetched.detail)
        elif fetched.quote is not None:
            if self._backoff.recovering():
                # Only an elapsed pause ends here: a throttle seen earlier in this very poll
                # must survive the quotes that arrived before it.
                self._backoff.reset()
            self._negative.forget(symbol)
            if self._stream_ahead(fetched.quote, held) and held is not None:
                # The stream already holds a later trade: the poll only reconciles the range
                # traded since its own last quote, against the streamed price.
                return self._reconcile(fetched, held, now)
            polled = fetched.quote
            if polled.session is None:
                # A polled price is the regular session's (Yahoo's regularMarketPrice), or a
                # crypto pair's, which has no session.
                session = MarketState.ALWAYS_OPEN if is_crypto(symbol) else MarketState.REGULAR
                polled = dataclasses.replace(polled, session=session)
            rejection = self._book.offer(polled, now, last_close_missing=fetched.last_close_missing)
            if rejection is None:
                accepted = self._book.get(symbol, now)
                self._polled_as_of[symbol] = fetched.quote.as_of
            else:
                detail = f"tick at {fetched.quote.as_of.isoformat()} refused"
        bars: tuple[Bar, ...] = ()
        if accepted is not None:
            bars = _bars_since(fetched.bars, self._range_start(symbol, held), fetched.bar_length)
        return self._outcome(
            symbol, now, accepted, held, rejection=rejection, detail=detail, bars=bars
        )

    def _outcome(
        self,
        symbol: str,
        now: datetime,
        accepted: Quote | None,
        held: Quote | None,
        *,
        rejection: Rejection | None = None,
        detail: str = "",
        bars: tuple[Bar, ...] = (),
    ) -> SymbolUpdate:
        """Say what one offer did, beside what the cache serves for the symbol now."""
        served = self._book.get(symbol, now, backing_off=self._backoff.active())
        return SymbolUpdate(
            symbol,
            quote=accepted,
            previous=held,
            served=served,
            rejection=rejection,
            detail=detail,
            bars=bars,
        )


def _bars_since(
    bars: tuple[Bar, ...], since: datetime | None, length: timedelta | None
) -> tuple[Bar, ...]:
    """Return the bars overlapping (since, now]; all bars when there is no ``since``."""
    if since is None:
        return bars
    span = length or timedelta(0)
    return tuple(b for b in bars if b.start + span > since)


def _usable(bar: Bar) -> bool:
    """Tell whether a bar can be drawn: finite, positive prices with high over low."""
    prices = (bar.open, bar.high, bar.low, bar.close)
    return all(math.isfinite(p) and p > 0 for p in prices) and bar.high >= bar.low


def clean_daily(bars: Iterable[DailyBar], *, since: datetime) -> list[DailyBar]:
    """Return usable bars from ``since``'s date on, one per date (the later wins), oldest first."""
    first_day = since.date()
    by_day: dict[object, DailyBar] = {}
    for bar in bars:
        prices = (bar.open, bar.high, bar.low, bar.close)
        if bar.date < first_day or not all(math.isfinite(p) and p > 0 for p in prices):
            continue
        by_day[bar.date] = bar
    return sorted(by_day.values(), key=lambda b: b.date)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__
