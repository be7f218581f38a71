"""The replay source: CSV timestamps, "last row at or before t", errors with line numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.market.calendar import TradingCalendar
from bot.market.factory import build_provider
from bot.market.guards import Rejection
from bot.market.models import DataSource, MarketState
from bot.market.replay import replay_quote
from bot.market.replay_file import ReplayFileError, load_replay, parse_replay

START = datetime(2026, 9, 24, 14, 0, tzinfo=UTC)  # a Thursday, 10:00 ET

MIXED = """timestamp,symbol,price,prev_close,volume
2026-09-23T19:59:00Z,CIFR,9.80,,1000
+0,CIFR,10.00,,1500
+60,CIFR,10.40,,2000
+120,CIFR,10.10,,2500
2026-09-24T10:01:30-04:00,WULF,12.00,11.50,
+3600,BTC-USD,100000,,
"""


def parse(text: str, started_at: datetime = START):  # type: ignore[no-untyped-def]
    return parse_replay(text, path="prices.csv", started_at=started_at)


def test_relative_and_absolute_timestamps_resolve_to_utc() -> None:
    """+SECONDS counts from the bot's start; ISO-8601 with an offset is absolute."""
    timeline = parse(MIXED)
    cifr = timeline.rows("CIFR")
    assert [r.at for r in cifr] == [
        datetime(2026, 9, 23, 19, 59, tzinfo=UTC),
        START,
        START + timedelta(seconds=60),
        START + timedelta(seconds=120),
    ]
    assert timeline.rows("WULF")[0].at == datetime(2026, 9, 24, 14, 1, 30, tzinfo=UTC)
    assert timeline.rows("BTC-USD")[0].at == START + timedelta(hours=1)
    assert timeline.symbols == ("BTC-USD", "CIFR", "WULF")
    assert cifr[1].line == 3 and cifr[1].volume == 1500


@pytest.mark.parametrize(
    ("offset", "price"),
    [
        (timedelta(seconds=-1), 9.80),  # before the start: yesterday's row
        (timedelta(0), 10.00),  # exactly at a row
        (timedelta(seconds=59), 10.00),
        (timedelta(seconds=60), 10.40),
        (timedelta(hours=5), 10.10),  # long after the last row: the last row stays
    ],
)
def test_price_at_t_is_the_last_row_at_or_before_t(offset: timedelta, price: float) -> None:
    """At time t a symbol's price is its last row at or before t."""
    tick = parse(MIXED).tick_at("CIFR", START + offset)
    assert tick is not None and tick.row.price == price


def test_no_price_before_the_first_row() -> None:
    """Before its first row a symbol has no price."""
    timeline = parse(MIXED)
    assert timeline.tick_at("BTC-USD", START) is None
    assert timeline.tick_at("NVDA", START) is None


def test_previous_close_from_column_else_previous_utc_day() -> None:
    """prev_close wins; otherwise the previous UTC day's last price; otherwise None."""
    timeline = parse(MIXED)
    today = timeline.tick_at("CIFR", START + timedelta(seconds=90))
    assert today is not None and today.previous_close == 9.80
    assert (today.day_high, today.day_low) == (10.40, 10.00)
    yesterday = timeline.tick_at("CIFR", START - timedelta(seconds=1))
    assert yesterday is not None and yesterday.previous_close is None
    wulf = timeline.tick_at("WULF", START + timedelta(minutes=5))
    assert wulf is not None and wulf.previous_close == 11.50


def test_back_testing_is_a_pure_walk_over_the_rows(calendar: TradingCalendar) -> None:
    """iter_ticks yields every row once in time order; replay_quote turns one into a quote."""
    timeline = parse(MIXED)
    ticks = list(timeline.iter_ticks())
    assert [t.row.at for t in ticks] == sorted(t.row.at for t in ticks)
    assert len(ticks) == 6
    at = START + timedelta(seconds=90)
    snapshot = timeline.ticks_at(at)
    assert set(snapshot) == {"CIFR", "WULF"}
    quote = replay_quote(snapshot["CIFR"], calendar, at)
    assert quote.source is DataSource.REPLAY and not quote.delayed
    assert quote.price == 10.40 and quote.change == pytest.approx(0.60)
    assert quote.market_state is MarketState.REGULAR


