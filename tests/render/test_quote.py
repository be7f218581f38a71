"""The /price card renderer: tables of quotes in, embed dicts checked field by field."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.market.models import DataSource, MarketState, Quote
from bot.render.exposure import Exposure
from bot.render.quote import DOWN, FLAT, UP, QuoteCard, colour_for, quote_embed
from tests import factories

AS_OF = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def make_quote(**changes: Any) -> Quote:
    base = factories.quote(
        "CIFR",
        15.5,
        previous_close=15.0,
        day_high=15.8,
        day_low=14.9,
        volume=12_345_678,
        market_cap=6.0e9,
        fifty_two_week_high=25.0,
        fifty_two_week_low=3.2,
        as_of=AS_OF,
    )
    return dataclasses.replace(base, **changes)


def fields(embed: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed["fields"]}


def test_full_yahoo_card() -> None:
    exposure = Exposure("CIFR", contracts=3, mw_it=544, value_usd=9.3e9, as_of="2025-11-20")
    embed = quote_embed(QuoteCard(make_quote(), "Cipher Mining Inc.", True, exposure))
    assert embed["title"] == "CIFR · Cipher Mining Inc."
    assert embed["description"] == "**$15.50**  +$0.50 (+3.33 %) vs previous close"
    assert embed["color"] == UP
    assert fields(embed) == {
        "Day range": "$14.90 – $15.80",
        "Volume": "12.3M",
        "Market cap": "$6B",
        "52-week range": "$3.20 – $25.00",
        "Market": "Regular session",
        "As of": "<t:1795618800:f>",
        "Contracted AI power": "544 MW (IT)\n3 contracts · statuses as of 2025-11-20 (oldest)",
        "Contract value": "$9.3B",
        "Value / market cap": "1.55×",
    }
    assert embed["footer"]["text"] == "Yahoo Finance, may be delayed · Not investment advice"
    assert embed["timestamp"] == AS_OF.isoformat()


@pytest.mark.parametrize(
    ("changes", "title", "colour", "in_description"),
    [
        ({"price": 14.0}, "CIFR", DOWN, "−$1.00 (−6.67 %)"),
        ({"price": 15.0}, "CIFR", FLAT, "$0.00 (0.00 %)"),
        ({"previous_close": None}, "CIFR", FLAT, "— (—)"),
        ({"source": DataSource.DEMO}, "[DEMO] CIFR", UP, "DEMO data"),
        ({"stale": True}, "CIFR", UP, "⚠ Stale: last update <t:1795618800:R>"),
        ({"price": 0.5, "previous_close": 0.4}, "CIFR", UP, "+$0.1000 (+25.00 %)"),
    ],
)
def test_card_variants(
    changes: dict[str, Any], title: str, colour: int, in_description: str
) -> None:
    embed = quote_embed(QuoteCard(make_quote(**changes)))
    assert embed["title"] == title
    assert embed["color"] == colour
    assert in_description in embed["description"]


@pytest.mark.parametrize(
    ("changes", "name", "value"),
    [
        ({"market_cap": None}, "Market cap", "—"),
        ({"fifty_two_week_high": None}, "52-week range", "—"),
        ({"day_low": None}, "Day range", "—"),
        ({"volume": None}, "Volume", "—"),
        ({"market_state": MarketState.PRE}, "Market", "Pre-market"),
        ({"market_state": MarketState.POST}, "Market", "Post-market"),
        ({"market_state": MarketState.CLOSED}, "Market", "Closed"),
        ({"market_state": MarketState.ALWAYS_OPEN}, "Market", "24/7"),
        ({"delayed": True}, "As of", "<t:1795618800:f> (delayed)"),
    ],
)
def test_unknowns_are_dashes_and_states_are_named(
    changes: dict[str, Any], name: str, value: str
) -> None:
    assert fields(quote_embed(QuoteCard(make_quote(**changes))))[name] == value


def test_demo_footer_and_replay_source_line() -> None:
    demo = quote_embed(QuoteCard(make_quote(source=DataSource.DEMO)))
    assert demo["footer"]["text"].startswith("[DEMO] DEMO: synthetic prices")
    replay = quote_embed(QuoteCard(make_quote(source=DataSource.REPLAY)))
    assert replay["footer"]["text"].startswith("Replayed prices")


@pytest.mark.parametrize(
    ("exposure", "power", "value"),
    [
        (Exposure("X", contracts=1, mw_gross_only=300, as_of="2025-11"), "300 MW (gross)", "—"),
        (
            Exposure("X", contracts=2, mw_it=207, mw_gross_only=300, value_usd=5.5e9),
            "207 MW (IT) + 300 MW (gross)",
            "$5.5B",
        ),
        (
            Exposure("X", contracts=2, mw_unknown=2, value_usd=1e9, value_approx=True),
            "—",
            "~$1B",
        ),
        (
            Exposure("X", contracts=2, mw_it=10, value_usd=1e9, value_unknown=1),
            "10 MW (IT)",
            "$1B (1 undisclosed)",
        ),
    ],
)
def test_contract_fields(exposure: Exposure, power: str, value: str) -> None:
    shown = fields(quote_embed(QuoteCard(make_quote(), "X", True, exposure)))
    assert shown["Contracted AI power"].split("\n")[0] == power
    assert shown["Contract value"] == value


def test_tracked_company_without_contracts_says_so() -> None:
    shown = fields(quote_embed(QuoteCard(make_quote(), "Nvidia", True, None)))
    assert shown["Contracted AI power"] == "No hosting contracts in this server's ledger."


def test_company_name_is_neutralised() -> None:
    embed = quote_embed(QuoteCard(make_quote(), "@everyone **bold**", True))
    assert "@everyone" not in embed["title"] and "**" not in embed["title"]


@pytest.mark.parametrize(
    ("change", "colour"), [(0.01, UP), (-0.01, DOWN), (0.0, FLAT), (None, FLAT)]
)
def test_colour_for(change: float | None, colour: int) -> None:
    assert colour_for(change) == colour


@pytest.mark.parametrize(
    ("now", "traded", "shown"),
    [
        (MarketState.CLOSED, MarketState.POST, "Closed · last trade post-market"),
        (MarketState.REGULAR, MarketState.PRE, "Regular session · last trade pre-market"),
        (MarketState.POST, MarketState.POST, "Post-market"),
        (MarketState.CLOSED, MarketState.REGULAR, "Closed"),
        (MarketState.CLOSED, None, "Closed"),
    ],
)
def test_the_market_field_says_where_an_off_hours_last_trade_was_made(
    now: MarketState, traded: MarketState | None, shown: str
) -> None:
    quote = make_quote(market_state=now, session=traded)
    assert fields(quote_embed(QuoteCard(quote)))["Market"] == shown
