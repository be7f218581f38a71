"""A pass-through between one bot process and the emulator's REST API: who posted what.

Every process of a bot shares one token, so the emulator cannot tell them apart. Each
process gets its own relay (its DISCORD_API_BASE): the relay forwards every request
unchanged and answers with the emulator's answer, noting which messages its process
created, and can call a hook after Discord created a message but before the process hears
of it (the moment to SIGKILL a process that is delivering).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import aiohttp
from aiohttp import web

# Answer headers the relay's own server sets again (the body is forwarded whole).
_HOP_HEADERS: Final = frozenset(
    {"content-length", "transfer-encoding", "connection", "keep-alive", "date", "server"}
)
_POST_MESSAGE_PATH_END: Final = "/messages"


@dataclass(frozen=True, slots=True)
class Sent:
    """A post Discord answered with its message: a new one, or one its nonce already made."""

    nonce: str
    message_id: int
    at: float  # time.monotonic() when the relay received the request
    answered: float  # time.monotonic() when the emulator's answer came back


@dataclass(eq=False)
class RestRelay:
    """Forward one process's REST calls to ``upstream`` (the emulator's base URL)."""

    name: str
    upstream: str
    # Called with (relay, message id) once the emulator answered a post of the process
    # with its message (new, or the one its nonce already made), before the process hears.
    on_posted: Callable[[RestRelay, int], None] = lambda _relay, _message_id: None
    sent: list[Sent] = field(default_factory=list)  # every answered post, new or not
    _runner: web.AppRunner | None = field(default=None, init=False, repr=False)
    _client: aiohttp.ClientSession | None = field(default=None, init=False, repr=False)
    _port: int = field(default=0, init=False)

    @property
    def api_base(self) -> str:
        """Return the DISCORD_API_BASE that sends a process's REST calls through this relay."""
        return f"http://127.0.0.1:{self._port}/api/v10"

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        # Bodies and encodings pass through untouched; one connection pool per relay.
        self._client = aiohttp.ClientSession(auto_decompress=False)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        """Stop listening and close the connections to the emulator."""
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._client is not None
        received = time.monotonic()
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        async with self._client.request(
            request.method,
            f"{self.upstream}{request.rel_url}",
            headers=headers,
            data=await request.read(),
            allow_redirects=False,
        ) as answer:
            body = await answer.read()
            kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_HEADERS}
            if (
                request.method == "POST"
                and request.path.endswith(_POST_MESSAGE_PATH_END)
                and answer.status == 200
            ):
                created = await answer.json(content_type=None)
                message_id = int(created["id"])
                self.sent.append(
                    Sent(str(created.get("nonce")), message_id, received, time.monotonic())
                )
                self.on_posted(self, message_id)
            return web.Response(status=answer.status, body=body, headers=kept)
