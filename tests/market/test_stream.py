"""The supervised price stream against the local streamer: every fault it is known for."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.market.calendar import TradingCalendar
from bot.market.stream import PriceStream, StreamState, StreamTiming
from bot.market.stream_frames import StreamTick
from yahoo_emulator.streamer import LocalStreamer

IN_SESSION = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday, 10:00 in New York
SATURDAY = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
FAST = StreamTiming(silence=0.3, symbol_silence=30, reconnect_base=0.05, reconnect_cap=0.2)


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
    # The conditions live in two independent peers (the stream, the streamer): polling them
    # is simpler than threading an event through both.
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


@pytest.fixture
async def streamer() -> AsyncIterator[LocalStreamer]:
    async with LocalStreamer() as s:
        yield s


class Harness:
    def __init__(self, stream: PriceStream, ticks: list[StreamTick], clock: ManualClock) -> None:
        self.stream = stream
        self.ticks = ticks
        self.clock = clock


@pytest.fixture
async def harness(streamer: LocalStreamer, calendar: TradingCalendar) -> AsyncIterator[Harness]:
    clock = ManualClock(IN_SESSION)
    ticks: list[StreamTick] = []
    stream = PriceStream(
        streamer.url,
        clock=clock,
        calendar=calendar,
        on_tick=ticks.append,
        timing=FAST,
        rng=random.Random(3),
    )
    await stream.set_symbols({"CIFR", "IREN"})
    stream.start()
    try:
        yield Harness(stream, ticks, clock)
    finally:
        await stream.aclose()


async def test_trades_arrive_decoded_after_subscribing(
    streamer: LocalStreamer, harness: Harness
) -> None:
    await streamer.wait_subscribed({"CIFR", "IREN"})
    at = IN_SESSION.timestamp() - 1
    await streamer.tick("CIFR", 15.51, at=at, previous_close=15.0, day_volume=1200)
    await until(lambda: len(harness.ticks) == 1)
    tick = harness.ticks[0]
    assert (tick.symbol, tick.price, tick.previous_close, tick.day_volume) == (
        "CIFR",
        15.51,
        15.0,
        1200,
    )
    assert tick.traded_at == datetime.fromtimestamp(at, UTC)
    assert harness.stream.health().state is StreamState.LIVE
    assert harness.stream.fresh_symbols() == {"CIFR"}


async def test_a_changed_watchlist_subscribes_and_unsubscribes_on_the_open_connection(
    streamer: LocalStreamer, harness: Harness
) -> None:
    await streamer.wait_subscribed({"CIFR", "IREN"})
    await harness.stream.set_symbols({"CIFR", "WULF"})
    await streamer.wait_subscribed({"CIFR", "WULF"})
    await until(lambda: streamer.subscribed() == {"CIFR", "WULF"})
    assert {"unsubscribe": ["IREN"]} in streamer.received
    assert streamer.connections == 1


@pytest.mark.parametrize(
    "fault",
    ["silent drop", "close with a code", "close without a code"],
)
async def test_a_lost_connection_is_replaced_and_resubscribed(
    streamer: LocalStreamer, harness: Harness, fault: str
) -> None:
    await streamer.wait_subscribed({"CIFR", "IREN"})
    if fault == "silent drop":
        streamer.go_silent()  # open, answering pings, but no trade ever again
    else:
        await streamer.close_all(1011 if fault == "close with a code" else None)
    await until(lambda: streamer.connections == 2)
    await streamer.wait_subscribed({"CIFR", "IREN"})
    await until(lambda: harness.stream.live)
    await streamer.tick("IREN", 42.0, at=IN_SESSION.timestamp())
    await until(lambda: [t.symbol for t in harness.ticks] == ["IREN"])
    health = harness.stream.health()
    assert health.reconnects_24h == 1
    assert health.last_error is not None


async def test_garbage_frames_are_counted_and_the_stream_goes_on(
    streamer: LocalStreamer, harness: Harness
) -> None:
    await streamer.wait_subscribed({"CIFR"})
    await streamer.garbage("not json {")
    await streamer.garbage('{"type": "pricing", "message": "%%% not base64"}')
    await streamer.garbage('{"type": "pricing", "message": "AAAA"}')  # base64, not protobuf
    await streamer.tick("CIFR", 15.0, at=IN_SESSION.timestamp())
    await until(lambda: len(harness.ticks) == 1)
    assert harness.stream.health().unreadable_frames == 3
    assert streamer.connections == 1


async def test_a_symbol_that_never_ticks_is_not_counted_as_streamed(
    streamer: LocalStreamer, harness: Harness
) -> None:
    streamer.muted.add("IREN")
    await streamer.wait_subscribed({"CIFR", "IREN"})
    await streamer.tick("CIFR", 15.0, at=IN_SESSION.timestamp())
    await streamer.tick("IREN", 42.0, at=IN_SESSION.timestamp())
    await until(lambda: len(harness.ticks) == 1)
    assert harness.stream.fresh_symbols() == {"CIFR"}
    # Thirty seconds later CIFR is silent too: the poll must take both again.
    harness.clock.advance(timedelta(seconds=31))
    assert harness.stream.fresh_symbols() == set()


async def test_a_refused_stream_is_down_and_comes_back(
    streamer: LocalStreamer, harness: Harness
) -> None:
    await streamer.wait_subscribed({"CIFR"})
    await streamer.tick("CIFR", 15.0, at=IN_SESSION.timestamp())
    await until(lambda: harness.stream.fresh_symbols() == {"CIFR"})
    streamer.refusing = True
    await streamer.close_all(1001)
    await until(lambda: harness.stream.health().state is not StreamState.LIVE)
    assert harness.stream.fresh_symbols() == set()  # everything falls back to the poll
    streamer.refusing = False
    await streamer.wait_subscribed({"CIFR", "IREN"})
    await until(lambda: harness.stream.live)


async def test_silence_outside_every_session_is_not_a_dead_stream(
    streamer: LocalStreamer, calendar: TradingCalendar
) -> None:
    clock = ManualClock(SATURDAY)
    stream = PriceStream(
        streamer.url, clock=clock, calendar=calendar, on_tick=lambda _: None, timing=FAST
    )
    await stream.set_symbols({"CIFR"})
    stream.start()
    try:
        await streamer.wait_subscribed({"CIFR"})
        await asyncio.sleep(FAST.silence * 3)
        assert streamer.connections == 1
        assert stream.live
    finally:
        await stream.aclose()


def test_reconnect_delays_grow_with_jitter_up_to_the_cap(calendar: TradingCalendar) -> None:
    timing = StreamTiming(reconnect_base=1.0, reconnect_cap=8.0)
    stream = PriceStream(
        "ws://127.0.0.1:9",
        clock=ManualClock(IN_SESSION),
        calendar=calendar,
        on_tick=lambda _: None,
        timing=timing,
        rng=random.Random(1),
    )
    delays = []
    for _ in range(6):
        stream._down("refused")  # what each failed connection records
        delays.append(stream._next_delay())
    ceilings = [1, 2, 4, 8, 8, 8]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len(set(delays)) == len(delays)  # jittered: no two waits alike


async def test_the_subscription_is_repeated_at_every_heartbeat(
    streamer: LocalStreamer, calendar: TradingCalendar
) -> None:
    timing = StreamTiming(silence=5, heartbeat=0.05)
    stream = PriceStream(
        streamer.url,
        clock=ManualClock(IN_SESSION),
        calendar=calendar,
        on_tick=lambda _: None,
        timing=timing,
    )
    await stream.set_symbols({"CIFR"})
    stream.start()
    try:
        await until(lambda: streamer.received.count({"subscribe": ["CIFR"]}) >= 3)
        assert streamer.connections == 1
    finally:
        await stream.aclose()


async def test_a_trade_the_bot_cannot_take_costs_neither_the_connection_nor_the_next_trade(
    streamer: LocalStreamer, calendar: TradingCalendar
) -> None:
    taken: list[float] = []

    def take(tick: StreamTick) -> None:
        if tick.price < 0:
            raise ValueError("a negative price slipped through")
        taken.append(tick.price)

    stream = PriceStream(
        streamer.url, clock=ManualClock(IN_SESSION), calendar=calendar, on_tick=take, timing=FAST
    )
    await stream.set_symbols({"CIFR"})
    stream.start()
    try:
        await streamer.wait_subscribed({"CIFR"})
        await streamer.tick("CIFR", -1.0, at=IN_SESSION.timestamp())
        await streamer.tick("CIFR", 15.0, at=IN_SESSION.timestamp())
        await until(lambda: taken == [15.0])
        assert streamer.connections == 1 and stream.live
    finally:
        await stream.aclose()
