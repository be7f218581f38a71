"""When to try a failed delivery again: exponential backoff with jitter, capped."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Delays of ``base · 2^(n-1)`` seconds, at most ``cap``, each shortened by random jitter."""

    base: float = 2.0
    cap: float = 900.0  # a destination down for long is still tried every 15 minutes
    # Up to this fraction of each delay is drawn at random, so rows that failed together
    # (one Discord outage) do not all come back in the same second.
    jitter: float = 0.5

    def delay(self, attempts: int, rng: random.Random, retry_after: float | None = None) -> float:
        """Return the seconds to wait after the ``attempts``-th failed attempt."""
        exponential = min(self.cap, self.base * 2.0 ** max(attempts - 1, 0))
        delay = exponential * (1.0 - self.jitter * rng.random())
        if retry_after is not None and retry_after > delay:
            return retry_after  # the server said when; sooner would only be refused again
        return delay


DEFAULT_RETRY = RetryPolicy()