GOOD_HEADER = "timestamp,symbol,price"
BAD_FILES = [
    pytest.param("", 1, "empty file", id="empty"),
    pytest.param(
        "timestamp,symbol,price,colour\n+0,CIFR,1,red\n",
        1,
        "unknown column 'colour'",
        id="unknown-column",
    ),
    pytest.param("timestamp,price\n+0,1\n", 1, "missing column(s): symbol", id="missing-column"),
    pytest.param("timestamp,symbol,price,price\n", 1, "named twice", id="duplicate-column"),
    pytest.param(GOOD_HEADER + "\n", 1, "no data rows", id="header-only"),
    pytest.param(
        GOOD_HEADER + "\n+0,CIFR,ten\n", 2, "price 'ten' is not a number", id="bad-number"
    ),
    pytest.param(GOOD_HEADER + "\n+0,CIFR,10\n+1,CIFR,0\n", 3, "above 0", id="zero-price"),
    pytest.param(GOOD_HEADER + "\n+0,CIFR,-1\n", 2, "above 0", id="negative-price"),
    pytest.param(GOOD_HEADER + "\n+0,CIFR,nan\n", 2, "finite", id="nan-price"),
    pytest.param(GOOD_HEADER + "\n+0,CIFR,inf\n", 2, "finite", id="inf-price"),
    pytest.param(
        GOOD_HEADER + "\n2026-09-24T10:00:00,CIFR,10\n", 2, "no UTC offset", id="naive-timestamp"
    ),
    pytest.param(GOOD_HEADER + "\nyesterday,CIFR,10\n", 2, "bad timestamp", id="bad-timestamp"),
    pytest.param(GOOD_HEADER + "\n-5,CIFR,10\n", 2, "bad timestamp", id="negative-relative"),
    pytest.param(GOOD_HEADER + "\n+0,CIFR,10,4\n", 2, "expected 3 fields, got 4", id="extra-field"),
    pytest.param(GOOD_HEADER + "\n+0,CIFR\n", 2, "expected 3 fields, got 2", id="short-row"),
    pytest.param(GOOD_HEADER + "\n+0,CI FR,10\n", 2, "not a ticker symbol", id="bad-symbol"),
    pytest.param(
        GOOD_HEADER + "\n+60,CIFR,10\n+0,WULF,12\n+30,CIFR,11\n",
        4,
        "not after its previous row (line 2",
        id="out-of-order",
    ),
    pytest.param(
        GOOD_HEADER + "\n2026-09-24T14:00:30Z,CIFR,10\n+0,CIFR,11\n",
        3,
        "rows must be in time order",
        id="out-of-order-mixed",
    ),
    pytest.param(GOOD_HEADER + "\n+0,CIFR,10\n+0,CIFR,11\n", 3, "not after", id="same-time-twice"),
    pytest.param(
        GOOD_HEADER + ",prev_close\n+0,CIFR,10,abc\n", 2, "prev_close 'abc'", id="bad-prev-close"
    ),
    pytest.param(
        GOOD_HEADER + ",volume\n+0,CIFR,10,1.5\n", 2, "whole number", id="fractional-volume"
    ),
    pytest.param(GOOD_HEADER + ",volume\n+0,CIFR,10,-3\n", 2, "whole number", id="negative-volume"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD_FILES)
def test_bad_files_are_refused_with_the_line_number(text: str, line: int, reason: str) -> None:
    """Every malformed file fails at load, naming the file, the line and what is wrong."""
    with pytest.raises(ReplayFileError) as caught:
        parse(text)
    error = caught.value
    assert (error.path, error.line) == ("prices.csv", line)
    assert reason in error.reason
    assert str(error).startswith(f"prices.csv:{line}: ")


def test_blank_lines_are_skipped_and_line_numbers_stay_physical() -> None:
    """A blank line does not shift the reported line numbers."""
    with pytest.raises(ReplayFileError) as caught:
        parse(GOOD_HEADER + "\n+0,CIFR,10\n\n+5,CIFR,oops\n")
    assert caught.value.line == 4


def test_unreadable_file_is_a_replay_error(tmp_path: Path) -> None:
    """A missing file is reported as such (line 0 = the file itself)."""
    with pytest.raises(ReplayFileError) as caught:
        load_replay(tmp_path / "nope.csv", started_at=START)
    assert caught.value.line == 0 and "cannot read" in caught.value.reason


async def test_replay_provider_serves_the_timeline_on_the_clock(
    tmp_path: Path, calendar: TradingCalendar
) -> None:
    """Polls follow the clock; the range since the last poll includes rows in between."""
    path = tmp_path / "prices.csv"
    path.write_text(MIXED, encoding="utf-8")
    clock = ManualClock(START)
    provider = build_provider(
        f"replay:{path}",
        cache_dir=tmp_path,
        clock=clock,
        poll_seconds=60,
        calendar=calendar,
        started_at=START,
    )

    first = await provider.poll(["CIFR", "BTC-USD", "NVDA"])
    assert first.requests == 0
    cifr = first.updates["CIFR"].quote
    assert cifr is not None and cifr.price == 10.00 and cifr.source is DataSource.REPLAY
    assert cifr.previous_close == 9.80
    assert first.updates["BTC-USD"].rejection is Rejection.NO_DATA  # its first row is later
    assert first.updates["NVDA"].rejection is Rejection.UNKNOWN_SYMBOL

    clock.advance(timedelta(seconds=150))
    second = (await provider.poll(["CIFR"])).updates["CIFR"]
    assert second.quote is not None and second.quote.price == 10.10
    assert second.previous is not None and second.previous.price == 10.00
    spike = second.range_since_last
    assert spike is not None and (spike.high, spike.low) == (10.40, 10.10)

    clock.set(START + timedelta(hours=2))
    later = await provider.poll(["BTC-USD"])
    btc = later.updates["BTC-USD"].quote
    assert (
        btc is not None and btc.market_state is MarketState.ALWAYS_OPEN
    )  # not remembered as missing
    history = await provider.daily_history("CIFR", 5)
    assert [(b.date.day, b.open, b.close, b.high, b.low) for b in history] == [
        (23, 9.80, 9.80, 9.80, 9.80),
        (24, 10.00, 10.10, 10.40, 10.00),
    ]
    assert provider.cached("CIFR") is not None
