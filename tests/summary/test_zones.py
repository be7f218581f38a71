"""Time-zone suggestions: prefix and city first, then substrings, 25 at most."""

from __future__ import annotations

import pytest

from bot.limits import AUTOCOMPLETE_CHOICES as MAX_CHOICES
from bot.summary.zones import POPULAR, known_zones, suggest_zones, zone_problem

ZONES = ("America/New_York", "America/Chicago", "Europe/Paris", "Asia/Tokyo", "America/Paramaribo")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("paris", ["Europe/Paris"]),  # the city part, case-insensitive
        ("Europe/", ["Europe/Paris"]),
        ("new york", ["America/New_York"]),  # spaces typed for underscores
        ("par", ["Europe/Paris", "America/Paramaribo"]),  # city prefixes before substrings
        ("ica/", ["America/New_York", "America/Chicago", "America/Paramaribo"]),  # substring
        ("mars", []),
    ],
)
def test_matches(typed: str, expected: list[str]) -> None:
    assert suggest_zones(typed, ZONES) == expected


def test_nothing_typed_offers_the_popular_zones() -> None:
    offered = suggest_zones("")
    assert offered and set(offered) <= set(POPULAR) and offered[0] == "America/New_York"


def test_at_most_25_from_the_real_database() -> None:
    assert "Europe/Paris" in known_zones()
    assert len(suggest_zones("a")) == MAX_CHOICES
    assert suggest_zones("tokyo") == ["Asia/Tokyo"]


@pytest.mark.parametrize("typed", ["Mars/Olympus", "\u202e" * 6000, "../../etc/passwd", ""])
def test_unknown_zones_are_refused_without_opening_files(typed: str) -> None:
    problem = zone_problem(typed)
    assert problem is not None and problem.startswith("timezone: unknown time zone")
    assert len(problem) < 500  # echoed back shortened, never the whole input


def test_known_zones_pass() -> None:
    assert zone_problem(" Europe/Paris ") is None and zone_problem("UTC") is None
