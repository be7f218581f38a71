"""The board renderer: sorting, alignment, and pages within Discord's embed limits."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.limits import EMBED_DESCRIPTION as DESCRIPTION_LIMIT
from bot.limits import EMBED_TOTAL as EMBED_TOTAL_LIMIT
from bot.market.models import DailyBar, DataSource
from bot.render.board import (
    HEADERS,
    SORT_KEYS,
    BoardContext,
    BoardRow,
    SortKey,
    board_pages,
    embed_size,
    month_base,
    one_month_change,
    sort_rows,
    table_lines,
)

AS_OF = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
CONTEXT = BoardContext("market_cap", DataSource.YAHOO, AS_OF, "2025-11-20")


def synthetic_rows(count: int, seed: int = 7) -> list[BoardRow]:
    """Return ``count`` rows with plausible, varied figures (some unknown)."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        known = i % 7 != 3
        rows.append(
            BoardRow(
                symbol=f"S{i:02d}{'ABCDEFGH'[i % 8]}-{'XYZ'[i % 3]}",
                price=rng.uniform(0.5, 99_999) if known else None,
                change_1d=rng.uniform(-35, 35) if known else None,
                change_1m=rng.uniform(-95, 400) if i % 5 else None,
                market_cap=rng.uniform(1e6, 4e12) if known else None,
                mw=rng.uniform(0, 12_000) if i % 4 else None,
                mw_gross=i % 6 == 0,
                value_usd=rng.uniform(1e6, 9e10) if i % 3 else None,
                value_approx=i % 9 == 0,
                stale=i % 11 == 0,
            )
        )
    return rows


def check_limits(page: dict[str, object]) -> None:
    assert len(str(page["description"])) <= DESCRIPTION_LIMIT
    assert len(str(page["title"])) <= 256
    assert embed_size(page) <= EMBED_TOTAL_LIMIT


@pytest.mark.parametrize("count", [1, 16, 20, 21, 60])
@pytest.mark.parametrize("source", list(DataSource))
def test_every_page_fits_the_embed_limits(count: int, source: DataSource) -> None:
    rows = sort_rows(synthetic_rows(count), "change")
    context = BoardContext("change", source, AS_OF, "2025-11-20")
    pages = board_pages(rows, context)
    for page in pages:
        check_limits(page)
    shown = [line.split()[0].rstrip("!") for p in pages for line in _table(p)[1:]]
    assert shown == [r.symbol for r in rows]  # every row once, in order
    assert len(pages) == max(1, -(-count // 20))


def test_sixty_rows_page_within_limits_even_with_long_pages() -> None:
    pages = board_pages(synthetic_rows(60), CONTEXT, rows_per_page=60)
    for page in pages:
        check_limits(page)
    assert sum(len(_table(p)) - 1 for p in pages) == 60


def test_a_character_budget_splits_pages_before_the_row_limit() -> None:
    long_rows = [BoardRow(symbol=f"{'X' * 15}{i}", price=1.0) for i in range(300)]
    pages = board_pages(long_rows, CONTEXT, rows_per_page=300)
    assert len(pages) > 1
    for page in pages:
        check_limits(page)


def _table(page: dict[str, object]) -> list[str]:
    return str(page["description"]).split("```")[1].strip("\n").splitlines()


def test_columns_are_aligned_across_pages() -> None:
    pages = board_pages(synthetic_rows(45), CONTEXT)
    headers = {_table(p)[0] for p in pages}
    assert len(headers) == 1  # the same widths on every page
    for page in pages:
        lines = _table(page)
        ends = {len(line) for line in lines}
        assert len(ends) == 1  # every figure is right-aligned to the same edge


def test_page_frame_and_markers() -> None:
    rows = [
        BoardRow("CIFR", 15.5, 3.3, 12.0, 6e9, 507, True, 9.33e9, True, stale=True),
        BoardRow("WULF", 11.2, -1.8, None, None, 588, False, 16.2e9),
    ]
    demo = BoardContext("mw", DataSource.DEMO, AS_OF, "2025-11-20")
    (page,) = board_pages(rows, demo)
    assert page["title"] == "[DEMO] Miners board · by contracted MW"
    description = str(page["description"])
    assert description.startswith("Prices as of <t:1795618800:f> · contracts as of 2025-11-20")
    assert "* includes gross MW" in description and "! stale quote" in description
    assert "DEMO data" in description
    assert page["footer"] == {
        "text": "Page 1/1 · DEMO: synthetic prices, not market data · Not investment advice"
    }
    lines = _table(page)
    assert lines[0].split() == list(HEADERS)
    assert lines[1].split() == [
        "CIFR!",
        "15.50",
        "+3.3%",
        "+12%",
        "$6B",
        "507*",
        "~$9.33B",
        "1.55×",
    ]
    assert lines[2].split() == ["WULF", "11.20", "−1.8%", "—", "—", "588", "$16.2B", "—"]


def test_empty_board_says_so() -> None:
    (page,) = board_pages([], CONTEXT)
    assert "No companies are on the board yet." in str(page["description"])


ROWS = [
    BoardRow("AAA", change_1d=1.0, market_cap=5e9, mw=100, value_usd=1e9),
    BoardRow("BBB", change_1d=-2.0, market_cap=None, mw=300, value_usd=None),
    BoardRow("CCC", change_1d=None, market_cap=9e9, mw=None, value_usd=5e9),
    BoardRow("DDD", change_1d=4.0, market_cap=1e9, mw=200, value_usd=2e9),
]


@pytest.mark.parametrize(
    ("key", "order"),
    [
        ("change", ["DDD", "AAA", "BBB", "CCC"]),
        ("market_cap", ["CCC", "AAA", "DDD", "BBB"]),
        ("mw", ["BBB", "DDD", "AAA", "CCC"]),
        ("value", ["CCC", "DDD", "AAA", "BBB"]),
        ("symbol", ["AAA", "BBB", "CCC", "DDD"]),
    ],
)
def test_sort_rows_puts_unknowns_last(key: SortKey, order: list[str]) -> None:
    assert key in SORT_KEYS
    assert [r.symbol for r in sort_rows(list(reversed(ROWS)), key)] == order


def test_table_lines_use_given_widths() -> None:
    lines = table_lines(ROWS[:1], widths=[6, 8, 6, 6, 6, 6, 6, 6])
    assert lines[0].startswith("SYM   ")


def bars(closes: dict[date, float]) -> list[DailyBar]:
    return [DailyBar(d, c, c, c, c, 0) for d, c in sorted(closes.items())]


TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("history", "last", "expected"),
    [
        ({TODAY - timedelta(days=31): 10.0, TODAY - timedelta(days=2): 12.0}, 15.0, 50.0),
        ({TODAY - timedelta(days=31): 20.0}, 15.0, -25.0),  # 25 October: the same day
        ({TODAY - timedelta(days=30): 20.0}, 15.0, None),  # 26 October: not a month back
        ({TODAY - timedelta(days=29): 10.0}, 15.0, None),  # less than a month of history
        ({}, 15.0, None),
        ({TODAY - timedelta(days=40): 10.0}, None, None),
    ],
)
def test_one_month_change(
    history: dict[date, float], last: float | None, expected: float | None
) -> None:
    change = one_month_change(bars(history), last, TODAY)
    assert change == (pytest.approx(expected) if expected is not None else None)


def test_month_base_is_the_last_close_at_least_a_month_back() -> None:
    history = {TODAY - timedelta(days=d): float(d) for d in (45, 33, 31, 29, 1)}
    assert month_base(bars(history), TODAY) == 31.0
