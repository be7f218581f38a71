"""Quote providers (yahoo, replay, demo) behind one small interface."""

from bot.market.backoff import BackoffState
from bot.market.book import SymbolStats
from bot.market.calendar import CalendarRangeError, Session, TradingCalendar, is_crypto
from bot.market.factory import (
    SourceSetting,
    SourceSettingError,
    build_calendar,
    build_provider,
    parse_source_setting,
)
from bot.market.feed import FeedProvider
from bot.market.guards import Rejection
from bot.market.history import HistoryService, PriceHistoryStore
from bot.market.market_data import MarketData
from bot.market.models import Bar, DailyBar, DataSource, MarketState, PriceRange, Quote
from bot.market.negative_cache import NegativeEntry
from bot.market.provider import PollResult, PriceProvider, ProviderStats, SymbolUpdate
from bot.market.replay import replay_quote
from bot.market.replay_file import (
    ReplayFileError,
    ReplayRow,
    ReplayTick,
    ReplayTimeline,
    load_replay,
    parse_replay,
)
from bot.market.symbols import InvalidSymbol, normalize_symbol

__all__ = [
    "BackoffState",
    "Bar",
    "CalendarRangeError",
    "DailyBar",
    "DataSource",
    "FeedProvider",
    "HistoryService",
    "InvalidSymbol",
    "MarketData",
    "MarketState",
    "NegativeEntry",
    "PollResult",
    "PriceHistoryStore",
    "PriceProvider",
    "PriceRange",
    "ProviderStats",
    "Quote",
    "Rejection",
    "ReplayFileError",
    "ReplayRow",
    "ReplayTick",
    "ReplayTimeline",
    "Session",
    "SourceSetting",
    "SourceSettingError",
    "SymbolStats",
    "SymbolUpdate",
    "TradingCalendar",
    "build_calendar",
    "build_provider",
    "is_crypto",
    "load_replay",
    "normalize_symbol",
    "parse_replay",
    "parse_source_setting",
    "replay_quote",
]
