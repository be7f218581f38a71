"""The crash test's parts: a world of alerts, the bot as a killable process, what Discord saw.

The bot runs exactly as an operator starts it (`python -m bot run`), configured only through
its environment, against the emulator running in the test's own event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import sqlite3
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Final

import asyncpg

from bot.alerts.model import Member
from bot.alerts.service import AlertService
from bot.clock import ManualClock, SystemClock
from bot.ledger.records import load_ledger
from bot.ledger.service import Actor, LedgerService
from bot.market.calendar import TradingCalendar
from bot.market.models import DataSource, MarketState
from bot.paths import LEDGER_PATH
from bot.store import Store
from discord_emulator import Channel, DiscordEmulator, Message, User
from tests import factories

CHANNELS: Final = 20
ALERTS_PER_CHANNEL: Final = 10  # 200 alerts in all
SYMBOL: Final = "BTC-USD"  # trades around the clock: the test runs on any day
START_PRICE: Final = 100.0
# Levels 100.5, 101.5, ... 109.5 in each channel; the 5th and the 10th go by DM, so a crash
# also lands between opening a DM channel and posting in it.
DM_LEVELS: Final = frozenset({4, 9})
# The price climbs two levels per step, so each step's message to a channel carries two
# alerts (grouping), in 5 steps this far apart, from this long after the spawn (about when
# the bot's first poll runs); a slower start only means more levels per poll. The bot sends
# about 40 messages a step under Discord's global limit (50 requests/s), so firing and
# delivery overlap: a kill lands between evaluations as well as between sends.
LEVELS_PER_STEP: Final = 2
STEP_SECONDS: Final = 0.3
FIRST_STEP_AFTER: Final = 1.6
POLL_SECONDS: Final = "0.1"
READY_TIMEOUT: Final = 30.0
RUN_TIMEOUT: Final = 30.0  # seconds for one run to fire and deliver everything (a pass takes ~3)
FOOTER_ID: Final = re.compile(r"Alert #(\d+)")
SEND_ROUTE: Final = "POST /channels/{channel_id}/messages"


@dataclass(frozen=True, slots=True)
class World:
    """One server with its alert channels and one owner per channel."""

    guild_id: int
    channels: list[Channel]
    owners: list[User]


@dataclass(frozen=True, slots=True)
class Newsroom:
    """A server with a daily summary and a deal watch: the bot's other kinds of post."""

    guild_id: int
    admin_id: int
    daily: Channel
    deals: Channel


# Where a store lives: a SQLite file's path, or a PostgreSQL URL (what Store.open takes).
Location = Path | str


# The alert server and three more each get a summary due at start and a few watched deals.
NEWSROOMS: Final = 4
WATCHED_DEALS: Final = 3
SUMMARY_DUE_AGO: Final = timedelta(minutes=10)  # inside the late window: posted at start


def build_newsrooms(emu: DiscordEmulator, world: World) -> list[Newsroom]:
    """Give the alert server, and new servers, a summary channel and a deal-watch channel."""
    rooms = []
    for n in range(NEWSROOMS):
        if n == 0:
            guild_id = world.guild_id
        else:
            guild_id = emu.add_guild(f"Newsroom {n}", owner_id=emu.add_user(f"admin-{n}").id).id
        admin = emu.add_member(guild_id, f"editor-{n}")
        daily = emu.add_channel(guild_id, "daily")
        deals = emu.add_channel(guild_id, "deals")
        rooms.append(Newsroom(guild_id, admin.id, daily, deals))
    return rooms


async def configure_summaries(store: Store, rooms: list[tuple[int, int]], at: datetime) -> None:
    """Give each (server, channel) a daily summary at ``at``'s minute (UTC), set yesterday.

    Configured yesterday, it is owed today: at that minute, or at start-up when that minute
    has just passed (the late window).
    """
    now = datetime.now(UTC)
    for guild_id, channel_id in rooms:
        await store.summary.configure(
            guild_id, channel_id, at.strftime("%H:%M"), "UTC", "daily", now=now - timedelta(days=1)
        )


