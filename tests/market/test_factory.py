"""Choosing the source from MINERWATCH_PRICE_SOURCE, and the facade the bot uses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.market.calendar import TradingCalendar
from bot.market.factory import SourceSettingError, build_provider, parse_source_setting
from bot.market.market_data import MarketData
from bot.market.models import DataSource, MarketState
from bot.market.replay_file import ReplayFileError
from yahoo_emulator.server import fresh_yfinance

from .memory_store import MemoryHistoryStore

NOW = datetime(2026, 9, 24, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "kind", "path"),
    [
        ("yahoo", DataSource.YAHOO, None),
        (" demo ", DataSource.DEMO, None),
        ("replay:data/x.csv", DataSource.REPLAY, Path("data/x.csv")),
        ("replay:/srv/a b.csv", DataSource.REPLAY, Path("/srv/a b.csv")),
    ],
)
def test_settings_parse(text: str, kind: DataSource, path: Path | None) -> None:
    """The three spellings are understood."""
    setting = parse_source_setting(text)
    assert (setting.kind, setting.path) == (kind, path)


@pytest.mark.parametrize("text", ["", "Yahoo", "replay:", "replay", "csv:x", "demo2"])
def test_unknown_settings_are_refused(text: str) -> None:
    """Anything else names the allowed values."""
    with pytest.raises(SourceSettingError, match="yahoo, demo or replay:PATH"):
        parse_source_setting(text)


def test_a_bad_replay_file_stops_the_build(tmp_path: Path, calendar: TradingCalendar) -> None:
    """A malformed replay file fails at start, with its line number."""
    path = tmp_path / "bad.csv"
    path.write_text("timestamp,symbol,price\n+0,CIFR,-1\n", encoding="utf-8")
    with pytest.raises(ReplayFileError, match=r"bad\.csv:2: "):
        build_provider(
            f"replay:{path}",
            cache_dir=tmp_path,
            clock=ManualClock(NOW),
            poll_seconds=60,
            calendar=calendar,
        )


async def test_market_data_facade_over_demo(tmp_path: Path) -> None:
    """The facade: poll_once, quote from memory, state, history through the store."""
    clock = ManualClock(NOW)
    store = MemoryHistoryStore()
    market = MarketData.open("demo", cache_dir=tmp_path, clock=clock, poll_seconds=60, store=store)
    assert market.is_demo and market.source is DataSource.DEMO
    assert market.quote("IREN") is None

    result = await market.poll_once(["IREN", "BTC-USD"])
    assert market.last_poll is result
    quote = market.quote("iren")
    assert quote is not None and quote.is_demo
    assert market.market_state("IREN") is MarketState.REGULAR
    assert market.market_state("BTC-USD") is MarketState.ALWAYS_OPEN
    assert (await market.fetch_quote("NVDA")) is not None

    assert set(await market.refresh_history(["IREN"])) == {"IREN"}
    bars = await market.daily_bars("IREN", 30)
    assert bars and bars == await store.load_daily("IREN", bars[0].date)
    assert market.stats().polls == 1
    await market.aclose()


def test_yahoo_is_the_default_and_builds_without_network(
    tmp_path: Path, calendar: TradingCalendar
) -> None:
    """Building the Yahoo provider makes no request (the first poll does)."""
    with fresh_yfinance():  # it points yfinance's caches at tmp_path: undo that afterwards
        provider = build_provider(
            "yahoo",
            cache_dir=tmp_path / "cache",
            clock=ManualClock(NOW),
            poll_seconds=60,
            calendar=calendar,
        )
        assert provider.source is DataSource.YAHOO
        assert provider.stats().requests == 0
        assert (tmp_path / "cache").is_dir()
