"""Exponential backoff with jitter, measured on the injected clock (no sleeping)."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock

log = logging.getLogger(__name__)

DEFAULT_BASE = timedelta(seconds=60)
DEFAULT_CAP = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class BackoffState:
    """Why requests are paused, until when, and how many trips in a row caused it."""

    until: datetime
    reason: str
    attempt: int


class Backoff:
    """Pause requests after a throttle, doubling the pause on each trip in a row."""

    def __init__(
        self,
        clock: Clock,
        *,
        base: timedelta = DEFAULT_BASE,
        cap: timedelta = DEFAULT_CAP,
        rng: random.Random | None = None,
    ) -> None:
        if base <= timedelta(0) or cap < base:
            raise ValueError("backoff needs 0 < base <= cap")
        self._clock = clock
        self._base = base
        self._cap = cap
        # Jitter only needs to de-synchronise restarts, not to be unpredictable.
        self._rng = rng or random.Random()  # noqa: S311
        self._state: BackoffState | None = None

    @property
    def state(self) -> BackoffState | None:
        """Return the current (possibly elapsed) backoff, or None after a success."""
        return self._state

    def active(self) -> bool:
        """Tell whether requests must not be made now."""
        return self._state is not None and self._clock.now() < self._state.until

    def recovering(self) -> bool:
        """Tell whether a backoff has elapsed but no request has succeeded since."""
        return self._state is not None and self._clock.now() >= self._state.until

    def trip(self, reason: str) -> BackoffState:
        """Start (or lengthen) a pause because the source throttled us for ``reason``."""
        attempt = 1 if self._state is None else self._state.attempt + 1
        ceiling = min(self._cap, self._base * (2 ** (attempt - 1)))
        # "Equal jitter": at least half the ceiling, so the pause still grows each time.
        delay = ceiling * (0.5 + 0.5 * self._rng.random())
        self._state = BackoffState(until=self._clock.now() + delay, reason=reason, attempt=attempt)
        log.warning(
            "backing off for %.0f s (attempt %d): %s", delay.total_seconds(), attempt, reason
        )
        return self._state

    def reset(self) -> None:
        """Forget the backoff after a request succeeded."""
        if self._state is not None:
            log.info("source answered again after %d throttled attempt(s)", self._state.attempt)
        self._state = None
