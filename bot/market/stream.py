"""The supervised connection to a price stream: subscribe, read, notice silence, reconnect.

Yahoo's stream is known to drop silently after idle periods, to leave some symbols without a
single tick, and to change without notice, so nothing here trusts it: a connection that stays
quiet while a subscribed market is open is treated as dead, every reconnect waits a growing,
jittered delay, and whoever reads prices asks ``fresh_symbols()`` which symbols the stream
really covers before skipping their poll.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from bot.clock import Clock
from bot.market.calendar import TradingCalendar
from bot.market.stream_frames import (
    FrameError,
    StreamTick,
    decode_frame,
    subscribe_message,
    unsubscribe_message,
)
from bot.tasks import cancel_and_wait

log = logging.getLogger(__name__)

# The whole stream silent this long while a subscribed market is open: the connection is dead.
STREAM_SILENCE_SECONDS = 15.0
# One symbol silent this long during its session: the stream is not covering it (the poll does).
SYMBOL_SILENCE_SECONDS = 30.0
# Reconnect delays: doubling from the base up to the cap, each drawn in [half, whole].
RECONNECT_BASE_SECONDS = 1.0
RECONNECT_CAP_SECONDS = 60.0
CONNECT_TIMEOUT_SECONDS = 10.0
# Subscriptions on a connection left idle are reported to lapse: yfinance's own client
# repeats its subscription every 15 s, and so does this one.
HEARTBEAT_SECONDS = 15.0
RECONNECT_WINDOW = timedelta(hours=24)

TickHandler = Callable[[StreamTick], None]


class StreamState(StrEnum):
    """Where the stream stands."""

    OFF = "off"  # not configured
    CONNECTING = "connecting"
    LIVE = "live"
    DOWN = "down"  # waiting to reconnect; the poll covers every symbol meanwhile


@dataclass(frozen=True, slots=True)
class StreamHealth:
    """What /status shows about the stream."""

    state: StreamState
    live_since: datetime | None
    reconnects_24h: int
    last_error: str | None
    unreadable_frames: int
    last_tick_at: dict[str, datetime]


@dataclass(frozen=True, slots=True)
class StreamTiming:
    """The supervision's limits, in seconds (tests shorten them)."""

    silence: float = STREAM_SILENCE_SECONDS
    symbol_silence: float = SYMBOL_SILENCE_SECONDS
    reconnect_base: float = RECONNECT_BASE_SECONDS
    reconnect_cap: float = RECONNECT_CAP_SECONDS
    heartbeat: float = HEARTBEAT_SECONDS


class StreamSilent(Exception):
    """Nothing arrived for the silence limit while a subscribed market was open."""


