"""Build the provider named by MINERWATCH_PRICE_SOURCE."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.clock import Clock
from bot.market.backoff import Backoff
from bot.market.calendar import DEFAULT_END, DEFAULT_START, TradingCalendar
from bot.market.demo import DemoSource
from bot.market.feed import FeedProvider
from bot.market.models import DataSource
from bot.market.negative_cache import NegativeCache
from bot.market.replay import ReplaySource
from bot.market.replay_file import load_replay
from bot.market.yahoo import YahooSource


class SourceSettingError(ValueError):
    """MINERWATCH_PRICE_SOURCE names no known source."""

    def __init__(self, value: str) -> None:
        super().__init__(f"unknown price source {value[:80]!r}: use yahoo, demo or replay:PATH")
        self.value = value


@dataclass(frozen=True, slots=True)
class SourceSetting:
    """A parsed price-source setting."""

    kind: DataSource
    path: Path | None = None


def parse_source_setting(value: str) -> SourceSetting:
    """Parse ``yahoo``, ``demo`` or ``replay:PATH``."""
    text = value.strip()
    if text == "yahoo":
        return SourceSetting(DataSource.YAHOO)
    if text == "demo":
        return SourceSetting(DataSource.DEMO)
    if text.startswith("replay:") and text.removeprefix("replay:").strip():
        return SourceSetting(DataSource.REPLAY, Path(text.removeprefix("replay:").strip()))
    raise SourceSettingError(value)


def build_calendar(clock: Clock) -> TradingCalendar:
    """Build the trading calendar once, covering 2020-2030 and at least two years ahead."""
    today = clock.now().date()
    end = max(DEFAULT_END, date(today.year + 2, 12, 31))
    return TradingCalendar(start=min(DEFAULT_START, today - timedelta(days=400)), end=end)


def build_provider(
    source_setting: str,
    *,
    cache_dir: Path,
    clock: Clock,
    poll_seconds: float,
    calendar: TradingCalendar | None = None,
    started_at: datetime | None = None,
    market_caps: bool = True,
    rng: random.Random | None = None,
) -> FeedProvider:
    """Return the provider for ``source_setting`` (raises SourceSettingError, ReplayFileError)."""
    setting = parse_source_setting(source_setting)
    calendar = calendar or build_calendar(clock)
    backoff = Backoff(clock, rng=rng)
    if setting.kind is DataSource.YAHOO:
        source: YahooSource | ReplaySource | DemoSource = YahooSource(
            cache_dir=cache_dir, clock=clock, calendar=calendar, market_caps=market_caps
        )
        negative = NegativeCache(clock)
    elif setting.kind is DataSource.REPLAY and setting.path is not None:
        timeline = load_replay(setting.path, started_at=started_at or clock.now())
        source = ReplaySource(timeline, calendar=calendar)
        # A replay symbol with no row yet gets one later: never remember a miss.
        negative = NegativeCache(clock, ttls={})
    else:
        source = DemoSource(calendar=calendar)
        negative = NegativeCache(clock, ttls={})
    return FeedProvider(
        source,
        clock=clock,
        calendar=calendar,
        poll_seconds=poll_seconds,
        backoff=backoff,
        negative_cache=negative,
    )
