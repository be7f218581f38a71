"""Serve one answer function on an ephemeral port of 127.0.0.1 in a background thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# The request path (with its query) in, the status, content type and body out.
Answer = Callable[[str], tuple[int, str, bytes]]

# Short, so that stop() returns quickly between tests.
POLL_INTERVAL_S = 0.02


class LocalServer:
    """``start()``, then requests to ``port`` get what ``answer`` returns; ``stop()`` ends it."""

    def __init__(self, answer: Answer, *, methods: tuple[str, ...] = ("GET",)) -> None:
        self._answer = answer
        self._methods = methods
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """Return the port it listens on (once started)."""
        assert self._server is not None, "the server is not started"
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Listen on an ephemeral port and serve in a daemon thread."""
        answer = self._answer

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # the stand-ins keep their own request logs

            def reply(self) -> None:
                status, content_type, body = answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        for method in self._methods:
            setattr(Handler, f"do_{method}", Handler.reply)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL_S},
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
