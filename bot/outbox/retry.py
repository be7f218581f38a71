"""When to send: backoff for a failed delivery, and a pace under Discord's global limit."""

from __future__ import annotations

import asyncio
import random
from collections import deque
from dataclasses import dataclass
from typing import Final, Protocol

# Discord lets a bot make 50 requests per second across all routes; over it, every request
# gets a global 429 until the second is over.
GLOBAL_LIMIT: Final = 50
GLOBAL_WINDOW_SECONDS: Final = 1.05


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


class Pace(Protocol):
    """What a sender waits on before each REST request (``RequestPace``, or a shared one)."""

    async def wait(self) -> None:
        """Return once one more request may start."""
        ...


class RequestPace:
    """Let at most ``limit`` requests start in any ``per`` seconds; later ones wait their turn.

    discord.py only reacts to a global 429 (after the refused request); with dozens of
    destinations sending at once, pacing here keeps almost every request inside the limit
    instead of turning a quarter of them into 429s, which Discord also counts against a
    bot's invalid-request allowance.
    """

    def __init__(self, limit: int = GLOBAL_LIMIT, per: float = GLOBAL_WINDOW_SECONDS) -> None:
        if limit < 1 or per <= 0:
            raise ValueError("a pace needs at least one request per positive interval")
        self._limit = limit
        self._per = per
        self._started: deque[float] = deque()  # start times of the last ``limit`` requests
        self._turn = asyncio.Lock()  # first come, first served

    async def wait(self) -> None:
        """Return once one more request may start without exceeding the pace."""
        loop = asyncio.get_running_loop()
        async with self._turn:
            while len(self._started) >= self._limit:
                wait = self._started[0] + self._per - loop.time()
                if wait <= 0:
                    self._started.popleft()
                else:
                    await asyncio.sleep(wait)
            self._started.append(loop.time())
