"""Streamed trades as quotes: decoding, completion from the held quote, skewed clocks, the
out-of-band hold, batching a burst, and the latency percentiles."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.alerts.latency import PostLatency, percentile
from bot.alerts.model import AlertSession, outside_its_session
from bot.clock import ManualClock
from bot.market.calendar import EXCHANGE_TZ, TradingCalendar
from bot.market.live import merge_updates
from bot.market.models import DataSource, MarketState, Quote
from bot.market.provider import SymbolUpdate
from bot.market.stream_frames import FrameError, StreamTick, decode_frame
from bot.market.stream_quotes import JumpHold, stream_quote
from tests import factories
from yahoo_emulator.streamer import REGULAR_MARKET, pricing_frame

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def held(price: float = 15.0) -> Quote:
    return factories.quote(
        "CIFR",
        price,
        previous_close=14.0,
        day_high=15.5,
        day_low=14.5,
        volume=1_000,
        as_of=NOW - timedelta(minutes=1),
        source=DataSource.YAHOO,
    )


def test_a_frame_decodes_to_the_trade_yahoo_sent() -> None:
    frame = pricing_frame(
        "cifr",
        21.2,
        int(NOW.timestamp() * 1000),
        previous_close=20.0,
        day_volume=123_456,
        market_hours=REGULAR_MARKET,
    )
    tick = decode_frame(frame)
    assert (tick.symbol, tick.price, tick.previous_close, tick.day_volume) == (
        "CIFR",
        21.2,
        20.0,
        123_456,
    )
    assert tick.traded_at == NOW and tick.market_hours == "regular"
    assert tick.day_high is None  # proto3 zero: not sent, not a price of 0


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        '{"type": "pricing"}',
        '{"message": "%%%"}',
        '{"message": "AAAA"}',
        pricing_frame("", 1.0, 1),
        pricing_frame("CIFR", 1.0, 0),
    ],
)
def test_anything_but_a_trade_is_refused(raw: str) -> None:
    with pytest.raises(FrameError):
        decode_frame(raw)


def test_a_trade_is_completed_from_the_quote_held() -> None:
    tick = StreamTick("CIFR", 15.3, NOW)
    quote = stream_quote(tick, held(), now=NOW)
    assert quote.price == 15.3 and quote.previous_close == 14.0
    assert (quote.day_high, quote.day_low, quote.volume) == (15.5, 14.5, 1_000)
    assert quote.as_of == NOW and quote.source is DataSource.YAHOO


def test_a_trade_stamped_in_the_future_is_taken_as_traded_on_arrival() -> None:
    skewed = StreamTick("CIFR", 15.3, NOW + timedelta(minutes=10))
    assert stream_quote(skewed, None, now=NOW).as_of == NOW
    slightly = StreamTick("CIFR", 15.3, NOW + timedelta(seconds=2))
    assert stream_quote(slightly, None, now=NOW).as_of == NOW + timedelta(seconds=2)


def test_one_out_of_band_trade_waits_and_is_dropped_when_the_next_disagrees() -> None:
    hold = JumpHold()
    last = held(15.0)
    bad = stream_quote(StreamTick("CIFR", 30.0, NOW), last, now=NOW)
    assert hold.screen(bad, last) == []
    assert hold.held("CIFR") == bad
    good = stream_quote(StreamTick("CIFR", 15.1, NOW), last, now=NOW)
    assert hold.screen(good, last) == [good]
    assert hold.held("CIFR") is None


def test_two_trades_agreeing_on_a_new_level_confirm_it() -> None:
    hold = JumpHold()
    last = held(15.0)
    first = stream_quote(StreamTick("CIFR", 18.0, NOW), last, now=NOW)
    second = stream_quote(StreamTick("CIFR", 18.1, NOW), last, now=NOW)
    assert hold.screen(first, last) == []
    assert hold.screen(second, last) == [first, second]


def test_the_poll_settles_a_held_trade() -> None:
    hold = JumpHold()
    last = held(15.0)
    bad = stream_quote(StreamTick("CIFR", 30.0, NOW), last, now=NOW)
    hold.screen(bad, last)
    hold.settle("CIFR")
    assert hold.held("CIFR") is None


def test_a_burst_is_one_update_per_symbol_keeping_the_range_traded() -> None:
    base = held(15.0)
    prices = [15.0, 16.5, 14.2, 15.1]  # a spike up and down inside one batch
    updates = []
    previous = base
    for i, price in enumerate(prices):
        quote = stream_quote(
            StreamTick("CIFR", price, NOW + timedelta(milliseconds=i)),
            previous,
            now=NOW + timedelta(seconds=1),
        )
        updates.append(SymbolUpdate("CIFR", quote, previous, quote))
        previous = quote
    (merged,) = merge_updates(updates).values()
    assert merged.quote is not None and merged.quote.price == 15.1
    assert merged.previous == base
    span = merged.range_since_last
    assert span is not None and (span.high, span.low) == (16.5, 14.2)


def test_latency_percentiles_cover_the_last_day_of_posts() -> None:
    clock = ManualClock(NOW)
    latency = PostLatency(clock)
    latency.expect({f"alert:{i}:1": [NOW - timedelta(seconds=i)] for i in range(1, 101)})
    for i in range(1, 101):
        latency.posted(f"alert:{i}:1", NOW)
    latency.posted("alert:999:1", NOW)  # a post with no trade noted: not measured
    summary = latency.summary()
    assert (summary.samples, summary.p50, summary.p95) == (100, 50.0, 95.0)
    clock.advance(timedelta(days=1, seconds=1))
    assert latency.summary().samples == 0
    assert percentile([1.0], 95) == 1.0


def ny(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=EXCHANGE_TZ)


def traded(
    price: float,
    at: datetime,
    before: Quote | None,
    calendar: TradingCalendar,
    *,
    previous_close: float | None = None,
) -> Quote:
    """Return a CIFR trade at ``at`` as its quote, received the moment it traded."""
    tick = StreamTick("CIFR", price, at, previous_close=previous_close)
    return stream_quote(tick, before, now=at, calendar=calendar)


def wednesday_close() -> Quote:
    """Return CIFR's regular-session close on Wednesday the 25th: 16.0, up from 15.0."""
    close = factories.quote(
        "CIFR", 16.0, previous_close=15.0, as_of=ny(25, 15, 59), source=DataSource.YAHOO
    )
    return replace(close, session=MarketState.REGULAR)


