"""A month before a day: the same calendar day, clamped to a shorter month's end."""

from __future__ import annotations

from datetime import date

import pytest

from bot.market.month import last_on_or_before, month_before


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 25), date(2026, 10, 25)),
        (date(2026, 1, 15), date(2025, 12, 15)),
        (date(2026, 3, 31), date(2026, 2, 28)),
        (date(2028, 3, 30), date(2028, 2, 29)),  # a leap year
        (date(2026, 5, 31), date(2026, 4, 30)),
    ],
)
def test_month_before(day: date, expected: date) -> None:
    assert month_before(day) == expected


def test_last_on_or_before() -> None:
    days = [date(2026, 10, 29), date(2026, 10, 30), date(2026, 11, 2)]
    assert last_on_or_before(days, date(2026, 11, 1)) == 1  # Sunday: Friday's close
    assert last_on_or_before(days, date(2026, 11, 2)) == 2
    assert last_on_or_before(days, date(2026, 10, 1)) is None
    assert last_on_or_before([], date(2026, 10, 1)) is None
