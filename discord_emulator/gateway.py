"""The gateway: HELLO, heartbeats, IDENTIFY/READY, RESUME with replay, test-driven disconnects."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .payloads import guild_create_payload, member_payload, self_user_payload
from .state import World
from .waiting import Signal

log = logging.getLogger(__name__)

GUILDS_INTENT = 1 << 0
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)
DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, RESUME, RECONNECT = 0, 1, 2, 3, 6, 7
REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11
# Discord's HEARTBEAT_ACK comes back after a network round trip. discord.py relies on that:
# its keep-alive thread notes the send time only once the loop hands the sent heartbeat back
# to it, and an ACK read before that is measured from the previous heartbeat, one whole
# interval earlier ("websocket is 41.3s behind"). Answering in the same process within
# microseconds raced that thread; a realistic round trip does not.
ACK_ROUND_TRIP = 0.1  # seconds


@dataclass
class Session:
    """A gateway session; it outlives connections so it can be resumed."""

    id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    frames: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Connection:
    """One websocket connection, with an ordered outbound queue."""

    ws: web.WebSocketResponse
    request: web.Request
    path: str
    outbox: asyncio.Queue[dict[str, Any] | None] = field(default_factory=asyncio.Queue)
    session: Session | None = None
    retiring: bool = False

    def send(self, frame: dict[str, Any]) -> None:
        """Queue a frame; the writer task sends frames in order."""
        self.outbox.put_nowait(frame)


@dataclass(eq=False)
class Gateway:
    """Serve discord.py's gateway connection and let tests disturb it."""

    world: World
    token: str
    _: KW_ONLY
    heartbeat_interval_ms: int
    resume_url: Callable[[], str]
    allowed_privileged_intents: int = field(default=PRIVILEGED_INTENTS, init=False)
    ack_heartbeats: bool = field(default=True, init=False)
    ack_delay: float = field(init=False)
    session: Session | None = field(default=None, init=False)
    live: Connection | None = field(default=None, init=False)
    connections: list[Connection] = field(default_factory=list, init=False)
    identifies: int = field(default=0, init=False)
    resumes: int = field(default=0, init=False)
    failed_resumes: int = field(default=0, init=False)
    heartbeats: int = field(default=0, init=False)
    paths_used: list[str] = field(default_factory=list, init=False)
    received: list[dict[str, Any]] = field(default_factory=list, init=False)
    _ready: asyncio.Event = field(default_factory=asyncio.Event, init=False, repr=False)
    _activity: Signal = field(default_factory=Signal, init=False, repr=False)

    def __post_init__(self) -> None:
        # Never more than a quarter of the interval, so fast test intervals keep their order.
        self.ack_delay = min(ACK_ROUND_TRIP, self.heartbeat_interval_ms / 4000)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one websocket connection until either side closes it."""
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = Connection(ws, request, request.path)
        self.connections.append(conn)
        self.paths_used.append(request.path)
        writer = asyncio.create_task(self._write(conn))
        conn.send(
            {
                "op": HELLO,
                "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["emulator"]},
                "s": None,
                "t": None,
            }
        )
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    break
                try:
                    frame = json.loads(message.data)
                except ValueError:
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                self.received.append(frame)
                await self._on_frame(conn, frame)
                self._activity.notify()
        finally:
            self._detach(conn)
            conn.outbox.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError, ConnectionError, RuntimeError):
                await writer
        return ws

    async def _write(self, conn: Connection) -> None:
        """Send queued frames in order until told to stop."""
        while True:
            frame = await conn.outbox.get()
            if frame is None or conn.ws.closed:
                return
            try:
                await conn.ws.send_str(json.dumps(frame))
            except (ConnectionError, RuntimeError):
                return

    async def _on_frame(self, conn: Connection, frame: dict[str, Any]) -> None:
        """React to one client frame."""
        op = frame.get("op")
        data = frame.get("d")
        if op == HEARTBEAT:
            self.heartbeats += 1
            if self.ack_heartbeats:
                ack = {"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None}
                asyncio.get_running_loop().call_later(self.ack_delay, conn.send, ack)
        elif op == IDENTIFY and isinstance(data, dict):
            await self._identify(conn, data)
        elif op == RESUME and isinstance(data, dict):
            await self._resume(conn, data)
        elif op == REQUEST_MEMBERS and isinstance(data, dict):
            self._members_chunk(conn, data)
        elif op in (PRESENCE, 4):
            return
        else:
            await conn.ws.close(code=4001, message=b"Unknown opcode.")

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        """Start a new session: READY, then one GUILD_CREATE per guild."""
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if conn.session is not None:
            await conn.ws.close(code=4005, message=b"Already authenticated.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int):
            await conn.ws.close(code=4013, message=b"Invalid intent(s).")
            return
        if intents & PRIVILEGED_INTENTS & ~self.allowed_privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.identifies += 1
        shard = data.get("shard")
        session = Session(
            id=secrets.token_hex(16),
            intents=intents,
            shard=shard if isinstance(shard, list) else None,
        )
        self.session = session
        self._attach(conn, session)
        ready: dict[str, Any] = {
            "v": 10,
            "user": self_user_payload(self.world.bot),
            "guilds": [{"id": str(gid), "unavailable": True} for gid in self.world.guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_url(),
            "application": {
                "id": str(self.world.application.id),
                "flags": self.world.application.flags,
            },
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth": {},
            "_trace": ["emulator"],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        self._dispatch_to(session, "READY", ready)
        if intents & GUILDS_INTENT:
            for guild in self.world.guilds.values():
                self._dispatch_to(
                    session, "GUILD_CREATE", guild_create_payload(self.world, guild, intents)
                )
        self._ready.set()

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        """Resume: replay what the client missed, then RESUMED; or refuse with INVALID_SESSION."""
        session = self.session
        if (
            data.get("token") != self.token
            or session is None
            or data.get("session_id") != session.id
        ):
            self.failed_resumes += 1
            conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        self.resumes += 1
        self._attach(conn, session)
        last = data.get("seq") if isinstance(data.get("seq"), int) else 0
        for frame in session.frames:
            if frame["s"] > last:
                conn.send(frame)
        self._dispatch_to(session, "RESUMED", {"_trace": ["emulator"]})
        self._ready.set()

    def _members_chunk(self, conn: Connection, data: dict[str, Any]) -> None:
        """Answer REQUEST_GUILD_MEMBERS with a single GUILD_MEMBERS_CHUNK."""
        session = conn.session
        guild = self.world.guilds.get(int(data.get("guild_id") or 0))
        if session is None or guild is None:
            return
        query = str(data.get("query") or "").lower()
        wanted = {int(u) for u in data.get("user_ids") or []}
        members = [
            m
            for m in guild.members.values()
            if (not wanted or m.user_id in wanted)
            and self.world.users[m.user_id].username.lower().startswith(query)
        ]
        limit = int(data.get("limit") or 0)
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [
                member_payload(self.world, m) for m in (members[:limit] if limit else members)
            ],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        self._dispatch_to(session, "GUILD_MEMBERS_CHUNK", chunk)

    def _attach(self, conn: Connection, session: Session) -> None:
        """Make a connection the live one for a session."""
        conn.session = session
        self.live = conn

    def _detach(self, conn: Connection) -> None:
        """Forget a connection that closed."""
        if self.live is conn:
            self.live = None
            self._ready.clear()

    def _dispatch_to(self, session: Session, event: str, data: dict[str, Any]) -> None:
        """Number a dispatch, keep it for replay and send it if the session is connected."""
        session.seq += 1
        frame = {"op": DISPATCH, "s": session.seq, "t": event, "d": data}
        session.frames.append(frame)
        live = self.live
        if live is not None and live.session is session and not live.retiring:
            live.send(frame)

    def dispatch(self, event: str, data: dict[str, Any], *, intent: int | None = None) -> bool:
        """Dispatch an event (kept for RESUME if disconnected); False if nobody would get it."""
        session = self.session
        if session is None or (intent is not None and not session.intents & intent):
            return False
        self._dispatch_to(session, event, data)
        return True

    async def wait_ready(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - test-helper API
        """Wait until a live connection has identified or resumed."""
        await asyncio.wait_for(self._ready.wait(), timeout)

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109 - test-helper API
        """Wait until `condition()` holds, re-checking after every frame the client sends."""
        await self._activity.wait_until(condition, timeout, lambda: "gateway condition not met")

    def _retire_live(self) -> Connection | None:
        """Stop sending dispatches on the live connection and return it."""
        conn = self.live
        if conn is not None:
            conn.retiring = True
            self.live = None
        self._ready.clear()
        return conn

    async def reconnect(self) -> None:
        """Send op 7 RECONNECT; discord.py closes and resumes on resume_gateway_url."""
        conn = self._retire_live()
        if conn is not None:
            conn.send({"op": RECONNECT, "d": None, "s": None, "t": None})

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; a non-resumable one makes the bot IDENTIFY again."""
        conn = self._retire_live()
        if not resumable:
            self.session = None
        if conn is not None:
            conn.send({"op": INVALID_SESSION, "d": resumable, "s": None, "t": None})

    async def drop(self) -> None:
        """Cut the live connection abruptly, without a close frame."""
        conn = self._retire_live()
        if conn is not None and conn.request.transport is not None:
            conn.request.transport.abort()

    async def close(self) -> None:
        """Close every connection (server shutdown)."""
        self._retire_live()
        for conn in self.connections:
            if not conn.ws.closed:
                with contextlib.suppress(Exception):
                    await conn.ws.close(code=1001)
