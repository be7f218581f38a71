"""An EDGAR client on SEC's fair-access terms: who is asking, how often, and only what changed.

Every request carries the operator's name and e-mail as its User-Agent, waits for the one
process-wide rate limiter, and a company's submissions are asked for conditionally (ETag,
Last-Modified) so an unchanged company costs a 304 and no body. A 429, a 403 (SEC's answer to
a client over its limit) or a 5xx trips the backoff: no request is made until it elapses.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

import aiohttp

from bot.clock import Clock
from bot.market.backoff import Backoff, BackoffState

log = logging.getLogger(__name__)

# SEC allows 10 requests per second per client; staying at half leaves room for others.
DEFAULT_RATE: Final = 5.0
REQUEST_TIMEOUT: Final = 20.0
# SEC asks automated clients that exceeded the limit to stay away for a while: ten minutes
# at first, doubling up to an hour.
BACKOFF_BASE: Final = timedelta(minutes=10)
BACKOFF_CAP: Final = timedelta(hours=1)
DOCUMENT_CACHE: Final = 64  # documents kept (a filing is read once, a retry reads the cache)
MAX_BODY: Final = 20_000_000  # bytes: a submissions file of a busy filer is a few MB
HOUR: Final = 3_600.0


class RateLimiter:
    """Space requests at least 1/rate seconds apart, across every caller in the process."""

    def __init__(self, rate: float = DEFAULT_RATE) -> None:
        if rate <= 0:
            raise ValueError("the rate must be positive")
        self.interval = 1.0 / rate
        self._lock = asyncio.Lock()
        self._next = 0.0

    async def wait(self) -> None:
        """Return when the next request may be made."""
        async with self._lock:
            now = time.monotonic()
            if self._next > now:
                await asyncio.sleep(self._next - now)
                now = time.monotonic()
            self._next = now + self.interval


class EdgarError(Exception):
    """EDGAR could not be read; ``reason`` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EdgarBackingOff(EdgarError):
    """No request was made: EDGAR throttled us and the backoff has not elapsed."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """A conditional read: the JSON when it changed, the validators to send next time."""

    changed: bool
    data: Any
    etag: str | None
    last_modified: str | None
    size: int


class EdgarClient:
    """Reads EDGAR politely; counts what it asked for."""

    def __init__(
        self,
        *,
        contact: str,
        data_url: str,
        archives_url: str,
        limiter: RateLimiter,
        clock: Clock,
        backoff: Backoff | None = None,
        timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        self.data_url = data_url
        self.archives_url = archives_url
        self._headers = {"User-Agent": contact, "Accept-Encoding": "gzip, deflate"}
        self._limiter = limiter
        self._clock = clock
        self.backoff = backoff or Backoff(clock, base=BACKOFF_BASE, cap=BACKOFF_CAP)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._documents: OrderedDict[str, str] = OrderedDict()
        self._recent: deque[tuple[float, int]] = deque()  # (monotonic time, bytes received)
        self.last_error: str | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers=self._headers, timeout=self._timeout)
        return self._session

    async def aclose(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()

    @property
    def backoff_state(self) -> BackoffState | None:
        """Return the backoff while it lasts, else None."""
        return self.backoff.state if self.backoff.active() else None

    def requests_last_hour(self) -> int:
        """Return how many requests were made in the last hour."""
        self._forget_old()
        return len(self._recent)

    def bytes_last_hour(self) -> int:
        """Return how many body bytes were received in the last hour."""
        self._forget_old()
        return sum(size for _, size in self._recent)

    async def submissions(
        self, url: str, *, etag: str | None, last_modified: str | None
    ) -> Fetched:
        """Read a submissions JSON unless it is unchanged since ``etag`` / ``last_modified``."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        status, body, response_headers = await self._get(url, headers)
        if status == 304:
            return Fetched(False, None, etag, last_modified, 0)
        try:
            data = json.loads(body)
        except ValueError as exc:
            # A cut-off body: nothing is learned, the validators are not kept, next poll retries.
            self.last_error = "unreadable JSON (truncated?)"
            raise EdgarError(self.last_error) from exc
        return Fetched(
            True,
            data,
            response_headers.get("ETag"),
            response_headers.get("Last-Modified"),
            len(body),
        )

    async def json(self, url: str) -> Any:
        """Read a JSON document (a filing folder's listing)."""
        _, body, _ = await self._get(url, {})
        try:
            return json.loads(body)
        except ValueError as exc:
            raise EdgarError("unreadable JSON (truncated?)") from exc

    async def document(self, url: str) -> str:
        """Read a filing document as text (cached: a filing's documents never change)."""
        cached = self._documents.get(url)
        if cached is not None:
            self._documents.move_to_end(url)
            return cached
        _, body, _ = await self._get(url, {})
        text = body.decode("utf-8", errors="replace")
        self._documents[url] = text
        if len(self._documents) > DOCUMENT_CACHE:
            self._documents.popitem(last=False)
        return text

    async def _get(self, url: str, headers: dict[str, str]) -> tuple[int, bytes, Any]:
        if self.backoff.active():
            raise EdgarBackingOff("backing off after EDGAR throttled the bot")
        await self._limiter.wait()
        try:
            async with self._http().get(url, headers=headers) as response:
                body = await response.content.read(MAX_BODY)
                status = response.status
                response_headers = response.headers
        except (aiohttp.ClientError, TimeoutError) as exc:
            self._count(0)
            self.last_error = f"unreachable: {type(exc).__name__}"
            raise EdgarError(self.last_error) from exc
        self._count(len(body))
        if status in (403, 429) or status >= 500:
            self.last_error = f"HTTP {status}"
            self.backoff.trip(f"EDGAR answered HTTP {status}")
            raise EdgarError(self.last_error)
        if status not in (200, 304):
            self.last_error = f"HTTP {status}"
            raise EdgarError(self.last_error)
        self.backoff.reset()
        self.last_error = None
        return status, body, response_headers

    def _count(self, size: int) -> None:
        self._recent.append((time.monotonic(), size))
        self._forget_old()

    def _forget_old(self) -> None:
        horizon = time.monotonic() - HOUR
        while self._recent and self._recent[0][0] < horizon:
            self._recent.popleft()
