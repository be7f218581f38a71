"""The pinned spec is downloaded into the cache once, checked by SHA-256, then found there."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from discord_emulator import spec

BODY = b'{"openapi": "3.1.0", "paths": {}, "components": {"schemas": {}}}'


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Serve BODY where the pinned URL would be; record the requests."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(spec, "PINNED_URL", f"http://127.0.0.1:{server.server_address[1]}/o.json")
    try:
        yield seen
    finally:
        server.shutdown()
        server.server_close()


def test_a_download_that_is_not_the_pinned_file_is_refused(
    served: list[str], tmp_path: Path
) -> None:
    with pytest.raises(OSError, match="SHA-256 differs"):
        spec.download_pinned_spec(tmp_path)
    assert not spec.cached_spec_path(tmp_path).exists()


def test_the_download_is_cached_and_then_found(
    served: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spec, "PINNED_SHA256", hashlib.sha256(BODY).hexdigest())
    monkeypatch.setattr(spec, "default_spec_path", lambda: tmp_path / "no-shared-copy.json")
    monkeypatch.delenv(spec.SPEC_ENV, raising=False)
    monkeypatch.setenv("MINERWATCH_CACHE_DIR", str(tmp_path / "cache"))
    assert spec.resolve_spec_path() is None

    path = spec.download_pinned_spec()
    assert path == tmp_path / "cache" / "discord-api-spec" / spec.PINNED_COMMIT / "openapi.json"
    assert path.read_bytes() == BODY
    assert spec.download_pinned_spec() == path and len(served) == 1  # cached: no second fetch
    assert spec.resolve_spec_path() == path
