"""Fixtures for the market tests: a calendar, a manual clock and a local Yahoo."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.market.backoff import Backoff
from bot.market.calendar import TradingCalendar
from bot.market.feed import FeedProvider
from bot.market.negative_cache import NegativeCache
from bot.market.yahoo import YahooSource

from .fake_yahoo import FIXTURES, FakeYahoo, fresh_yfinance, route_yahoo_to

# The recorded MSFT charts end on Friday 2026-09-25 (last trade 16:00:01 EDT = 20:00:01Z).
AFTER_MSFT_CLOSE = datetime(2026, 9, 25, 20, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def calendar() -> TradingCalendar:
    """Build the XNYS calendar once for the whole run (it is slow to build)."""
    return TradingCalendar()


@pytest.fixture
def clock() -> ManualClock:
    """Return a clock parked just after the recorded MSFT session."""
    return ManualClock(AFTER_MSFT_CLOSE)


@pytest.fixture
def fixtures_dir() -> Path:
    """Return the genuine Yahoo payloads folder, skipping when this checkout lacks it."""
    if not FIXTURES.is_dir():
        pytest.skip(f"recorded Yahoo payloads not found at {FIXTURES} (../shared/fixtures/yahoo)")
    return FIXTURES


@pytest.fixture
def fake_yahoo(fixtures_dir: Path) -> Iterator[FakeYahoo]:
    """Serve a local Yahoo, route curl_cffi to it, and reset yfinance around the test."""
    server = FakeYahoo()
    server.start()
    try:
        with route_yahoo_to(server.port), fresh_yfinance():
            yield server
    finally:
        server.stop()


YahooFactory = Callable[..., FeedProvider]


@pytest.fixture
async def make_yahoo(
    fake_yahoo: FakeYahoo, tmp_path: Path, clock: ManualClock, calendar: TradingCalendar
) -> AsyncIterator[YahooFactory]:
    """Return a builder of Yahoo providers wired to the local Yahoo and the manual clock."""
    import random

    built: list[FeedProvider] = []

    def make(**source_options: Any) -> FeedProvider:
        source_options.setdefault("market_caps", False)
        source = YahooSource(
            cache_dir=tmp_path / "yf-cache", clock=clock, calendar=calendar, **source_options
        )
        provider = FeedProvider(
            source,
            clock=clock,
            calendar=calendar,
            poll_seconds=60,
            backoff=Backoff(clock, rng=random.Random(7)),
            negative_cache=NegativeCache(clock),
        )
        built.append(provider)
        return provider

    yield make
    for provider in built:
        await provider.aclose()
