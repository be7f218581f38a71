"""Prices as members read them: the sign, absurd magnitudes, and two prices told apart."""

from __future__ import annotations

import pytest

from bot.format import price, prices_apart


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (-5.0, "−$5.00"),
        (-0.25, "−$0.2500"),
        (-0.000001, "$0.0000"),  # rounds to zero: no sign
        (1e308, "$1e+308"),
        (-1e308, "−$1e+308"),
        (123_456_789_012_345.0, "$1.23456789012e+14"),
        (1_234.5, "$1,234.50"),
    ],
)
def test_price(value: float, text: str) -> None:
    assert price(value) == text


@pytest.mark.parametrize(
    ("a", "b", "texts"),
    [
        (7.40, 7.4012, ("$7.400", "$7.401")),
        (7.40, 7.45, ("$7.40", "$7.45")),
        (7.40, 7.40, ("$7.40", "$7.40")),
        (0.5, 0.50001, ("$0.50000", "$0.50001")),
    ],
)
def test_prices_apart(a: float, b: float, texts: tuple[str, str]) -> None:
    assert prices_apart(a, b) == texts