async def store_summaries_and_watches(path: Path, rooms: list[Newsroom]) -> int:
    """Turn each room's summary and watch on, then add deals its watch owes posts for.

    The summary's time is ten minutes ago (configured yesterday), so the bot posts it when it
    starts; the watch posts the deals added after it, when the deals commands load. Returns
    how many watch posts are owed.
    """
    now = datetime.now(UTC)
    store = await Store.open(path)
    try:
        ledger = LedgerService(store, ManualClock(now))
        daily = [(room.guild_id, room.daily.id) for room in rooms]
        await configure_summaries(store, daily, now - SUMMARY_DUE_AGO)
        for room in rooms:
            await ledger.watch(room.guild_id, room.deals.id)
            editor = Actor(room.admin_id, room.guild_id, is_admin=True, is_owner=False)
            for k in range(WATCHED_DEALS):
                deal = {
                    "host_symbol": "IREN",
                    "counterparty": f"Cloud {room.guild_id % 1000}-{k}",
                    "mw_critical_it": 10.0 + k,
                    "term_years": 5.0,
                    "total_contract_value_usd": 1e8 * (k + 1),
                }
                await ledger.add(editor, deal, source_url="https://example.com/deal")
    finally:
        await store.close()
    return NEWSROOMS * WATCHED_DEALS


def build_world(
    emu: DiscordEmulator,
    name: str = "Crash test",
    *,
    channels: int = CHANNELS,
    on_shard: tuple[int, int] | None = None,
) -> World:
    """Create the server (on a given shard, if any), channels and owners in the emulator."""
    admin = emu.add_user(f"operator of {name}")
    guild = emu.add_guild(name, owner_id=admin.id, on_shard=on_shard)
    made = [emu.add_channel(guild.id, f"alerts-{n}") for n in range(channels)]
    owners = [emu.add_member(guild.id, f"{name} owner-{n}") for n in range(channels)]
    return World(guild.id, made, owners)


async def seed_ledger(location: Location) -> None:
    """Migrate the store and load the shipped ledger, as the bot's first start would."""
    store = await Store.open(location)
    try:
        await store.ledger.apply_seed(load_ledger(LEDGER_PATH), now=SystemClock().now())
    finally:
        await store.close()


async def seeded_template(folder: Path) -> Path:
    """Create a migrated store with the shipped ledger, to copy for each kill point."""
    path = folder / "template.sqlite3"
    await seed_ledger(path)
    return path


async def store_alerts(location: Location, world: World, calendar: TradingCalendar) -> int:
    """Create the alerts through the service, as /alert add would; return how many."""
    store = await Store.open(location)
    try:
        service = AlertService(store, SystemClock(), calendar)
        quote = factories.quote(
            SYMBOL,
            START_PRICE,
            previous_close=START_PRICE,
            market_state=MarketState.ALWAYS_OPEN,
            as_of=datetime.now(UTC),
            source=DataSource.REPLAY,
        )
        count = 0
        for channel, owner in zip(world.channels, world.owners, strict=True):
            for k in range(ALERTS_PER_CHANNEL):
                await service.create(
                    Member(owner.id, world.guild_id),
                    channel_id=channel.id,
                    symbol=SYMBOL,
                    condition="above",
                    value=START_PRICE + k + 0.5,
                    quote=quote,
                    dm=k in DM_LEVELS,
                )
                count += 1
    finally:
        await store.close()
    return count