@pytest.mark.parametrize(
    ("traded_at", "session", "regular_fires", "extended_fires"),
    [
        # Wednesday 2026-11-25, an ordinary day.
        (ny(25, 3, 59), MarketState.CLOSED, False, True),
        (ny(25, 4, 0), MarketState.PRE, False, True),
        (ny(25, 9, 29), MarketState.PRE, False, True),
        (ny(25, 9, 30), MarketState.REGULAR, True, True),
        (ny(25, 15, 59), MarketState.REGULAR, True, True),
        (ny(25, 16, 0), MarketState.POST, False, True),
        (ny(25, 19, 59), MarketState.POST, False, True),
        (ny(25, 20, 0), MarketState.CLOSED, False, True),
        # Thanksgiving: no session at all.
        (ny(26, 10, 0), MarketState.CLOSED, False, True),
        # Black Friday closes at 13:00; its post-market ends at 17:00.
        (ny(27, 12, 59), MarketState.REGULAR, True, True),
        (ny(27, 13, 0), MarketState.POST, False, True),
        (ny(27, 17, 0), MarketState.CLOSED, False, True),
    ],
)
def test_a_streamed_trade_carries_its_session_and_regular_alerts_skip_off_hours(
    calendar: TradingCalendar,
    traded_at: datetime,
    session: MarketState,
    regular_fires: bool,
    extended_fires: bool,
) -> None:
    quote = traded(15.3, traded_at, None, calendar)
    assert quote.session is session
    regular = factories.alert(symbol="CIFR")
    extended = regular._replace(session=AlertSession.EXTENDED)
    assert outside_its_session(regular, quote.session) is not regular_fires
    assert outside_its_session(extended, quote.session) is not extended_fires


def test_bitcoin_trades_around_the_clock(calendar: TradingCalendar) -> None:
    night = ny(26, 3, 0)  # Thanksgiving, 03:00 in New York
    quote = stream_quote(StreamTick("BTC-USD", 91_000, night), None, now=night, calendar=calendar)
    assert quote.session is MarketState.ALWAYS_OPEN
    assert not outside_its_session(factories.alert(symbol="BTC-USD"), quote.session)


def test_a_post_market_trade_moves_against_the_day_s_regular_close(
    calendar: TradingCalendar,
) -> None:
    close = wednesday_close()
    after = traded(16.8, ny(25, 16, 30), close, calendar, previous_close=15.0)
    assert after.session is MarketState.POST and after.previous_close == 16.0
    later = traded(17.0, ny(25, 17, 0), after, calendar)
    assert later.previous_close == 16.0  # still the regular close, not the last post trade
    morning = traded(16.5, ny(30, 8, 0), later, calendar, previous_close=16.0)
    assert morning.session is MarketState.PRE and morning.previous_close == 16.0


def test_a_new_day_s_first_trade_without_a_close_reads_against_the_last_regular_price(
    calendar: TradingCalendar,
) -> None:
    yesterday = wednesday_close()
    friday = traded(16.2, ny(27, 9, 45), yesterday, calendar)
    assert friday.previous_close == 16.0
    same_day = traded(16.3, ny(27, 9, 46), friday, calendar)
    assert same_day.previous_close == 16.0
