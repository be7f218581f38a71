"""Every REST request the bot's token makes waits for the pace, at the moment it is sent.

The pace used to be taken by the callers (a send, a DM channel, a history page) before they
called discord.py. discord.py then sent more than it was given turns for, and later than it
took them:

- after a 429 it sleeps ``retry_after`` and sends the request again itself, without a turn;
- after a global 429 it holds every other request of the process until ``retry_after`` is
  over, then lets them all go at once, though each took its turn while held;
- its own requests (logging in, the command sync, fetches) took no turn at all.

Waiting in aiohttp's ``on_request_start`` hook, which the session awaits before each
attempt, counts each request Discord will count, when it is sent. A global 429 (Discord
counted the token's second differently: another host, a clock apart, requests delayed into
the next second) stops the process's requests until its ``Retry-After`` is over, as
discord.py stops them; a request that got its turn during that stop takes a new one after it,
so the stopped requests never leave together.
"""

from __future__ import annotations

import asyncio
import time
import types
from collections.abc import Callable, Mapping

import aiohttp

from bot.outbox.retry import Pace

# Interaction callbacks and follow-ups are sent without the bot token (the interaction's
# own token is in the path) and are not bound by the global limit.
INTERACTION_PREFIX = "/interactions/"
# Without a usable Retry-After, a global 429 stops the requests for Discord's whole second.
DEFAULT_STOP_SECONDS = 1.0


def counts_toward_global_limit(path: str, headers: Mapping[str, str]) -> bool:
    """Tell whether Discord counts a request toward the token's global limit."""
    authorization = headers.get("Authorization", "")
    return authorization.startswith("Bot ") and INTERACTION_PREFIX not in path


def global_refusal_seconds(status: int, headers: Mapping[str, str]) -> float | None:
    """Return how long a global 429 asks to wait, or None for any other answer."""
    if status != 429 or headers.get("X-RateLimit-Global", "").lower() != "true":
        return None
    try:
        return max(0.0, float(headers.get("Retry-After", "")))
    except ValueError:
        return DEFAULT_STOP_SECONDS


class PacedRequests:
    """The pace of the token's requests, with the stop a global 429 imposes."""

    def __init__(self, pace: Pace, *, now: Callable[[], float] = time.monotonic) -> None:
        self._pace = pace
        self._now = now
        self._stopped_until = 0.0

    async def before_sending(self) -> None:
        """Return once the request may leave: its turn taken, and no stop in force."""
        while True:
            stop_left = self._stopped_until - self._now()
            if stop_left > 0:
                await asyncio.sleep(stop_left)
                continue  # a later 429 may have made the stop longer
            await self._pace.wait()
            if self._now() >= self._stopped_until:
                return
            # A global 429 came while this request waited for its turn: that turn falls in
            # the refused second, so wait the stop out and take another.

    def refused(self, seconds: float) -> None:
        """A global 429: stop every request for ``seconds``."""
        self._stopped_until = max(self._stopped_until, self._now() + seconds)

    def trace(self) -> aiohttp.TraceConfig:
        """Return the hooks for discord.py's HTTP session."""

        async def on_request_start(
            _session: aiohttp.ClientSession,
            _context: types.SimpleNamespace,
            params: aiohttp.TraceRequestStartParams,
        ) -> None:
            if counts_toward_global_limit(params.url.path, params.headers):
                await self.before_sending()

        async def on_request_end(
            _session: aiohttp.ClientSession,
            _context: types.SimpleNamespace,
            params: aiohttp.TraceRequestEndParams,
        ) -> None:
            seconds = global_refusal_seconds(params.response.status, params.response.headers)
            if seconds is not None:
                self.refused(seconds)

        trace = aiohttp.TraceConfig()
        trace.on_request_start.append(on_request_start)
        trace.on_request_end.append(on_request_end)
        trace.freeze()
        return trace


def paced_requests(pace: Pace) -> aiohttp.TraceConfig:
    """Return a hook for discord.py's HTTP session that makes each counted request wait."""
    return PacedRequests(pace).trace()
