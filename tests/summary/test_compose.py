"""Summary composition (pure): Discord's limits with the whole universe, the miners' index."""

from __future__ import annotations

import copy
import math
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.ledger.changes import Change
from bot.ledger.model import Contract, HistoryEntry
from bot.limits import EMBED_DESCRIPTION as DESCRIPTION_LIMIT
from bot.limits import EMBED_FIELD_NAME as FIELD_NAME_LIMIT
from bot.limits import EMBED_FIELD_VALUE as FIELD_VALUE_LIMIT
from bot.limits import EMBED_FIELDS as FIELD_COUNT_LIMIT
from bot.limits import EMBED_TITLE as TITLE_LIMIT
from bot.limits import EMBED_TOTAL as MAX_EMBED_TEXT
from bot.limits import EMBEDS_PER_MESSAGE as MAX_EMBEDS
from bot.market.models import DataSource, MarketState, Quote
from bot.prices import board_row
from bot.render.board import BoardContext
from bot.render.chart import Series, period_start
from bot.render.exposure import exposures
from bot.render.summary import ContractChange, Mover, total_text
from bot.store import Store
from bot.summary.compose import (
    CHART_FILENAME,
    SharedParts,
    SummaryChart,
    compose_shared,
    compose_summary,
    miners_index,
    render_summary_chart,
)
from bot.summary.data import ChartInputs, ServerInputs, SharedInputs
from bot.symbols import Entry, SymbolIndex
from tests import factories

NOW = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)
TODAY = NOW.date()
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def quote(symbol: str, price: float, change_pct: float, source: DataSource) -> Quote:
    return factories.quote(
        symbol,
        price,
        previous_close=price / (1 + change_pct / 100),
        day_high=price * 1.02,
        day_low=price * 0.97,
        volume=1_000_000,
        market_cap=price * 3e8,
        fifty_two_week_high=price * 2,
        fifty_two_week_low=price / 2,
        market_state=MarketState.CLOSED,
        as_of=NOW - timedelta(minutes=30),
        source=source,
    )


def series(symbol: str, start: float, drift: float, days: int = 90) -> Series:
    dates = [TODAY - timedelta(days=days - i) for i in range(days + 1)]
    kept = [d for d in dates if d.weekday() < 5 or symbol == "BTC-USD"]
    closes = [start * (1 + drift) ** i * (1 + 0.02 * math.sin(i)) for i in range(len(kept))]
    return Series(symbol, tuple(kept), tuple(closes))


async def shared_inputs(store: Store, source: DataSource) -> SharedInputs:
    """Build the shared inputs from the shipped universe, with a quote for every symbol."""
    companies = await store.ledger.companies()
    entries = SymbolIndex.from_companies(companies).board()
    contracts = await store.ledger.contracts(guild_id=None)
    held = exposures(contracts)
    quotes = {
        c.symbol: quote(c.symbol, 10.0 + n, (n % 9) - 4.5, source) for n, c in enumerate(companies)
    }
    rows = tuple(
        board_row(e, quotes.get(e.symbol), held.get(e.symbol), 9.0 + n)
        for n, e in enumerate(entries)
    )
    dates = [e.as_of for e in held.values() if e.as_of]
    context = BoardContext("change", source, NOW - timedelta(minutes=30), max(dates))
    return SharedInputs(
        rows=rows,
        context=context,
        btc=quotes.get("BTC-USD"),
        nvda=quotes.get("NVDA"),
        movers=tuple(Mover(s, q.change_pct or 0.0, q.price) for s, q in quotes.items()),
        contracts=tuple(contracts),
    )


def chart_inputs(miners: list[str], source: DataSource) -> ChartInputs:
    return ChartInputs(
        miners=tuple(series(s, 10 + n, 0.001 * (n - 5)) for n, s in enumerate(miners)),
        benchmarks=(series("BTC-USD", 90_000, 0.002), series("NVDA", 180, 0.001)),
        start=period_start("1mo", TODAY),
        source=source,
    )


