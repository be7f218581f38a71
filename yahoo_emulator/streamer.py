"""A local Yahoo price streamer on 127.0.0.1: subscribe JSON in, base64 PricingData out.

It speaks what wss://streamer.finance.yahoo.com speaks (JSON ``{"subscribe": [...]}`` and
``{"unsubscribe": [...]}`` from the client; ``{"type": "pricing", "message": <base64>}``
frames back), and injects the faults the real stream is known for: connections that go
silent, closes with and without a close code, a symbol that never ticks, garbage frames,
bursts, and clocks that disagree.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from yfinance.pricing_pb2 import PricingData

# Yahoo's marketHours values.
PRE_MARKET, REGULAR_MARKET, POST_MARKET = 0, 1, 2


def pricing_frame(symbol: str, price: float, time_ms: int, **fields: Any) -> str:
    """Return one frame as Yahoo sends it (``fields``: PricingData names, e.g. day_volume)."""
    data = PricingData(id=symbol, price=price, time=time_ms, **fields)
    message = base64.b64encode(data.SerializeToString()).decode("ascii")
    return json.dumps({"type": "pricing", "message": message})


@dataclass(slots=True)
class _Client:
    connection: ServerConnection
    symbols: set[str] = field(default_factory=set)
    silent: bool = False


class LocalStreamer:
    """The streamer; ``async with LocalStreamer() as s:`` serves on ``s.url``."""

    def __init__(self) -> None:
        self._server: Server | None = None
        self._clients: list[_Client] = []
        self.received: list[dict[str, Any]] = []  # every client message, in order
        self.connections = 0  # connections accepted so far
        self.muted: set[str] = set()  # symbols that never tick
        self.skew_seconds = 0.0  # added to every trade time (a streamer with a wrong clock)
        self.refusing = False  # close every new connection at once (the stream is down)
        self.sent = 0  # pricing frames sent
        self._subscribed = asyncio.Condition()

    @property
    def url(self) -> str:
        """Return the ws:// URL to connect to."""
        assert self._server is not None, "the streamer is not started"
        host, port = next(iter(self._server.sockets)).getsockname()[:2]
        return f"ws://{host}:{port}/?version=2"

    async def __aenter__(self) -> LocalStreamer:
        self._server = await serve(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    # ---- what tests drive ------------------------------------------------------------

    def subscribed(self) -> set[str]:
        """Return every symbol some open connection is subscribed to."""
        return {s for c in self._clients for s in c.symbols}

    async def wait_subscribed(self, symbols: Iterable[str], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until an open connection is subscribed to every one of ``symbols``."""
        wanted = set(symbols)
        async with asyncio.timeout(timeout), self._subscribed:
            await self._subscribed.wait_for(
                lambda: any(wanted <= c.symbols and not c.silent for c in self._clients)
            )

    async def tick(
        self, symbol: str, price: float, *, at: float | None = None, **fields: Any
    ) -> int:
        """Send one trade of ``symbol`` to its subscribers (``at``: epoch seconds, default
        now); return how many connections got it (a muted symbol reaches none)."""
        if symbol in self.muted:
            return 0
        stamp = (time.time() if at is None else at) + self.skew_seconds
        frame = pricing_frame(symbol, price, round(stamp * 1000), **fields)
        return await self._broadcast(frame, symbol)

    async def burst(self, ticks: Iterable[tuple[str, float]], per_second: float) -> int:
        """Send ``ticks`` paced at ``per_second`` (e.g. 1,000 a second); return frames sent."""
        sent = 0
        gap = 1.0 / per_second
        started = time.perf_counter()
        for i, (symbol, price) in enumerate(ticks):
            delay = started + i * gap - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            sent += await self.tick(symbol, price)
        return sent

    async def garbage(self, text: str = "not json {") -> None:
        """Send a frame that is no pricing message to every client."""
        for client in list(self._clients):
            with contextlib.suppress(ConnectionClosed):
                await client.connection.send(text)

    def go_silent(self) -> None:
        """Keep every open connection open but send nothing on it again (a silent drop)."""
        for client in self._clients:
            client.silent = True

    async def close_all(self, code: int | None = 1011) -> None:
        """Close every connection: with a close frame and ``code``, or (None) by cutting the
        TCP connection without any close frame."""
        for client in list(self._clients):
            if code is None:
                client.connection.transport.abort()
            else:
                await client.connection.close(code, "closed by the local streamer")

    # ---- the server ------------------------------------------------------------------

    async def _serve(self, connection: ServerConnection) -> None:
        if self.refusing:
            await connection.close(1013, "try again later")
            return
        self.connections += 1
        client = _Client(connection)
        self._clients.append(client)
        try:
            async for raw in connection:
                message = json.loads(raw)
                self.received.append(message)
                async with self._subscribed:
                    client.symbols |= {str(s).upper() for s in message.get("subscribe", [])}
                    client.symbols -= {str(s).upper() for s in message.get("unsubscribe", [])}
                    self._subscribed.notify_all()
        except (ConnectionClosed, ValueError):
            pass
        finally:
            self._clients.remove(client)

    async def _broadcast(self, frame: str, symbol: str) -> int:
        reached = 0
        for client in list(self._clients):
            if client.silent or symbol not in client.symbols:
                continue
            with contextlib.suppress(ConnectionClosed):
                await client.connection.send(frame)
                reached += 1
        self.sent += reached
        return reached
