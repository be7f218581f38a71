"""Intraday bars for short charts: the cache (fresh, shared, stale, bounded) and each source's
bars — Yahoo through yfinance against the local Yahoo, demo, replay."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.market.calendar import TradingCalendar
from bot.market.demo import DemoSource
from bot.market.intraday import (
    FRESH_FOR,
    SPANS,
    STALE_LIMIT,
    IntradayCache,
    IntradayUnavailable,
)
from bot.market.models import Bar, DataSource, MarketState
from bot.market.replay import ReplaySource
from bot.market.replay_file import parse_replay
from tests import factories
from yahoo_emulator.payloads import daily_chart, intraday_chart
from yahoo_emulator.server import FakeYahoo

from .conftest import YahooFactory
from .scripted_source import ScriptedSource

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 9, 25, 21, 0, tzinfo=UTC)  # Friday 17:00 New York, after the close


def bars(count: int, start: datetime = datetime(2026, 9, 25, 13, 30, tzinfo=UTC)) -> list[Bar]:
    return [
        Bar(start + i * timedelta(minutes=5), 10.0, 10.2, 9.9, 10.1, 1_000) for i in range(count)
    ]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


def cache_over(
    source: ScriptedSource, clock: ManualClock, calendar: TradingCalendar, entries: int = 200
) -> IntradayCache:
    provider = factories.feed(source, clock, calendar)
    return IntradayCache(provider.intraday_history, clock, DataSource.REPLAY, entries=entries)


async def test_fresh_bars_come_from_memory_then_one_fetch_renews_them(
    clock: ManualClock, calendar: TradingCalendar
) -> None:
    source = ScriptedSource(intraday=bars(78))
    cache = cache_over(source, clock, calendar)

    first = await cache.bars("CIFR", "1d")
    clock.advance(FRESH_FOR - timedelta(seconds=1))
    again = await cache.bars("CIFR", "1d")
    assert again is first and len(first.bars) == 78 and not first.stale
    assert source.calls == ["intraday:CIFR:1d"]

    clock.advance(timedelta(seconds=2))
    renewed = await cache.bars("CIFR", "1d")
    assert renewed.fetched_at == clock.now()
    assert source.calls == ["intraday:CIFR:1d"] * 2
    await cache.bars("CIFR", "5d")  # another span is another entry
    assert source.calls[-1] == "intraday:CIFR:5d"


async def test_members_asking_at_once_share_one_fetch(
    clock: ManualClock, calendar: TradingCalendar
) -> None:
    source = ScriptedSource(intraday=bars(10), delay=0.05)
    cache = cache_over(source, clock, calendar)
    results = await asyncio.gather(*(cache.bars("CIFR", "1d") for _ in range(5)))
    assert all(r is results[0] for r in results)
    assert source.calls == ["intraday:CIFR:1d"]


async def test_a_failing_source_serves_held_bars_marked_stale_for_a_few_days(
    clock: ManualClock, calendar: TradingCalendar
) -> None:
    source = ScriptedSource(intraday=bars(20))
    cache = cache_over(source, clock, calendar)
    fresh = await cache.bars("CIFR", "1d")

    source.intraday = []  # the source answers nothing now
    clock.advance(timedelta(hours=1))
    stale = await cache.bars("CIFR", "1d")
    assert stale.stale and stale.bars == fresh.bars and stale.fetched_at == fresh.fetched_at

    clock.advance(STALE_LIMIT)
    with pytest.raises(IntradayUnavailable) as caught:
        await cache.bars("CIFR", "1d")
    assert "No intraday prices for CIFR" in caught.value.user_message
    assert "1mo" in caught.value.user_message


async def test_nothing_held_and_a_throttled_source_is_a_clear_error(
    clock: ManualClock, calendar: TradingCalendar
) -> None:
    source = ScriptedSource(intraday=bars(20), throttle="rate limited (HTTP 429)")
    cache = cache_over(source, clock, calendar)
    with pytest.raises(IntradayUnavailable):
        await cache.bars("CIFR", "5d")
    source.throttle = None
    with pytest.raises(IntradayUnavailable):  # the feed backs off: no second request yet
        await cache.bars("CIFR", "5d")
    assert source.calls == ["intraday:CIFR:5d"]


async def test_the_cache_is_bounded(clock: ManualClock, calendar: TradingCalendar) -> None:
    cache = cache_over(ScriptedSource(intraday=bars(5)), clock, calendar, entries=3)
    for symbol in ("CIFR", "WULF", "IREN", "HUT", "APLD"):
        await cache.bars(symbol, "1d")
    assert len(cache) == 3


async def test_unusable_bars_are_dropped(clock: ManualClock, calendar: TradingCalendar) -> None:
    good = bars(3)
    broken = [
        Bar(good[0].start, float("nan"), 1, 1, 1, 0),
        Bar(good[1].start, 2.0, 1.0, 3.0, 2.0, 0),  # high below low
    ]
    provider = factories.feed(ScriptedSource(intraday=[*broken, *good]), clock, calendar)
    assert await provider.intraday_history("CIFR", SPANS["1d"]) == good


# ----- Yahoo, through yfinance and the local Yahoo -------------------------------------------


async def test_yahoo_asks_for_five_minute_bars_with_extended_hours(
    make_yahoo: YahooFactory, fake_yahoo: FakeYahoo, calendar: TradingCalendar
) -> None:
    day = date(2026, 9, 25)
    fake_yahoo.serve_chart("CIFR", daily_chart("CIFR", day, 5, base=15.0).body)
    one_day = intraday_chart("CIFR", day, 1, minutes=5, base=15.0)
    fake_yahoo.serve_chart("CIFR", one_day.body, interval="5m")
    provider = make_yahoo()

    got = await provider.intraday_history("CIFR", SPANS["1d"])

    chart = fake_yahoo.requests("/v8/finance/chart/CIFR")[-1]
    assert chart.query["range"] == "1d" and chart.query["interval"] == "5m"
    assert chart.query["includePrePost"] == "true"
    assert len(got) == 192  # 04:00 to 20:00 New York
    assert got[0].start.astimezone(NEW_YORK).hour == 4
    quote = one_day.result["indicators"]["quote"][0]
    assert [b.close for b in got] == quote["close"]
    states = {calendar.market_state("CIFR", b.start) for b in got}
    assert states == {MarketState.PRE, MarketState.REGULAR, MarketState.POST}


async def test_yahoo_five_days_is_one_request_of_fifteen_minute_bars(
    make_yahoo: YahooFactory, fake_yahoo: FakeYahoo
) -> None:
    day = date(2026, 9, 25)
    fake_yahoo.serve_chart("CIFR", daily_chart("CIFR", day, 5, base=15.0).body)
    fake_yahoo.serve_chart(
        "CIFR", intraday_chart("CIFR", day, 5, minutes=15, base=15.0).body, interval="15m"
    )
    provider = make_yahoo()
    await provider.intraday_history("CIFR", SPANS["5d"])  # cookie, crumb and tz probe first
    before = fake_yahoo.count("/v8/finance/chart/")

    got = await provider.intraday_history("CIFR", SPANS["5d"])

    assert fake_yahoo.count("/v8/finance/chart/") == before + 1
    assert fake_yahoo.requests("/v8/finance/chart/")[-1].query["interval"] == "15m"
    assert len(got) == 5 * 64
    assert len({b.start.astimezone(NEW_YORK).date() for b in got}) == 5


async def test_yahoo_down_gives_no_bars_rather_than_an_error(
    make_yahoo: YahooFactory, fake_yahoo: FakeYahoo
) -> None:
    fake_yahoo.throttled = True
    provider = make_yahoo()
    assert await provider.intraday_history("CIFR", SPANS["1d"]) == []
    assert provider.stats().backing_off


# ----- demo and replay ---------------------------------------------------------------------


async def test_demo_bars_aggregate_the_minute_path_for_whole_sessions(
    calendar: TradingCalendar,
) -> None:
    source = DemoSource(calendar=calendar)
    five = await source.fetch_intraday("CIFR", SPANS["5d"], http_timeout=1, now=NOW)
    days = sorted({b.start.astimezone(NEW_YORK).date() for b in five})
    assert days == [date(2026, 9, d) for d in (21, 22, 23, 24, 25)]
    assert len(five) == 5 * 26  # 09:30 to 16:00 in 15 minutes
    one = await source.fetch_intraday("CIFR", SPANS["1d"], http_timeout=1, now=NOW)
    assert len(one) == 78
    assert {calendar.market_state("CIFR", b.start) for b in one} == {MarketState.REGULAR}
    # The day's last 5-minute close is the day's close, the quote's price after the bell.
    quote = source.quote_at("CIFR", NOW).quote
    assert quote is not None and one[-1].close == pytest.approx(quote.price)
    assert all(b.low <= min(b.open, b.close) and b.high >= max(b.open, b.close) for b in one)


async def test_demo_bars_stop_at_now_during_the_session(calendar: TradingCalendar) -> None:
    source = DemoSource(calendar=calendar)
    now = datetime(2026, 9, 25, 15, 2, tzinfo=UTC)  # 11:02 New York
    one = await source.fetch_intraday("CIFR", SPANS["1d"], http_timeout=1, now=now)
    assert one[-1].start.astimezone(NEW_YORK).strftime("%H:%M") == "11:00"
    assert len(one) == 19  # 09:30 … 11:00, the last one still forming


async def test_demo_has_no_intraday_bars_for_unknown_symbols(calendar: TradingCalendar) -> None:
    source = DemoSource(calendar=calendar)
    assert await source.fetch_intraday("ZZZZ", SPANS["1d"], http_timeout=1, now=NOW) == []


async def test_replay_rows_are_bucketed_into_bars(calendar: TradingCalendar) -> None:
    timeline = parse_replay(
        "timestamp,symbol,price,volume\n"
        "2026-09-25T13:30:00Z,CIFR,15.00,100\n"
        "2026-09-25T13:32:00Z,CIFR,15.40,300\n"
        "2026-09-25T13:34:00Z,CIFR,14.90,450\n"
        "2026-09-25T13:36:00Z,CIFR,15.10,500\n",
        path="prices.csv",
        started_at=NOW,
    )
    source = ReplaySource(timeline, calendar=calendar)
    got = await source.fetch_intraday("CIFR", SPANS["1d"], http_timeout=1, now=NOW)
    assert [(b.open, b.high, b.low, b.close) for b in got] == [
        (15.0, 15.4, 14.9, 14.9),
        (15.1, 15.1, 15.1, 15.1),
    ]
    assert [b.volume for b in got] == [450, 50]  # running totals become per-bar volume
