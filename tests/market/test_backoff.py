"""Exponential backoff with jitter, on the injected clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.market.backoff import Backoff
from bot.market.yahoo import period_for

NOW = datetime(2026, 9, 24, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize("seed", range(5))
def test_pauses_double_with_jitter_up_to_the_cap(seed: int) -> None:
    """Each trip waits between half and all of base × 2^(n-1), never above the cap."""
    clock = ManualClock(NOW)
    backoff = Backoff(
        clock, base=timedelta(seconds=60), cap=timedelta(minutes=30), rng=random.Random(seed)
    )
    for attempt in range(1, 9):
        state = backoff.trip("429")
        ceiling = min(timedelta(minutes=30), timedelta(seconds=60) * 2 ** (attempt - 1))
        assert state.attempt == attempt
        assert ceiling / 2 <= state.until - clock.now() <= ceiling
        assert backoff.active() and not backoff.recovering()
        clock.set(state.until)
        assert not backoff.active() and backoff.recovering()
    backoff.reset()
    assert backoff.state is None and not backoff.recovering()
    assert backoff.trip("again").attempt == 1


def test_bad_parameters_are_refused() -> None:
    """A zero base or a cap below the base is a configuration error."""
    with pytest.raises(ValueError, match="base"):
        Backoff(ManualClock(NOW), base=timedelta(0))
    with pytest.raises(ValueError, match="base"):
        Backoff(ManualClock(NOW), base=timedelta(minutes=5), cap=timedelta(minutes=1))


@pytest.mark.parametrize(
    ("days", "period"),
    [
        (1, "5d"),
        (5, "5d"),
        (30, "1mo"),
        (90, "3mo"),
        (365, "1y"),
        (366, "1y"),
        (700, "2y"),
        (5000, "max"),
    ],
)
def test_history_asks_for_the_smallest_covering_range(days: int, period: str) -> None:
    """Daily history uses Yahoo's named ranges, the smallest that covers the request."""
    assert period_for(days) == period
