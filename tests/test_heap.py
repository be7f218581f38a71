"""The collector's set-up in a bot process: start-up frozen, young collections spaced out."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.heap import YOUNG_COLLECTION_EVERY, settle_heap


@pytest.fixture
def collector() -> Iterator[None]:
    """Give the test runner its collector back as it was."""
    threshold = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


@pytest.mark.usefixtures("collector")
def test_settling_freezes_what_is_alive_and_spaces_young_collections() -> None:
    alive = [[n] for n in range(1_000)]  # container objects the collector tracks
    gc.unfreeze()
    _, middle, oldest = gc.get_threshold()

    settle_heap()

    assert gc.get_freeze_count() >= len(alive)
    assert gc.get_threshold() == (YOUNG_COLLECTION_EVERY, middle, oldest)


@pytest.mark.usefixtures("collector")
def test_cycles_made_after_settling_are_still_collected() -> None:
    settle_heap()
    cycle: list[object] = []
    cycle.append(cycle)  # garbage once dropped, found by a collection only
    del cycle

    assert gc.collect() >= 1