def write_prices(
    path: Path, spawn_at: datetime, *, first_step_after: float = FIRST_STEP_AFTER
) -> None:
    """Write a replay whose price crosses two levels per step, ``first_step_after`` seconds
    after ``spawn_at`` (and one step more every STEP_SECONDS)."""
    # Absolute times: the restarted bot reads the same file and finds the price past every
    # level at once, so whatever the first run did not fire, it fires in its first poll.
    lines = ["timestamp,symbol,price,prev_close"]
    before = spawn_at - timedelta(minutes=5)
    lines.append(f"{before.isoformat()},{SYMBOL},{START_PRICE},{START_PRICE}")
    for step in range(1, ALERTS_PER_CHANNEL // LEVELS_PER_STEP + 1):
        at = spawn_at + timedelta(seconds=first_step_after + step * STEP_SECONDS)
        price = START_PRICE + step * LEVELS_PER_STEP
        lines.append(f"{at.isoformat()},{SYMBOL},{price},{START_PRICE}")
    path.write_text("\n".join(lines) + "\n")


def copy_store(template: Path, target: Path) -> None:
    """Start a kill point from the seeded template."""
    shutil.copyfile(template, target)


def bot_environment(
    emu: DiscordEmulator,
    db: Location,
    prices: Path,
    cache: Path,
    *,
    api_base: str | None = None,
    log_level: str = "WARNING",
) -> dict[str, str]:
    """Return the environment of a `python -m bot run` aimed at the emulator.

    ``api_base`` puts something between the bot and the emulator's REST API (a relay).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "MINERWATCH_"))}
    env.update(
        DISCORD_TOKEN=emu.token,
        DISCORD_API_BASE=api_base or emu.api_base,
        DISCORD_GATEWAY_URL=emu.gateway_base,
        MINERWATCH_DB=str(db),
        MINERWATCH_PRICE_SOURCE=f"replay:{prices}",
        MINERWATCH_POLL_SECONDS=POLL_SECONDS,
        MINERWATCH_CACHE_DIR=str(cache),
        MINERWATCH_LOG_LEVEL=log_level,
    )
    return env


class BotProcess:
    """`python -m bot run` as a child process that a test can SIGKILL at any moment."""

    def __init__(
        self, env: dict[str, str], cwd: Path, log: Path, args: tuple[str, ...] = ()
    ) -> None:
        self._env = env
        self._args = args  # after `run`, e.g. its shards
        self._cwd = cwd  # no .env there: the environment is the whole configuration
        self._log_path = log
        self._log: IO[bytes] | None = None
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Spawn the bot."""
        self._log = self._log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            *self._args,
            env=self._env,
            cwd=self._cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
        )

    def kill(self) -> None:
        """SIGKILL the bot now: no handler, no cleanup, no flush."""
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)

    async def reap(self) -> int | None:
        """Wait for a killed bot to be gone."""
        if self.process is None:
            return None
        code = await self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        return code

    @property
    def alive(self) -> bool:
        """Tell whether the bot was started and has not exited."""
        return self.process is not None and self.process.returncode is None

    def log_size(self) -> int:
        """Return how far the log goes now, to read only what comes after."""
        return self._log_path.stat().st_size if self._log_path.exists() else 0

    def log_since(self, offset: int) -> str:
        """Return what the bot logged after ``offset`` (see log_size)."""
        if not self._log_path.exists():
            return ""
        with self._log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        """Return the end of the bot's output, for failure messages."""
        if not self._log_path.exists():
            return ""
        return "\n".join(self._log_path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Deliveries:
    """What the emulator created, as it creates it; optionally kills the bot at the n-th post."""

    messages: list[Message] = field(default_factory=list)
    kill_at: int | None = None  # kill synchronously while creating this message (1-based)
    on_kill: Callable[[], None] | None = None
    struck: bool = False  # the kill_at-th message came (a slow start groups more per message)

    def __call__(self, event: str, message: Message) -> None:
        """Record a created message (the emulator calls this before it answers the request)."""
        if event != "MESSAGE_CREATE":
            return
        self.messages.append(message)
        if self.kill_at is not None and len(self.messages) == self.kill_at and self.on_kill:
            # Discord has the message, the bot has no answer yet: the hardest moment to die.
            self.struck = True
            self.on_kill()

    def reported(self) -> Counter[int]:
        """Count how many messages reported each alert id."""
        return Counter(
            int(found.group(1))
            for message in self.messages
            for embed in message.embeds
            if (found := FOOTER_ID.search(embed.get("footer", {}).get("text", "")))
        )


def resent_nonces(emu: DiscordEmulator) -> int:
    """Count sends that repeated a nonce already sent (each absorbed by Discord's dedupe)."""
    sent = Counter(
        str(r.body.get("nonce"))
        for r in emu.recorder.matching(SEND_ROUTE)
        if isinstance(r.body, dict) and r.body.get("nonce")
    )
    return sum(n - 1 for n in sent.values())


def integrity(path: Path) -> list[str]:
    """Run SQLite's integrity check on the store (recovering its WAL as a restart would)."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]


def outbox_kinds(path: Path) -> Counter[str]:
    """Count outbox rows by kind (read-only: the bot may be running)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return Counter(kind for (kind,) in conn.execute("SELECT kind FROM outbox"))


def settlements(path: Path) -> Counter[str]:
    """Count rows whose unanswered send was settled, by how (read-only)."""
    query = "SELECT settled_by FROM outbox WHERE settled_by IS NOT NULL"
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return Counter(way for (way,) in conn.execute(query))


def outbox_states(path: Path) -> Counter[str]:
    """Count outbox rows by state (read-only: the bot may be running)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return Counter(state for (state,) in conn.execute("SELECT state FROM outbox"))


def alert_states(path: Path) -> Counter[str]:
    """Count alerts by state (read-only)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return Counter(state for (state,) in conn.execute("SELECT state FROM alerts"))


def messages_per_nonce(deliveries: Deliveries) -> Counter[str]:
    """Count created messages per nonce (more than one would be a double post)."""
    return Counter(str(m.nonce) for m in deliveries.messages)


@dataclass(frozen=True, slots=True)
class KillPoint:
    """Kill while the emulator creates message ``post`` (delay 0) or ``delay_ms`` after it."""

    post: int
    delay_ms: float = 0.0

    def __str__(self) -> str:
        return f"post{self.post}" + (f"+{self.delay_ms:g}ms" if self.delay_ms else "")


async def wait_for_first_run(
    bot: BotProcess, deliveries: Deliveries, emu: DiscordEmulator, total: int
) -> None:
    """Wait until the kill struck, or (a late kill point) everything was delivered."""
    assert bot.process is not None
    exited = asyncio.create_task(bot.process.wait())
    delivered = asyncio.create_task(
        emu.messenger.posted.wait_until(
            lambda: len(deliveries.reported()) >= total, RUN_TIMEOUT, lambda: "first run"
        )
    )
    done, pending = await asyncio.wait(
        {exited, delivered}, timeout=RUN_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
    )
    for task in pending:
        task.cancel()
    assert done, f"the first run neither died nor delivered:\n{bot.log_tail()}"


async def wait_for_outbox_drained(db: Path) -> None:
    """Wait until the restarted bot has recorded every delivery."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RUN_TIMEOUT
    # The store has no signal to wait on from another process; a read every 20 ms is cheap.
    while outbox_states(db).get("pending"):
        assert loop.time() < deadline, f"outbox still pending: {outbox_states(db)}"
        await asyncio.sleep(0.02)


async def run_until_killed(
    emu: DiscordEmulator, launch: Callable[[], BotProcess], point: KillPoint, total: int
) -> Deliveries:
    """The first run: SIGKILLed at ``point``, or once everything went out if it never comes."""
    first = launch()
    deliveries = Deliveries(kill_at=point.post)
    loop = asyncio.get_running_loop()
    if point.delay_ms:
        deliveries.on_kill = lambda: loop.call_later(point.delay_ms / 1000, first.kill)
    else:
        deliveries.on_kill = first.kill
    emu.messenger.listeners.append(deliveries)
    await first.start()
    await wait_for_first_run(first, deliveries, emu, total)
    first.kill()  # a late kill point: everything went out, kill it anyway
    assert await first.reap() == -signal.SIGKILL
    return deliveries


async def restart_until_reported(
    emu: DiscordEmulator,
    launch: Callable[[], BotProcess],
    deliveries: Deliveries,
    total: int,
    settled: Callable[[], Awaitable[None]],
) -> None:
    """The second run: until every alert is reported and ``settled`` returns, then killed."""
    second = launch()
    await second.start()
    try:
        await asyncio.wait_for(emu.gateway.wait_ready(READY_TIMEOUT), READY_TIMEOUT)
        await emu.messenger.posted.wait_until(
            lambda: len(deliveries.reported()) >= total,
            RUN_TIMEOUT,
            lambda: f"{len(deliveries.reported())} of {total} alerts reported\n{second.log_tail()}",
        )
        await settled()
    finally:
        second.kill()  # everything is delivered: this crash has nothing left to lose
        await second.reap()


async def count_by(url: str, table: str, column: str) -> Counter[str]:
    """Count a PostgreSQL store's rows by a column's value (the bots may be running)."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(f"SELECT {column} AS value, count(*) AS n FROM {table} GROUP BY 1")
    finally:
        await conn.close()
    return Counter({str(row["value"]): int(row["n"]) for row in rows})


def assert_messages_exactly_once(deliveries: Deliveries, total: int) -> None:
    """Every alert reported once and none lost; no outbox row's nonce posted twice."""
    reported = deliveries.reported()
    doubled = {alert_id: n for alert_id, n in reported.items() if n > 1}
    assert not doubled, f"alerts reported more than once: {doubled}"
    assert len(reported) == total, f"lost: {total - len(reported)} alerts"
    # One message per outbox row, whatever its kind: no nonce was posted twice.
    nonces = messages_per_nonce(deliveries)
    assert all(n == 1 for n in nonces.values()) and "None" not in nonces, nonces


def assert_delivered_exactly_once(db: Path, deliveries: Deliveries, total: int) -> None:
    """Every alert reported once and none lost; one message per outbox row, all delivered."""
    assert_messages_exactly_once(deliveries, total)
    rows = outbox_states(db)
    assert rows == {"delivered": len(deliveries.messages)}, rows
