"""The one curl_cffi session yfinance uses, which counts and journals its own requests."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from curl_cffi import requests as curl_requests

# Yahoo answers browsers; yfinance's own default session impersonates Chrome too.
IMPERSONATE = "chrome"


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP request as the session saw it: the URL asked for and how it ended."""

    method: str
    url: str
    status: int | None
    error: str | None


class ObservedSession(curl_requests.Session[curl_requests.Response]):
    """A curl_cffi session that counts every request and journals them per thread."""

    def __init__(self) -> None:
        super().__init__(impersonate=IMPERSONATE)
        self._count_lock = threading.Lock()
        self._count = 0
        # Each yfinance call runs in its own worker thread, so a per-thread journal tells
        # exactly which requests (and statuses) belong to that call.
        self._journals = threading.local()

    @property
    def requests_made(self) -> int:
        """Return how many requests this session has sent."""
        with self._count_lock:
            return self._count

    def start_journal(self) -> list[Exchange]:
        """Start recording this thread's requests into a fresh list and return it."""
        journal: list[Exchange] = []
        self._journals.entries = journal
        return journal

    def request(self, method: Any, url: str, *args: Any, **kwargs: Any) -> curl_requests.Response:
        """Send the request, counting and journaling it."""
        with self._count_lock:
            self._count += 1
        journal: list[Exchange] | None = getattr(self._journals, "entries", None)
        try:
            response: curl_requests.Response = super().request(method, url, *args, **kwargs)
        except Exception as exc:
            if journal is not None:
                journal.append(Exchange(str(method), url, None, type(exc).__name__))
            raise
        if journal is not None:
            journal.append(Exchange(str(method), url, int(response.status_code), None))
        return response
