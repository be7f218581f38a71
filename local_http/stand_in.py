"""What every local stand-in shares: its server, and a request log the tests read."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import ClassVar, Generic, TypeVar

from .server import LocalServer

Seen = TypeVar("Seen")


# Keyword-only, so that a stand-in's own figures stay first in its constructor.
@dataclass(kw_only=True)
class StandIn(Generic[Seen]):
    """Serve ``reply`` on 127.0.0.1 between ``start()`` and ``stop()``, logging to ``seen``."""

    METHODS: ClassVar[tuple[str, ...]] = ("GET",)

    seen: list[Seen] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _http: LocalServer | None = None

    @property
    def port(self) -> int:
        """Return the port it listens on (once started)."""
        assert self._http is not None, "the stand-in is not started"
        return self._http.port

    def start(self) -> None:
        """Serve on an ephemeral port of 127.0.0.1 in a background thread."""
        self._http = LocalServer(self.reply, methods=self.METHODS)
        self._http.start()

    def stop(self) -> None:
        """Stop serving."""
        if self._http is not None:
            self._http.stop()

    def reply(self, raw_path: str) -> tuple[int, str, bytes]:
        """Answer one request: its status, content type and body."""
        raise NotImplementedError

    def record(self, seen: Seen) -> None:
        """Add one request to the log (the server answers from several threads)."""
        with self._lock:
            self.seen.append(seen)

    def logged(self) -> list[Seen]:
        """Return a copy of the log so far."""
        with self._lock:
            return list(self.seen)
