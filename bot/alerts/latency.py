"""Trade-to-post latency: from the trade an alert fired on to its message in Discord."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from bot.clock import Clock

WINDOW: Final = timedelta(days=1)
MAX_SAMPLES: Final = 100_000  # a day of very busy alerts; older samples fall off first
MAX_WAITING: Final = 10_000  # messages queued and not yet posted that we keep times for


@dataclass(frozen=True, slots=True)
class LatencySummary:
    """The last day's trade-to-post latencies, in seconds."""

    samples: int
    p50: float | None
    p95: float | None


class PostLatency:
    """Remembers the trade times of queued alert messages; measures each one posted."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._waiting: dict[str, list[datetime]] = {}
        self._samples: deque[tuple[datetime, float]] = deque(maxlen=MAX_SAMPLES)

    def expect(self, trade_times: Mapping[str, Sequence[datetime]]) -> None:
        """Note the trade times of messages just queued (by dedupe key)."""
        for key, times in trade_times.items():
            if len(self._waiting) >= MAX_WAITING:
                self._waiting.pop(next(iter(self._waiting)))  # never grow without bound
            self._waiting[key] = list(times)

    def posted(self, dedupe_key: str, at: datetime) -> None:
        """Record that the message ``dedupe_key`` was posted at ``at``."""
        for traded in self._waiting.pop(dedupe_key, ()):
            self._samples.append((at, max(0.0, (at - traded).total_seconds())))

    def summary(self) -> LatencySummary:
        """Return p50 and p95 over the last day."""
        horizon = self._clock.now() - WINDOW
        while self._samples and self._samples[0][0] < horizon:
            self._samples.popleft()
        values = sorted(seconds for _, seconds in self._samples)
        if not values:
            return LatencySummary(0, None, None)
        return LatencySummary(len(values), percentile(values, 50), percentile(values, 95))


def percentile(ordered: Sequence[float], pct: float) -> float:
    """Return the ``pct``-th percentile of sorted values (nearest rank)."""
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(len(ordered), rank) - 1]
