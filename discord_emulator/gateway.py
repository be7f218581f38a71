"""The gateway: HELLO, heartbeats, IDENTIFY/READY, RESUME with replay, shards, disconnects.

Each IDENTIFY starts a session for one shard (``[0, 1]`` when the bot does not shard); a
guild's events go only to the sessions of the shard that guild is on, as on Discord.
"""

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
from .sharding import (
    INVALID_SHARD,
    MAX_GUILDS_PER_SHARD,
    SHARDING_REQUIRED,
    SessionStartLimit,
    parse_shard,
    shard_of,
)
from .state import Guild, World
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
    # The connection its dispatches go to; None while disconnected (they wait for a RESUME).
    live: Connection | None = None
    # The client closed it for good (close code 1000/1001): no longer awaited by wait_ready.
    ended: bool = False

    @property
    def shard_id(self) -> int:
        """Return the shard this session serves (0 when the bot does not shard)."""
        return self.shard[0] if self.shard else 0

    @property
    def shard_count(self) -> int:
        """Return the shard count this session was identified with (1 when not sharding)."""
        return self.shard[1] if self.shard else 1

    @property
    def shard_key(self) -> tuple[int, int]:
        """Return (shard id, shard count): two sessions with the same key serve the same guilds."""
        return self.shard_id, self.shard_count

    def owns(self, guild_id: int | None) -> bool:
        """Tell whether a guild's events (DMs: guild None) belong to this session's shard."""
        return shard_of(guild_id, self.shard_count) == self.shard_id


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
    """Serve discord.py's gateway connections (one per shard) and let tests disturb them."""

    world: World
    token: str
    _: KW_ONLY
    heartbeat_interval_ms: int
    resume_url: Callable[[], str]
    allowed_privileged_intents: int = field(default=PRIVILEGED_INTENTS, init=False)
    ack_heartbeats: bool = field(default=True, init=False)
    ack_delay: float = field(init=False)
    # Tests lower this to try the 4011 "sharding required" close without thousands of guilds.
    max_guilds_per_shard: int = field(default=MAX_GUILDS_PER_SHARD, init=False)
    session_starts: SessionStartLimit = field(default_factory=SessionStartLimit, init=False)
    # Every resumable session by id, oldest first; at most one per (shard id, shard count).
    sessions: dict[str, Session] = field(default_factory=dict, init=False)
    connections: list[Connection] = field(default_factory=list, init=False)
    identifies: int = field(default=0, init=False)
    resumes: int = field(default=0, init=False)
    failed_resumes: int = field(default=0, init=False)
    heartbeats: int = field(default=0, init=False)
    paths_used: list[str] = field(default_factory=list, init=False)
    received: list[dict[str, Any]] = field(default_factory=list, init=False)
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
            self._detach(conn, ws.close_code)
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
        """Start a new session: READY, then one GUILD_CREATE per guild of its shard."""
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
        raw_shard = data.get("shard")
        shard = (0, 1) if raw_shard is None else parse_shard(raw_shard)
        if shard is None:
            await conn.ws.close(code=INVALID_SHARD, message=b"Invalid shard.")
            return
        owned = [g for g in self.world.guilds.values() if shard_of(g.id, shard[1]) == shard[0]]
        if len(owned) > self.max_guilds_per_shard:
            await conn.ws.close(code=SHARDING_REQUIRED, message=b"Sharding required.")
            return
        self.identifies += 1
        self.session_starts.note()
        session = Session(
            id=secrets.token_hex(16),
            intents=intents,
            shard=None if raw_shard is None else list(shard),
        )
        # A new IDENTIFY for a shard replaces the session that served it (a restarted bot).
        for old in [s for s in self.sessions.values() if s.shard_key == session.shard_key]:
            del self.sessions[old.id]
        self.sessions[session.id] = session
        self._attach(conn, session)
        ready: dict[str, Any] = {
            "v": 10,
            "user": self_user_payload(self.world.bot),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in owned],
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
            for guild in owned:
                self._dispatch_to(
                    session, "GUILD_CREATE", guild_create_payload(self.world, guild, intents)
                )
        self._activity.notify()

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        """Resume: replay what the client missed, then RESUMED; or refuse with INVALID_SESSION."""
        session = self.sessions.get(str(data.get("session_id")))
        if data.get("token") != self.token or session is None:
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
        self._activity.notify()

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
        session.live = conn
        session.ended = False

    def _detach(self, conn: Connection, close_code: int | None) -> None:
        """Forget a connection that closed; a client's normal close ends its session."""
        session = conn.session
        if session is not None and session.live is conn:
            session.live = None
            session.ended = close_code in (1000, 1001)
            self._activity.notify()

    def _dispatch_to(self, session: Session, event: str, data: dict[str, Any]) -> None:
        """Number a dispatch, keep it for replay and send it if the session is connected."""
        session.seq += 1
        frame = {"op": DISPATCH, "s": session.seq, "t": event, "d": data}
        session.frames.append(frame)
        live = session.live
        if live is not None and not live.retiring:
            live.send(frame)

    @property
    def session(self) -> Session | None:
        """Return the latest session (the only one when the bot does not shard), if any."""
        return next(reversed(self.sessions.values()), None)

    def sessions_for(self, guild_id: int | None, *, intent: int | None = None) -> list[Session]:
        """Return the sessions that receive a guild's events (guild None: DMs, on shard 0)."""
        return [
            s
            for s in self.sessions.values()
            if s.owns(guild_id) and (intent is None or s.intents & intent)
        ]

    def dispatch(
        self, event: str, data: dict[str, Any], *, guild_id: int | None, intent: int | None = None
    ) -> bool:
        """Dispatch a guild's (or a DM's) event to the sessions of its shard; kept for RESUME.

        Returns False if no session would get it.
        """
        receivers = self.sessions_for(guild_id, intent=intent)
        for session in receivers:
            self._dispatch_to(session, event, data)
        return bool(receivers)

    def announce_guild(self, guild: Guild) -> None:
        """Send GUILD_CREATE for a guild the bot just joined to the sessions of its shard."""
        for session in self.sessions_for(guild.id, intent=GUILDS_INTENT):
            payload = guild_create_payload(self.world, guild, session.intents)
            self._dispatch_to(session, "GUILD_CREATE", payload)

    def _selected(self, shard: int | None) -> list[Session]:
        """Return every session, or those serving one shard id."""
        return [s for s in self.sessions.values() if shard is None or s.shard_id == shard]

    def _is_ready(self, shard: int | None) -> bool:
        """Tell whether every awaited session (of a shard, or all) is connected, and one is."""
        awaited = [s for s in self._selected(shard) if not s.ended]
        return bool(awaited) and all(s.live is not None and not s.live.retiring for s in awaited)

    async def wait_ready(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - test-helper API
        *,
        shard: int | None = None,
    ) -> None:
        """Wait until the sessions (of one shard id, or all) have identified or resumed."""
        await self._activity.wait_until(
            lambda: self._is_ready(shard),
            timeout,
            lambda: f"gateway not ready: {len(self.sessions)} session(s)",
        )

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109 - test-helper API
        """Wait until `condition()` holds, re-checking after every frame the client sends."""
        await self._activity.wait_until(condition, timeout, lambda: "gateway condition not met")

    def _retire_live(self, shard: int | None) -> list[Connection]:
        """Stop sending dispatches on the selected sessions' connections and return them."""
        retired = []
        for session in self._selected(shard):
            conn = session.live
            if conn is not None:
                conn.retiring = True
                session.live = None
                retired.append(conn)
        return retired

    async def reconnect(self, *, shard: int | None = None) -> None:
        """Send op 7 RECONNECT; discord.py closes and resumes on resume_gateway_url."""
        for conn in self._retire_live(shard):
            conn.send({"op": RECONNECT, "d": None, "s": None, "t": None})

    async def invalidate_session(
        self, *, resumable: bool = False, shard: int | None = None
    ) -> None:
        """Send op 9 INVALID_SESSION; a non-resumable one makes the bot IDENTIFY again."""
        selected = self._selected(shard)
        for conn in self._retire_live(shard):
            conn.send({"op": INVALID_SESSION, "d": resumable, "s": None, "t": None})
        if not resumable:
            for session in selected:
                del self.sessions[session.id]

    async def drop(self, *, shard: int | None = None) -> None:
        """Cut the live connections (of one shard id, or all) abruptly, without a close frame."""
        for conn in self._retire_live(shard):
            if conn.request.transport is not None:
                conn.request.transport.abort()

    async def close(self) -> None:
        """Close every connection (server shutdown)."""
        self._retire_live(None)
        for conn in self.connections:
            if not conn.ws.closed:
                with contextlib.suppress(Exception):
                    await conn.ws.close(code=1001)
