"""Builders for the objects many tests need: quotes, alerts, contracts, filings and a price feed.

Each fills in what the type requires with plain, neutral values; a test passes only what it
is about, so that the reader sees which facts matter.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.alerts.model import Alert, AlertKind, AlertState
from bot.clock import Clock
from bot.filings.draft_model import FilingRef
from bot.filings.model import Filing, Level
from bot.ledger.model import Contract
from bot.market.backoff import Backoff
from bot.market.calendar import TradingCalendar
from bot.market.feed import FeedProvider
from bot.market.models import DataSource, MarketState, Quote
from bot.market.negative_cache import NegativeCache
from bot.market.source import Source

# Wednesday 2026-11-25, 10:00 in New York: a regular NYSE session (the 26th is Thanksgiving).
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def quote(
    symbol: str = "CIFR",
    price: float = 10.0,
    *,
    previous_close: float | None = None,
    as_of: datetime = NOW,
    market_state: MarketState = MarketState.REGULAR,
    source: DataSource = DataSource.YAHOO,
    **fields: Any,
) -> Quote:
    """Return a USD quote; the day range, volume and 52-week figures are unknown unless given."""
    return Quote.priced(
        symbol,
        price,
        previous_close=previous_close,
        market_state=market_state,
        as_of=as_of,
        source=source,
        **fields,
    )


def alert(**fields: Any) -> Alert:
    """Return an armed one-shot alert as the store would hold it (id 1, created a day ago)."""
    values: dict[str, Any] = {
        "id": 1,
        "guild_id": 100,
        "channel_id": 1_000,
        "owner_id": 11,
        "symbol": "CIFR",
        "kind": AlertKind.ABOVE,
        "level": 10.0,
        "repeat": False,
        "via_dm": False,
        "state": AlertState.ARMED,
        "created_at": NOW - timedelta(days=1),
        "expires_at": NOW + timedelta(days=89),
    }
    values.update(fields)
    return Alert(**values)


def contract(**fields: Any) -> Contract:
    """Return a signed seed contract with only the required facts, plus ``fields``."""
    values: dict[str, Any] = {
        "id": 1,
        "key": None,
        "guild_id": None,
        "origin": "seed",
        "host_symbol": "CIFR",
        "counterparty": "Fluidstack",
        "status": "signed",
        "status_as_of": "2025-11-20",
        "confidence": "high",
    }
    values.update(fields)
    return Contract(**values)


def fired_alert(n: int, at: datetime, *, owner: int = 1000) -> Alert:
    """Return the n-th of many alerts that fired once in the last day (n minutes before ``at``)."""
    return alert(
        id=n,
        guild_id=1,
        channel_id=2,
        owner_id=owner + n,
        level=12.0 + n,
        state=AlertState.FIRED,
        created_at=at - timedelta(days=2),
        expires_at=at + timedelta(days=80),
        fired_count=1,
        last_fired_at=at - timedelta(minutes=n),
    )


def feed(
    source: Source, clock: Clock, calendar: TradingCalendar, *, seed: int = 1, **options: Any
) -> FeedProvider:
    """Return a feed polling every minute, with seeded backoff jitter and its own negative cache."""
    return FeedProvider(
        source,
        clock=clock,
        calendar=calendar,
        poll_seconds=60,
        backoff=Backoff(clock, rng=random.Random(seed)),
        negative_cache=NegativeCache(clock),
        **options,
    )


def filing(n: int = 1, **changes: Any) -> Filing:
    """Return the n-th new Cipher 8-K as the watcher stores it: a likely deal with its figures."""
    at = datetime(2026, 3, 2, 21, 5, tzinfo=UTC)
    values: dict[str, Any] = {
        "accession": f"0001819989-26-{n:06d}",
        "cik": "1819989",
        "symbol": "CIFR",
        "company": "Cipher Digital Inc.",
        "form": "8-K",
        "items": ("1.01", "9.01"),
        "filed": "2026-03-02",
        "accepted": at,
        "title": "Current report",
        "primary_url": "https://www.sec.gov/Archives/edgar/data/1819989/x/doc.htm",
        "index_url": "https://www.sec.gov/Archives/edgar/data/1819989/x/x-index.htm",
        "level": Level.LIKELY,
        "score": 14,
        "phrases": ("lease", "MW", "Fluidstack"),
        "figures": ("168 MW of critical IT", "$3.8 billion", "10 years"),
        "found_at": at,
    }
    values.update(changes)
    return Filing(**values)


def filing_ref(**fields: Any) -> FilingRef:
    """Return the Cipher 8-K a draft was read from, plus ``fields``."""
    values: dict[str, Any] = {
        "accession": "0001819989-26-000123",
        "cik": "1819989",
        "form": "8-K",
        "filed_date": "2026-11-04",
        "url": "https://www.sec.gov/Archives/edgar/data/1819989/000181998926000123/",
        "title": "Cipher Digital 8-K: colocation lease",
    }
    values.update(fields)
    return FilingRef(**values)