class PriceStream:
    """One supervised connection to ``url``; ``on_tick`` receives every readable trade."""

    def __init__(
        self,
        url: str,
        *,
        clock: Clock,
        calendar: TradingCalendar,
        on_tick: TickHandler,
        timing: StreamTiming | None = None,
        rng: random.Random | None = None,
    ) -> None:
        timing = timing or StreamTiming()
        self.url = url
        self._clock = clock
        self._calendar = calendar
        self._on_tick = on_tick
        self._silence = timing.silence
        self._symbol_silence = timedelta(seconds=timing.symbol_silence)
        self._reconnect_base = timing.reconnect_base
        self._reconnect_cap = timing.reconnect_cap
        self._heartbeat = timing.heartbeat
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._symbols: frozenset[str] = frozenset()
        self._ws: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._state = StreamState.CONNECTING
        self._live_since: datetime | None = None
        self._reconnects: deque[datetime] = deque()
        self._connected_before = False
        self._last_error: str | None = None
        self._unreadable = 0
        self._last_tick: dict[str, datetime] = {}
        self._failures = 0  # connections in a row that ended before any trade arrived

    # ---- control ---------------------------------------------------------------------

    def start(self) -> None:
        """Start connecting in the background (inside the running event loop)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="price-stream")

    async def aclose(self) -> None:
        """Stop reading and close the connection."""
        task, self._task = self._task, None
        await cancel_and_wait(task)
        self._state = StreamState.DOWN
        self._live_since = None

    async def set_symbols(self, symbols: set[str] | frozenset[str]) -> None:
        """Follow exactly ``symbols``: subscribe the new ones, unsubscribe the dropped ones."""
        wanted = frozenset(symbols)
        added, dropped = wanted - self._symbols, self._symbols - wanted
        self._symbols = wanted
        for symbol in dropped:
            self._last_tick.pop(symbol, None)
        ws = self._ws
        if ws is None or not (added or dropped):
            return  # the next connection subscribes to the whole set
        try:
            if added:
                await ws.send(subscribe_message(list(added)))
            if dropped:
                await ws.send(unsubscribe_message(list(dropped)))
        except (ConnectionClosed, WebSocketException) as exc:
            log.info("price stream: subscription change not sent (%s); resent on reconnect", exc)

    # ---- what readers ask ------------------------------------------------------------

    @property
    def symbols(self) -> frozenset[str]:
        """Return the symbols followed."""
        return self._symbols

    @property
    def live(self) -> bool:
        """Tell whether the connection is up and has not gone silent."""
        return self._state is StreamState.LIVE

    def fresh_symbols(self) -> set[str]:
        """Return the symbols whose last streamed trade is recent enough to skip their poll."""
        if not self.live:
            return set()
        now = self._clock.now()
        return {s for s, at in self._last_tick.items() if now - at <= self._symbol_silence}

    def health(self) -> StreamHealth:
        """Return the stream's state for /status."""
        self._prune_reconnects()
        return StreamHealth(
            state=self._state,
            live_since=self._live_since,
            reconnects_24h=len(self._reconnects),
            last_error=self._last_error,
            unreadable_frames=self._unreadable,
            last_tick_at={s: self._last_tick[s] for s in sorted(self._last_tick)},
        )

    # ---- the connection loop ---------------------------------------------------------

    async def _run(self) -> None:
        while True:
            self._state = StreamState.CONNECTING
            try:
                await self._session()
            except asyncio.CancelledError:
                raise
            except StreamSilent as exc:
                self._down(str(exc))
            except (OSError, TimeoutError, WebSocketException) as exc:
                self._down(_describe(exc))
            except Exception as exc:  # a reader that died must not end the supervision
                log.exception("price stream failed")
                self._down(_describe(exc))
            await asyncio.sleep(self._next_delay())

    async def _session(self) -> None:
        async with connect(
            self.url, open_timeout=CONNECT_TIMEOUT_SECONDS, close_timeout=2, max_queue=None
        ) as ws:
            if self._connected_before:
                self._reconnects.append(self._clock.now())
            self._connected_before = True
            self._ws = ws
            try:
                if self._symbols:
                    await ws.send(subscribe_message(list(self._symbols)))
                self._state = StreamState.LIVE
                self._live_since = self._clock.now()
                log.info("price stream live: %d symbol(s)", len(self._symbols))
                heartbeat = asyncio.create_task(self._beat(ws), name="price-stream-heartbeat")
                try:
                    await self._read(ws)
                finally:
                    await cancel_and_wait(heartbeat)
            finally:
                self._ws = None

    async def _beat(self, ws: ClientConnection) -> None:
        """Repeat the whole subscription at every heartbeat while the connection lasts."""
        while True:
            await asyncio.sleep(self._heartbeat)
            if self._symbols:
                try:
                    await ws.send(subscribe_message(list(self._symbols)))
                except (ConnectionClosed, WebSocketException):
                    return  # the reader notices the closed connection and reconnects

    async def _read(self, ws: ClientConnection) -> None:
        while True:
            try:
                # Not wait_for: on Python 3.11 it can swallow a stop's cancel that arrives with
                # a frame, and the reader would then outlive its stop.
                async with asyncio.timeout(self._silence):
                    raw = await ws.recv()
            except TimeoutError:
                if self._expecting_trades():
                    raise StreamSilent(
                        f"no message for {self._silence:g} s while a market was open"
                    ) from None
                continue
            try:
                tick = decode_frame(raw)
            except FrameError as exc:
                self._unreadable += 1
                log.info("price stream: %s", exc)
                continue
            if tick.symbol not in self._symbols:
                continue  # a late trade of a symbol just unsubscribed
            self._failures = 0
            self._last_tick[tick.symbol] = self._clock.now()
            try:
                self._on_tick(tick)
            except Exception:  # one trade we cannot take must not cost the connection
                log.exception(
                    "price stream: the %s trade at %s was not taken", tick.symbol, tick.traded_at
                )

    def _expecting_trades(self) -> bool:
        now = self._clock.now()
        return any(self._calendar.market_state(s, now).in_session for s in self._symbols)

    def _down(self, reason: str) -> None:
        log.warning("price stream down: %s", reason)
        self._state = StreamState.DOWN
        self._live_since = None
        self._last_error = reason
        self._failures += 1

    def _next_delay(self) -> float:
        ceiling = min(self._reconnect_cap, self._reconnect_base * 2.0 ** max(0, self._failures - 1))
        # Jitter: many clients cut at once must not all come back in the same instant.
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _prune_reconnects(self) -> None:
        horizon = self._clock.now() - RECONNECT_WINDOW
        while self._reconnects and self._reconnects[0] < horizon:
            self._reconnects.popleft()


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__
