"""The formatting helpers added for quotes, the board and charts."""

from __future__ import annotations

import math

import pytest

from bot.format import DASH, compact_percent, price_change, price_range, ratio


@pytest.mark.parametrize(
    ("value", "level", "expected"),
    [
        (0.5, 15.5, "+$0.50"),
        (-1200.0, 91_000.0, "−$1,200.00"),
        (0.1, 0.5, "+$0.1000"),
        (0.0, 15.0, "$0.00"),
        (0.001, 15.0, "$0.00"),
        (0.5, None, "+$0.5000"),
        (None, 15.0, DASH),
        (math.nan, 15.0, DASH),
    ],
)
def test_price_change(value: float | None, level: float | None, expected: str) -> None:
    assert price_change(value, level=level) == expected


def test_price_change_in_another_currency() -> None:
    assert price_change(-2.5, "CAD", level=40.0) == "−2.50 CAD"


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (14.9, 15.8, "$14.90 – $15.80"),
        (0.12, 0.2, "$0.1200 – $0.2000"),
        (None, 15.8, DASH),
        (14.9, None, DASH),
        (math.inf, 15.8, DASH),
    ],
)
def test_price_range(low: float | None, high: float | None, expected: str) -> None:
    assert price_range(low, high) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.5532, "1.55×"), (0.08, "0.08×"), (None, DASH), (math.nan, DASH)],
)
def test_ratio(value: float | None, expected: str) -> None:
    assert ratio(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3.44, "+3.4%"),
        (-1.25, "−1.2%"),
        (12.3, "+12%"),
        (-45.6, "−46%"),
        (0.01, "0.0%"),
        (None, DASH),
    ],
)
def test_compact_percent(value: float | None, expected: str) -> None:
    assert compact_percent(value) == expected