def busy_server(contracts: list[Contract]) -> ServerInputs:
    """A server whose last day saw every contract created and edited, and 500 alerts fire."""
    changes = []
    for n, contract in enumerate(contracts):
        at = (NOW - timedelta(minutes=n)).isoformat()
        created = HistoryEntry(contract.id, at, 42, "user:42", "create", None, None, None)
        edited = HistoryEntry(
            contract.id, at, 42, "user:42", "update", "notes", "x" * 300, "@everyone " * 40
        )
        changes.append(ContractChange(contract, Change(2 * n, 2 * n, contract.id, (created,))))
        changes.append(
            ContractChange(contract, Change(2 * n + 1, 2 * n + 1, contract.id, (edited,)))
        )
    alerts = [factories.fired_alert(n, NOW) for n in range(500)]
    return ServerInputs(tuple(changes), None, tuple(alerts), history_id=10_000)


def assert_within_discord_limits(embeds: list[dict[str, object]]) -> None:
    assert 1 <= len(embeds) <= MAX_EMBEDS
    assert total_text(embeds) <= MAX_EMBED_TEXT
    for embed in embeds:
        assert len(str(embed.get("title", ""))) <= TITLE_LIMIT
        assert len(str(embed.get("description", ""))) <= DESCRIPTION_LIMIT
        fields = embed.get("fields", [])
        assert isinstance(fields, list) and len(fields) <= FIELD_COUNT_LIMIT
        for field in fields:
            assert len(field["name"]) <= FIELD_NAME_LIMIT
            assert len(field["value"]) <= FIELD_VALUE_LIMIT


@pytest.fixture(scope="module")
def chart_png() -> SummaryChart:
    """Render the chart once for the module (a second of CPU)."""
    miners = ["CIFR", "WULF", "IREN", "CORZ", "APLD", "GLXY", "HUT", "RIOT", "MARA", "BTDR"]
    return render_summary_chart(chart_inputs(miners, DataSource.DEMO))


@pytest.mark.parametrize("source", [DataSource.YAHOO, DataSource.DEMO])
async def test_a_busy_day_over_the_whole_universe_fits_one_message(
    seeded_store: Store, chart_png: SummaryChart, source: DataSource
) -> None:
    inputs = await shared_inputs(seeded_store, source)
    shared = compose_shared(inputs, chart_png)
    server = busy_server(list(inputs.contracts))
    composed = compose_summary(shared, server, day=TODAY, late_for=NOW - timedelta(hours=1))
    embeds = composed.payload["embeds"]
    assert_within_discord_limits(embeds)
    titles = [str(e.get("title", "")) for e in embeds]
    assert titles[0].endswith("Daily summary · Wednesday 25 November 2026")
    assert (source is DataSource.DEMO) == titles[0].startswith("[DEMO]")
    # Every section is there, the long lists cut with a count of the rest.
    for title in ("Top movers · 1D", "Alerts fired in the last 24 hours", "Leaderboard"):
        assert any(t.startswith(title) for t in titles), title
    changes = next(e for e in embeds if str(e["title"]).startswith("Contracts added"))
    assert "… and " in str(changes["description"]) and "more" in str(changes["description"])
    alerts = next(e for e in embeds if e["title"] == "Alerts fired in the last 24 hours")
    assert "<@1000>" in str(alerts["description"]) and "… and " in str(alerts["description"])
    assert "@everyone" not in "".join(str(e.get("description", "")) for e in embeds)
    header = str(embeds[0]["description"])
    assert "**BTC-USD** $" in header and "**NVDA** $" in header
    assert "Prices as of <t:" in header and "Posted late: it was due <t:" in header
    assert "Not investment advice" in str(embeds[0]["footer"])
    assert embeds[-1]["image"] == {"url": f"attachment://{CHART_FILENAME}"}
    (png,) = composed.files
    assert png.filename == CHART_FILENAME and png.data.startswith(PNG_SIGNATURE)
    assert composed.payload["allowed_mentions"] == {"users": []}


async def test_a_quiet_day_says_none(seeded_store: Store, chart_png: SummaryChart) -> None:
    shared = compose_shared(await shared_inputs(seeded_store, DataSource.YAHOO), chart_png)
    composed = compose_summary(shared, ServerInputs((), None, (), 0), day=TODAY)
    by_title = {e["title"]: e for e in composed.payload["embeds"]}
    assert by_title["Alerts fired in the last 24 hours"]["description"] == "None."
    assert by_title["Contracts added or changed since the last summary"]["description"] == "None."
    assert "Posted late" not in composed.payload["embeds"][0]["description"]


