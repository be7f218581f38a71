"""The feed around every source: one poll at a time, guards, backoff, negative cache, stats."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.market.calendar import TradingCalendar
from bot.market.feed import FeedProvider
from bot.market.guards import Rejection
from bot.market.models import DailyBar
from bot.market.source import Fetched
from tests import factories

from .scripted_source import ScriptedSource, failing, quote, with_bars

NOW = datetime(2026, 9, 24, 15, 0, tzinfo=UTC)  # Thursday 11:00 ET, in session


def feed(source: ScriptedSource, clock: ManualClock, calendar: TradingCalendar) -> FeedProvider:
    return factories.feed(source, clock, calendar)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


async def test_concurrent_polls_wait_for_or_share_the_one_in_flight(
    clock: ManualClock, calendar: TradingCalendar
) -> None:
    """A subset poll shares the in-flight result; a wider one waits, then runs alone."""
    source = ScriptedSource(delay=0.05)
    provider = feed(source, clock, calendar)

    a, b, c = await asyncio.gather(
        provider.poll(["CIFR", "WULF"]), provider.poll(["cifr"]), provider.poll(["CIFR", "IREN"])
    )

    assert a is b
    assert c is not a and set(c.updates) == {"CIFR", "IREN"}
    assert sorted(source.calls) == ["CIFR", "CIFR", "IREN", "WULF"]
    assert provider.stats().polls == 2


async def test_poll_reports_previous_current_and_range_since_last(
    clock: ManualClock, calendar: TradingCalendar
) -> None:
    """Alerts get the previous quote, the new one, and the high/low in between."""
    prices = iter([[10.0], [10.2, 11.6, 10.4]])
    source = ScriptedSource(answer=lambda s, now: with_bars(s, now, next(prices)))
    provider = feed(source, clock, calendar)
    await provider.poll(["HUT"])
    clock.advance(timedelta(minutes=3))

    update = (await provider.poll(["HUT"])).updates["HUT"]

    assert update.previous is not None and update.previous.price == 10.0
    assert update.quote is not None and update.quote.price == 10.4
    spike = update.range_since_last
    assert spike is not None and (spike.high, spike.low) == (12.1, 9.7)
    assert spike.since == update.previous.as_of


@pytest.mark.parametrize("bad", [math.nan, math.inf, 0.0, -1.0])
async def test_bad_prices_through_a_poll_are_refused_and_counted(
    clock: ManualClock, calendar: TradingCalendar, bad: float
) -> None:
    """The poll path applies the same guards: the held quote survives a bad tick."""
    answers = iter([10.0, bad])
    source = ScriptedSource(answer=lambda s, now: Fetched(s, quote=quote(s, next(answers), now)))
    provider = feed(source, clock, calendar)
    await provider.poll(["RIOT"])
    held = provider.cached("RIOT")
    clock.advance(timedelta(minutes=1))

    update = (await provider.poll(["RIOT"])).updates["RIOT"]

    assert update.quote is None and update.rejection in (
        Rejection.NOT_FINITE,
        Rejection.NON_POSITIVE,
    )
    assert update.served == held
    assert sum(provider.stats().rejected.values()) == 1


async def test_older_tick_is_refused(clock: ManualClock, calendar: TradingCalendar) -> None:
    """A tick stamped before the held one never replaces it."""
    stamps = iter([NOW, NOW - timedelta(minutes=5)])
    source = ScriptedSource(answer=lambda s, now: Fetched(s, quote=quote(s, 11.0, next(stamps))))
    provider = feed(source, clock, calendar)
    await provider.poll(["MARA"])
    update = (await provider.poll(["MARA"])).updates["MARA"]
    assert update.rejection is Rejection.OLDER_THAN_HELD
    assert provider.stats().rejected == {"older_than_held": 1}


async def test_quotes_go_stale_after_three_missed_polls_in_session(
    clock: ManualClock, calendar: TradingCalendar
) -> None:
    """No renewal for more than 3 × poll interval during the session → stale."""
    source = ScriptedSource()
    provider = feed(source, clock, calendar)
    await provider.poll(["CLSK"])
    source.answer = failing(Rejection.ERROR)

    clock.advance(timedelta(minutes=2))
    await provider.poll(["CLSK"])
    assert not provider.cached("CLSK").stale  # type: ignore[union-attr]
    clock.advance(timedelta(minutes=1, seconds=1))
    stale = provider.cached("CLSK")
    assert stale is not None and stale.stale
    assert provider.stats().symbols["CLSK"].last_error == "error: scripted"


async def test_throttle_pauses_everything_then_probes_once(
    clock: ManualClock, calendar: TradingCalendar
) -> None:
    """A throttle stops the remaining fetches; after the pause one symbol probes first."""
    source = ScriptedSource()
    provider = feed(source, clock, calendar)
    symbols = [f"S{i}" for i in range(10)]
    await provider.poll(symbols)
    source.calls.clear()
    source.throttle = "rate limited (HTTP 429)"

    await provider.poll(symbols)
    assert len(source.calls) <= 4  # only the fetches already under way (concurrency 4)
    state = provider.stats().backoff
    assert state is not None and state.reason == "rate limited (HTTP 429)"

    source.calls.clear()
    await provider.poll(symbols)
    assert await provider.fetch("NEW") is None
    assert await provider.daily_history("S1") == []
    assert source.calls == []

    clock.set(state.until)
    await provider.poll(symbols)
    assert source.calls == ["S0"]
    source.throttle = None
    clock.set(provider.stats().backoff.until)  # type: ignore[union-attr]
    result = await provider.poll(symbols)
    assert len(result.accepted()) == 10 and provider.stats().backoff is None


async def test_fetch_is_memory_first_and_bounded(
    clock: ManualClock, calendar: TradingCalendar
) -> None:
    """A cached symbol costs nothing; a slow source is cut off at the timeout."""
    source = ScriptedSource()
    provider = feed(source, clock, calendar)
    assert (await provider.fetch("apld")) is not None
    assert await provider.fetch("APLD") is not None
    assert source.calls == ["APLD"]
    assert provider.cached("not a symbol!") is None

    source.delay = 5.0
    started = asyncio.get_running_loop().time()
    assert await provider.fetch("GLXY", timeout=0.05) is None
    assert asyncio.get_running_loop().time() - started < 1.0
    assert provider.stats().symbols["GLXY"].last_error.startswith("error: no answer")  # type: ignore[union-attr]


async def test_two_commands_fetching_one_new_symbol_share_the_request(
    clock: ManualClock, calendar: TradingCalendar
) -> None:
    """Concurrent fetches of the same symbol make one request."""
    source = ScriptedSource(delay=0.02)
    provider = feed(source, clock, calendar)
    got = await asyncio.gather(*(provider.fetch("BTDR") for _ in range(5)))
    assert all(q is not None for q in got)
    assert source.calls == ["BTDR"]


async def test_negative_verdicts_expire(clock: ManualClock, calendar: TradingCalendar) -> None:
    """No data is remembered 15 minutes, an unknown symbol 6 hours."""
    source = ScriptedSource(answer=failing(Rejection.NO_DATA))
    provider = feed(source, clock, calendar)
    await provider.poll(["GONE"])
    await provider.poll(["GONE"])
    assert source.calls == ["GONE"]
    clock.advance(timedelta(minutes=15))
    await provider.poll(["GONE"])
    assert source.calls == ["GONE", "GONE"]
    assert provider.stats().rejected == {"no_data": 2}


async def test_daily_history_is_cleaned(clock: ManualClock, calendar: TradingCalendar) -> None:
    """Bad or duplicate daily bars are dropped; the answer is sorted and windowed."""
    day = NOW.date()
    source = ScriptedSource(
        daily=[
            DailyBar(day, 1, 2, 0.5, 1.5, 10),
            DailyBar(day - timedelta(days=1), 1, 2, 0.5, math.nan, 10),
            DailyBar(day - timedelta(days=2), 1, 2, 0.5, 1.2, 10),
            DailyBar(day - timedelta(days=2), 1, 2, 0.5, 1.3, 11),
            DailyBar(day - timedelta(days=40), 1, 2, 0.5, 1.1, 10),
        ]
    )
    provider = feed(source, clock, calendar)
    bars = await provider.daily_history("CORZ", 30)
    assert [(b.date, b.close) for b in bars] == [(day - timedelta(days=2), 1.3), (day, 1.5)]


async def test_errors_are_reported_not_raised(
    clock: ManualClock, calendar: TradingCalendar
) -> None:
    """A source bug in one symbol is an error outcome, the poll goes on."""

    def explode(symbol: str, now: datetime) -> Fetched:
        if symbol == "BAD":
            raise KeyError("tradingPeriods")
        return Fetched(symbol, quote=quote(symbol, 5.0, now))

    provider = feed(ScriptedSource(answer=explode), clock, calendar)
    result = await provider.poll(["BAD", "GOOD"])
    assert result.updates["BAD"].rejection is Rejection.ERROR
    assert "KeyError" in result.updates["BAD"].detail
    assert result.updates["GOOD"].quote is not None


async def test_invalid_symbols_are_skipped_not_fatal(
    clock: ManualClock, calendar: TradingCalendar
) -> None:
    """One malformed symbol from the store does not stop the poll of the others."""
    source = ScriptedSource()
    provider = feed(source, clock, calendar)
    result = await provider.poll(["WULF", "not a symbol", "", "wulf "])
    assert set(result.updates) == {"WULF"} and source.calls == ["WULF"]
    assert await provider.daily_history("bad symbol!") == []
