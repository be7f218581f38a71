"""Fixtures for the market tests: a calendar, a manual clock and a local Yahoo."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.market.calendar import TradingCalendar
from bot.market.feed import FeedProvider
from bot.market.yahoo import YahooSource
from tests import factories
from yahoo_emulator.payloads import YahooData
from yahoo_emulator.server import FakeYahoo, payload_sets, serving

# The MSFT charts (written and recorded) end on Friday 2026-09-25, last trade 20:00:01Z.
AFTER_MSFT_CLOSE = datetime(2026, 9, 25, 20, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    """Return a clock parked just after the recorded MSFT session."""
    return ManualClock(AFTER_MSFT_CLOSE)


@pytest.fixture(params=payload_sets(), ids=lambda data: data.name)
def yahoo_data(request: pytest.FixtureRequest) -> YahooData:
    """The payloads written here; the genuine recordings too when they sit beside the checkout."""
    data: YahooData = request.param
    return data


@pytest.fixture
def fake_yahoo() -> Iterator[FakeYahoo]:
    """Serve a local Yahoo, route curl_cffi to it, and reset yfinance around the test."""
    with serving() as server:
        yield server


YahooFactory = Callable[..., FeedProvider]


@pytest.fixture
async def make_yahoo(
    fake_yahoo: FakeYahoo, tmp_path: Path, clock: ManualClock, calendar: TradingCalendar
) -> AsyncIterator[YahooFactory]:
    """Return a builder of Yahoo providers wired to the local Yahoo and the manual clock."""
    built: list[FeedProvider] = []

    def make(**source_options: Any) -> FeedProvider:
        source_options.setdefault("market_caps", False)
        source = YahooSource(
            cache_dir=tmp_path / "yf-cache", clock=clock, calendar=calendar, **source_options
        )
        provider = factories.feed(source, clock, calendar, seed=7)
        built.append(provider)
        return provider

    yield make
    for provider in built:
        await provider.aclose()