async def test_a_board_longer_than_a_page_still_fits(
    seeded_store: Store, chart_png: SummaryChart
) -> None:
    inputs = await shared_inputs(seeded_store, DataSource.YAHOO)
    many = tuple(
        board_row(
            Entry(f"M{n:03d}", f"Miner {n}", on_board=True),
            quote(f"M{n:03d}", 1000.0 + n, 1.5, DataSource.YAHOO),
            None,
            900.0,
        )
        for n in range(60)
    )
    wide = SharedInputs(
        rows=inputs.rows + many,
        context=inputs.context,
        btc=inputs.btc,
        nvda=inputs.nvda,
        movers=inputs.movers,
        contracts=inputs.contracts,
    )
    shared = compose_shared(wide, chart_png)
    composed = compose_summary(shared, busy_server(list(inputs.contracts)), day=TODAY)
    assert_within_discord_limits(composed.payload["embeds"])
    board = [e for e in composed.payload["embeds"] if "Miners board" in str(e["title"])]
    assert board and all(str(e["description"]).count("```") == 2 for e in board)


async def test_servers_do_not_change_the_shared_part(
    seeded_store: Store, chart_png: SummaryChart
) -> None:
    shared = compose_shared(await shared_inputs(seeded_store, DataSource.YAHOO), chart_png)
    before = copy.deepcopy(shared)
    server = busy_server(list((await shared_inputs(seeded_store, DataSource.YAHOO)).contracts))
    for _ in range(3):
        compose_summary(shared, server, day=TODAY)
    assert shared == before


def test_without_history_the_summary_says_there_is_no_chart() -> None:
    nothing = render_summary_chart(
        ChartInputs((), (), period_start("1mo", TODAY), DataSource.YAHOO)
    )
    assert nothing.file is None
    shared = SharedParts(
        board=(),
        movers={"title": "Top movers · 1D", "description": "x"},
        leaderboard={"title": "Leaderboard", "description": "x"},
        market_lines=(),
        colour_change=None,
        prices_as_of=None,
        source=DataSource.YAHOO,
        chart=nothing.file,
        chart_notes=nothing.notes,
        chart_as_of=None,
    )
    composed = compose_summary(shared, ServerInputs((), None, (), 0), day=TODAY)
    assert composed.files == ()
    chart = composed.payload["embeds"][-1]
    assert "image" not in chart and chart["description"].startswith("No chart today")


# ----- the miners' equal-weight index ------------------------------------------------------


def days(*offsets: int) -> tuple[date, ...]:
    return tuple(date(2026, 11, 2) + timedelta(days=o) for o in offsets)


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        # Two miners, one doubles and one halves: the index is their mean ratio.
        (
            [Series("A", days(0, 1), (10.0, 20.0)), Series("B", days(0, 1), (4.0, 2.0))],
            (100.0, 125.0),
        ),
        # A missing day carries the last close forward.
        (
            [Series("A", days(0, 1, 2), (10.0, 11.0, 12.0)), Series("B", days(0, 2), (5.0, 5.0))],
            (100.0, 105.0, 110.0),
        ),
        # A miner listed later than most is left out rather than entering with a jump.
        (
            [
                Series("A", days(0, 1, 2), (10.0, 10.0, 10.0)),
                Series("B", days(0, 1, 2), (10.0, 10.0, 20.0)),
                Series("C", days(0, 1, 2), (10.0, 10.0, 10.0)),
                Series("NEW", days(2), (99.0,)),
            ],
            (100.0, 100.0, 100.0 + 100.0 / 3),
        ),
    ],
)
def test_miners_index(members: list[Series], expected: tuple[float, ...]) -> None:
    index = miners_index(members)
    assert index.closes == pytest.approx(expected)
    assert index.symbol == "Miners (equal weight)"


def test_an_index_needs_two_miners() -> None:
    assert len(miners_index([Series("A", days(0, 1), (1.0, 2.0))])) == 0
