"""The daily summary in English and French (snapshots), and within Discord's limits in French."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.i18n import speaking
from bot.i18n.language import Language
from bot.ledger.changes import Change
from bot.ledger.model import HistoryEntry
from bot.market.models import DataSource, MarketState, Quote
from bot.render.board import BoardContext, BoardRow
from bot.render.summary import ContractChange, Mover, total_text
from bot.summary.compose import SummaryChart, compose_shared, compose_summary
from bot.summary.data import ServerInputs, SharedInputs
from tests import factories

from .snapshots import assert_snapshot, embed_text

NOW = datetime(2026, 12, 4, 21, 30, tzinfo=UTC)
BOTH: list[Language] = ["en", "fr"]


def quote(symbol: str, price: float, previous: float) -> Quote:
    return factories.quote(
        symbol,
        price,
        previous_close=previous,
        market_state=MarketState.CLOSED,
        as_of=NOW - timedelta(minutes=30),
    )


def shared_inputs() -> SharedInputs:
    lease = factories.contract(
        id=12, mw_critical_it=168.0, total_contract_value_usd=3.0e9, term_years=10.0
    )
    jv = factories.contract(
        id=14,
        host_symbol="WULF",
        counterparty="Core42",
        deal_kind="joint_venture",
        mw_critical_it=200.0,
        host_share_pct=51.0,
        total_contract_value_usd=9.7e9,
        value_exactness="approximate",
        term_years=10.0,
        status_as_of="2025-12-01",
    )
    rows = (
        BoardRow("CIFR", 15.5, 3.33, 12.0, 6.0e9, 168, False, 3.0e9),
        BoardRow("WULF", 11.2, -1.75, -4.1, 4.4e9, 102, False, 4.9e9, True),
    )
    return SharedInputs(
        rows=rows,
        context=BoardContext("change", DataSource.YAHOO, NOW - timedelta(minutes=30), "2025-11-20"),
        btc=quote("BTC-USD", 91_000.0, 90_000.0),
        nvda=quote("NVDA", 180.0, 178.0),
        movers=(Mover("CIFR", 3.33, 15.5), Mover("WULF", -1.75, 11.2, stale=True)),
        contracts=(lease, jv),
    )


def server_inputs() -> ServerInputs:
    contract = factories.contract(id=12, mw_critical_it=168.0)
    at = (NOW - timedelta(hours=3)).isoformat()
    edited = HistoryEntry(12, at, 42, "user:42", "update", "mw_it", "150", "168")
    change = ContractChange(contract, Change(1, 1, 12, (edited,)))
    alert = factories.fired_alert(3, NOW)
    return ServerInputs((change,), NOW - timedelta(days=1), (alert,), history_id=1)


@pytest.mark.parametrize("language", BOTH)
def test_the_summary(language: Language) -> None:
    with speaking(language):
        shared = compose_shared(shared_inputs(), SummaryChart(None))
        composed = compose_summary(shared, server_inputs(), day=NOW.date())
    text = "\n".join(embed_text(embed) for embed in composed.payload["embeds"])
    assert_snapshot(f"summary.{language}", text)


def test_the_french_summary_fits_one_message_as_the_english_does() -> None:
    sizes = {}
    for language in BOTH:
        with speaking(language):
            shared = compose_shared(shared_inputs(), SummaryChart(None))
            composed = compose_summary(shared, server_inputs(), day=NOW.date())
        sizes[language] = total_text(composed.payload["embeds"])
        assert len(composed.payload["embeds"]) <= 10
    assert sizes["fr"] <= 6000 and sizes["fr"] > sizes["en"]  # longer words, still one message
