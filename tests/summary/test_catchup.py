"""The catch-up rule: a missed summary is posted within 2 hours, skipped after, never doubled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.summary.catchup import Action, decide

SLOT = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)
CONFIGURED = SLOT - timedelta(days=3)
MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("now", "configured_at", "done", "expected"),
    [
        # The job firing on time posts.
        (SLOT, CONFIGURED, False, Action.POST),
        # Back within the late window: posted late.
        (SLOT + timedelta(minutes=75), CONFIGURED, False, Action.POST),
        (SLOT + timedelta(hours=2), CONFIGURED, False, Action.POST),  # the window is inclusive
        # Back after it: recorded as skipped.
        (SLOT + timedelta(hours=2) + MINUTE, CONFIGURED, False, Action.SKIP),
        (SLOT + timedelta(hours=20), CONFIGURED, False, Action.SKIP),
        # Configured after the slot: that slot was never owed.
        (SLOT + timedelta(minutes=30), SLOT + timedelta(minutes=10), False, Action.NOTHING),
        (SLOT + timedelta(hours=5), SLOT + MINUTE, False, Action.NOTHING),
        # Configured exactly at the slot: owed.
        (SLOT + MINUTE, SLOT, False, Action.POST),
        # The day already has its run (posted, skipped or paused): nothing, whenever.
        (SLOT, CONFIGURED, True, Action.NOTHING),
        (SLOT + timedelta(hours=3), CONFIGURED, True, Action.NOTHING),
        # A server stored before configuration times were kept: the window alone decides.
        (SLOT + timedelta(minutes=5), None, False, Action.POST),
    ],
)
def test_decision_table(
    now: datetime, configured_at: datetime | None, done: bool, expected: Action
) -> None:
    assert decide(SLOT, now=now, configured_at=configured_at, done=done) is expected


def test_no_slot_or_a_slot_in_the_future_is_nothing() -> None:
    assert decide(None, now=SLOT, configured_at=None, done=False) is Action.NOTHING
    assert decide(SLOT, now=SLOT - MINUTE, configured_at=None, done=False) is Action.NOTHING
