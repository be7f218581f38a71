"""The data guards every source's ticks pass through before they become the current price."""

from __future__ import annotations

import math
from enum import StrEnum

from bot.market.models import Quote


class Rejection(StrEnum):
    """Why a poll produced no new quote for a symbol."""

    # Data guards: a tick arrived but is not fit to be the current price.
    NOT_FINITE = "not_finite"
    NON_POSITIVE = "non_positive"
    OLDER_THAN_HELD = "older_than_held"
    MISSING_CLOSE = "missing_close"
    # Fetch outcomes: no usable tick arrived at all.
    NO_DATA = "no_data"
    UNKNOWN_SYMBOL = "unknown_symbol"
    BACKING_OFF = "backing_off"
    ERROR = "error"

    @property
    def is_data_guard(self) -> bool:
        """Tell whether a tick arrived and was refused (rather than none arriving)."""
        return self in _GUARDS


_GUARDS = frozenset(
    {
        Rejection.NOT_FINITE,
        Rejection.NON_POSITIVE,
        Rejection.OLDER_THAN_HELD,
        Rejection.MISSING_CLOSE,
    }
)


def check_tick(
    candidate: Quote, held: Quote | None, *, last_close_missing: bool
) -> Rejection | None:
    """Return why ``candidate`` may not replace ``held`` as the current price, or None."""
    if last_close_missing:
        # The source's newest bar has no close: the feed is mid-update, so the whole tick
        # (price and intraday range) waits for the next poll rather than mixing states.
        return Rejection.MISSING_CLOSE
    if not math.isfinite(candidate.price):
        return Rejection.NOT_FINITE
    if candidate.price <= 0:
        return Rejection.NON_POSITIVE
    if held is not None and candidate.as_of < held.as_of:
        return Rejection.OLDER_THAN_HELD
    return None


def clean_optional(value: float | None) -> float | None:
    """Return ``value`` when it is a usable positive number, else None."""
    if value is None or not math.isfinite(value) or value <= 0:
        return None
    return value


def clean_volume(value: float | int | None) -> int | None:
    """Return ``value`` as a non-negative whole volume, else None."""
    if value is None:
        return None
    as_float = float(value)
    if not math.isfinite(as_float) or as_float < 0:
        return None
    return int(as_float)
