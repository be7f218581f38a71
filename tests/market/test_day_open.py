"""The session's opening price a gap alert compares: from Yahoo's first bar, or a replay's
first row of the day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.market.calendar import TradingCalendar
from bot.market.replay import replay_quote
from bot.market.replay_file import parse_replay
from tests.market.conftest import YahooFactory
from yahoo_emulator.payloads import YahooData
from yahoo_emulator.server import FakeYahoo


async def test_yahoos_quote_opens_at_the_latest_sessions_first_bar(
    make_yahoo: YahooFactory, fake_yahoo: FakeYahoo, yahoo_data: YahooData
) -> None:
    fake_yahoo.serve_chart("MSFT", yahoo_data.hourly.body)
    provider = make_yahoo(quote_period="1mo", quote_interval="1h")
    update = (await provider.poll(["MSFT"])).updates["MSFT"]
    assert update.quote is not None
    raw = yahoo_data.hourly.result
    stamps, opens = raw["timestamp"], raw["indicators"]["quote"][0]["open"]
    last_day = datetime.fromtimestamp(stamps[-1], UTC).date()
    first_of_day = next(
        i for i, s in enumerate(stamps) if datetime.fromtimestamp(s, UTC).date() == last_day
    )
    assert update.quote.day_open == opens[first_of_day]


def test_a_replay_day_opens_at_its_first_row(calendar: TradingCalendar) -> None:
    start = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
    text = (
        "timestamp,symbol,price,prev_close\n"
        "2026-11-24T20:00:00+00:00,CIFR,15.00,\n"
        "+0,CIFR,15.90,15.00\n"
        "+60,CIFR,15.20,15.00\n"
    )
    timeline = parse_replay(text, path="prices.csv", started_at=start)
    later = start + timedelta(seconds=60)
    tick = timeline.tick_at("CIFR", later)
    assert tick is not None
    assert replay_quote(tick, calendar, later).day_open == 15.90
    yesterday = timeline.tick_at("CIFR", start - timedelta(seconds=1))
    assert yesterday is not None and yesterday.day_open == 15.00
