"""What to do about a server's latest summary slot: post it, record it as skipped, or nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from bot.summary.timing import LATE_WINDOW


class Action(StrEnum):
    """The decision for one server's latest slot."""

    POST = "post"  # due now, or missed by less than the late window: post it
    SKIP = "skip"  # missed by more than the late window: record it, post nothing
    NOTHING = "nothing"  # already done, never owed, or no slot at all


def decide(
    slot: datetime | None,
    *,
    now: datetime,
    configured_at: datetime | None,
    done: bool,
    late_window: timedelta = LATE_WINDOW,
) -> Action:
    """Decide about ``slot``, the server's last summary time at or before ``now``.

    ``done`` is whether that slot's local day already has a run (posted, skipped or paused):
    the day is claimed once. A slot before the summary was configured was never owed.
    """
    if slot is None or done or slot > now:
        return Action.NOTHING
    if configured_at is not None and slot < configured_at:
        return Action.NOTHING
    if now - slot <= late_window:
        return Action.POST
    return Action.SKIP
