"""Formatting helpers: the numbers users read everywhere."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from bot.format import DASH, megawatts, money, percent, price, timestamp, volume, years


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.23e9, "$1.23B"),
        (830e6, "$830M"),
        (3.0e9, "$3B"),
        (17.4e9, "$17.4B"),
        (9.7e9, "$9.7B"),
        (999.6e6, "$1B"),
        (45_600, "$45.6K"),
        (950, "$950"),
        (0, "$0"),
        (2.5e12, "$2.5T"),
        (None, DASH),
        (math.nan, DASH),
    ],
)
def test_money(value: float | None, expected: str) -> None:
    assert money(value) == expected


def test_money_marks_approximate_values() -> None:
    assert money(5.5e9, approx=True) == "~$5.5B"


@pytest.mark.parametrize(
    ("value", "basis", "expected"),
    [
        (168, "IT", "168 MW (IT)"),
        (244, "gross", "244 MW (gross)"),
        (72.5, None, "72.5 MW"),
        (1400, None, "1.4 GW"),
        (2910, "gross", "2.91 GW (gross)"),
        (None, "IT", DASH),
    ],
)
def test_megawatts(value: float | None, basis: str | None, expected: str) -> None:
    assert megawatts(value, basis) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3.44, "+3.4 %"),
        (-1.25, "−1.2 %"),
        (0.04, "0.0 %"),
        (-0.04, "0.0 %"),
        (None, DASH),
        (math.inf, DASH),
    ],
)
def test_percent_has_a_sign(value: float | None, expected: str) -> None:
    assert percent(value) == expected


def test_price_volume_years_and_timestamps() -> None:
    assert price(1234.5) == "$1,234.50"
    assert price(0.12345) == "$0.1235"
    assert price(12.5, "CAD") == "12.50 CAD"
    assert volume(12_345_678) == "12.3M"
    assert years(10) == "10 y" and years(2.5) == "2.5 y" and years(None) == DASH
    assert timestamp(datetime(2026, 11, 26, tzinfo=UTC), "R") == "<t:1795651200:R>"
    with pytest.raises(ValueError, match="aware"):
        timestamp(datetime(2026, 11, 26))  # noqa: DTZ001
