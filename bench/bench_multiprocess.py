"""Several processes: PostgreSQL with three bot processes against SQLite with one, 8 shards.

10,000 servers (sharded over 8 shards: Discord requires shards past 2,500 servers per
connection), each with one channel, three members and its daily summary at the same minute;
1,000,000 active alerts stored in bulk before the start (as bench_load does), about 4,000 of
them just under the price every symbol reaches at once (+2 %). Two layouts, one after the
other in the same run, each against a fresh local Discord (rate limits on: 50 requests/s
for the bot's token, Discord's per-route buckets) and a fresh store, the bot as real
`python -m bot run` processes reading a replay price file (every symbol flat, then +2 % at a
planned second):

- PostgreSQL, three processes: `--shards 0-2`, `3-5`, `6-7` of `--shard-count 8`;
- SQLite, one process running all 8 shards.

For each: the time from launch until every shard of every process answers /help; commands
from random members at a steady rate (open loop) the whole time, timed to their first
response and split by phase; the market-wide move: from the price change until every
crossing is posted, with duplicates and missing posts; the daily summary for every server
at the same minute: posts/s against Discord's 50/s and the 429s the local Discord served.

The replay file and the summary minute are written before the processes start, so the
move and the summaries happen at planned instants: the move once the layout should be
ready plus a quiet window, the summaries at the first minute after the move's posts should
be done. The report says when a phase overlapped another (a slow start or a slow drain).

Run: .venv/bin/python -m bench.bench_multiprocess [--servers 10000] [--alerts 1000000]
Quick check: .venv/bin/python -m bench.bench_multiprocess --servers 300 --alerts 20000
Writes bench/results/multiprocess.md (``--out -`` only prints).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.bench_load import COMMAND_MIX, FOOTER_ID, INSERT_ALERT, REPO, bot_rss_mb
from bench.bench_shards import Server
from bench.common import RESULTS, machine, percentile, wait_ready
from bot.ledger.records import load_ledger
from bot.paths import LEDGER_PATH
from bot.store import Store
from discord_emulator import DiscordEmulator
from local_postgres import Cluster, ClusterUnavailable, create_database, start_cluster

SHARD_COUNT = 8
PROCESSES = 3  # PostgreSQL layout: the shards split over this many processes
MEMBERS_PER_SERVER = 3
JUMP = 1.02
MOVE_PCT_SHARE = 0.10
COMMAND_RATE = 20.0
QUIET_SECONDS = 30.0  # commands alone, between ready and the move
POST_RATE = 50.0  # Discord's requests per second for one bot token
POLL_SECONDS = 1.0
REPLAY_STEP_SECONDS = 2
READY_TIMEOUT = 300.0
STOP_TIMEOUT = 30.0
WATCH_EVERY = 0.2
LEADER_LINES = ("became the leader", "stopped leading")


@dataclass(frozen=True)
class Layout:
    """One way of running the bot: its store and each process's shard range."""

    name: str
    store: str  # "postgresql" or "sqlite"
    ranges: tuple[str, ...]  # "0-2": the `--shards` of each process


def layouts(shard_count: int, processes: int = PROCESSES) -> tuple[Layout, Layout]:
    """The PostgreSQL layout (shards split as evenly as possible) and the SQLite one."""
    ranges, first = [], 0
    for index in range(processes):
        size = shard_count // processes + (1 if index < shard_count % processes else 0)
        if size:
            ranges.append(f"{first}-{first + size - 1}")
        first += size
    return (
        Layout(f"PostgreSQL, {len(ranges)} processes", "postgresql", tuple(ranges)),
        Layout("SQLite, 1 process", "sqlite", (f"0-{shard_count - 1}",)),
    )


def shards_in(text: str) -> list[int]:
    """The shards of a `--shards` range ("3-5" → [3, 4, 5])."""
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


@dataclass(frozen=True)
class Sizes:
    """What the run is made of (the command line)."""

    servers: int
    alerts: int
    crossings: int
    shard_count: int
    rate: float = COMMAND_RATE
    quiet: float = QUIET_SECONDS
    ready_budget: float | None = None  # seconds planned for the start (None: from the sizes)
    summary_timeout: float | None = None  # seconds allowed for the summaries (None: from them)
    together: bool = False  # both layouts at once: a quick check, not a comparison

    def summary_wait(self) -> float:
        """How long after the summary minute the run waits for every summary."""
        if self.summary_timeout is not None:
            return self.summary_timeout
        return self.servers / (POST_RATE * 0.5) + 60

    def command(self) -> str:
        """The command line that runs these sizes."""
        defaults = Sizes(10_000, 1_000_000, max(1, self.alerts // 250), SHARD_COUNT)
        options = []
        for name, value in vars(self).items():
            if value == getattr(defaults, name):
                continue
            flag = f"--{name.replace('_', '-')}"
            options.append(flag if value is True else f"{flag} {value:g}")
        return " ".join([".venv/bin/python -m bench.bench_multiprocess", *options])


@dataclass(frozen=True)
class Plan:
    """The instants written into the replay file and the store before the processes start."""

    launch: float  # wall clock
    jump_at: datetime  # every symbol +2 % from this second on
    summary_at: datetime  # every server's summary (a whole minute, UTC)


@dataclass
class Outcome:
    """What one layout measured."""

    layout: Layout
    fill_seconds: float = 0.0
    ready: list[float] = field(default_factory=list)  # seconds from launch, per process
    commands: list[tuple[float, float]] = field(default_factory=list)  # (sent wall, ms)
    failed: Counter[str] = field(default_factory=Counter)
    alert_posts: dict[int, float] = field(default_factory=dict)  # alert id → first post wall
    alert_duplicates: int = 0
    summary_posts: dict[int, list[float]] = field(default_factory=dict)  # channel → wall times
    expected: set[int] = field(default_factory=set)  # alert ids the move crosses
    plan: Plan | None = None
    move_429: int = 0
    summary_429: int = 0
    total_429: int = 0
    # Of the 429s above, those of the token's global limit (the rest: per-route buckets).
    move_global_429: int = 0
    summary_global_429: int = 0
    total_global_429: int = 0
    # The 429s of each phase by (route, "global" or "route"): which requests were refused.
    move_refusals: Counter[tuple[str, str]] = field(default_factory=Counter)
    summary_refusals: Counter[tuple[str, str]] = field(default_factory=Counter)
    total_refusals: Counter[tuple[str, str]] = field(default_factory=Counter)
    # Per process: the 429s its discord.py logged (each one is retried after retry_after).
    logged_429: list[int] = field(default_factory=list)
    rss_mib: list[float] = field(default_factory=list)
    loads: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    leader_lines: list[str] = field(default_factory=list)
    queued: list[float] = field(default_factory=list)  # wall times the bots logged a summary queued
    errors: list[str] = field(default_factory=list)
    note: str = ""


def build_world(emu: DiscordEmulator, servers: int, shard_count: int) -> list[Server]:
    """Create the servers round-robin over the shards, one channel and three members each."""
    owner = emu.add_user("operator")
    emu.set_owner(owner.id)
    world = []
    for index in range(servers):
        shard = index % shard_count
        guild = emu.add_guild(f"server-{index}", owner_id=owner.id, on_shard=(shard, shard_count))
        channel = emu.add_channel(guild.id, "minerwatch")
        members = [emu.add_member(guild.id, f"m{index}-{n}").id for n in range(MEMBERS_PER_SERVER)]
        world.append(Server(guild.id, shard, channel.id, members))
    return world


def base_prices(symbols: list[str], rng: random.Random) -> dict[str, float]:
    """Each symbol's flat price before the move."""
    return {s: 90_000.0 if s == "BTC-USD" else round(rng.uniform(10, 200), 2) for s in symbols}


@dataclass(frozen=True, slots=True)
class PlannedAlert:
    """One stored alert, by server and member index: the same in every layout's world."""

    server: int
    member: int
    symbol: str
    kind: str
    level: float


def plan_alerts(
    servers: int, prices: dict[str, float], alerts: int, crossings: int, seed: int
) -> list[PlannedAlert]:
    """The stored alerts: ``crossings`` just under the moved price, the rest far from it."""
    rng = random.Random(seed)
    symbols = sorted(prices)
    crossing_share = crossings / alerts if alerts else 0.0
    planned = []
    for index in range(alerts):
        symbol = rng.choice(symbols)
        base = prices[symbol]
        roll = rng.random()
        if roll < crossing_share:
            kind, level = "above", rng.uniform(base * 1.001, base * JUMP * 0.999)
        elif roll < crossing_share + MOVE_PCT_SHARE:
            kind, level = "move_pct", rng.uniform(10, 50)
        elif rng.random() < 0.5:
            kind, level = "above", base * rng.uniform(1.2, 3.0)
        else:
            kind, level = "below", base * rng.uniform(0.3, 0.8)
        planned.append(
            PlannedAlert(index % servers, index % MEMBERS_PER_SERVER, symbol, kind, level)
        )
    return planned


def alert_rows(world: list[Server], planned: list[PlannedAlert]) -> list[tuple[object, ...]]:
    """The INSERT parameters of ``planned`` in this world's servers and members."""
    now = datetime.now(UTC)
    created, expires = now.isoformat(), (now + timedelta(days=90)).isoformat()
    rows: list[tuple[object, ...]] = []
    for a in planned:
        server = world[a.server]
        owner = server.members[a.member]
        row = (server.guild_id, server.channel_id, owner, a.symbol, a.kind, a.level, "armed")
        rows.append((*row, created, expires))
    return rows


SUMMARY_ON = """
    INSERT INTO guild_settings (guild_id, summary_channel_id, summary_time, summary_timezone,
                                summary_days, summary_enabled, summary_configured_at,
                                updated_at)
    VALUES (?, ?, ?, 'UTC', 'daily', 1, ?, ?)
"""


async def fill_store(
    location: Path | str, rows: list[tuple[object, ...]], prices: dict[str, float]
) -> set[int]:
    """Write the ledger and the alerts in bulk; return the ids of the alerts the move crosses."""
    store = await Store.open(location)
    try:
        await store.ledger.apply_seed(load_ledger(LEDGER_PATH), now=datetime.now(UTC))
        async with store.db.transaction() as conn:
            await conn.executemany(INSERT_ALERT, rows)
        await store.db.execute("ANALYZE")
        crossing: set[int] = set()
        for symbol, base in prices.items():
            found = await store.db.fetch_all(
                "SELECT id FROM alerts WHERE symbol = ? AND kind = 'above' AND level < ?",
                (symbol, base * JUMP),
            )
            crossing.update(int(row[0]) for row in found)
        return crossing
    finally:
        await store.close()


async def configure_summaries(location: Path | str, world: list[Server], at: datetime) -> None:
    """Turn every server's summary on, at ``at`` (UTC), every day."""
    store = await Store.open(location, migrate=False)
    try:
        configured = datetime.now(UTC).isoformat()
        rows = [
            (s.guild_id, s.channel_id, at.strftime("%H:%M"), configured, configured) for s in world
        ]
        async with store.db.transaction() as conn:
            await conn.executemany(SUMMARY_ON, rows)
    finally:
        await store.close()


def write_replay(path: Path, prices: dict[str, float], plan: Plan, until: datetime) -> None:
    """Flat prices from an hour before launch, a row every 2 s, then +2 % at ``jump_at``."""
    start = datetime.fromtimestamp(plan.launch, UTC).replace(microsecond=0)
    lines = ["timestamp,symbol,price,prev_close,volume"]
    opening = (start - timedelta(hours=1)).isoformat()
    lines.extend(f"{opening},{s},{p},{p},1" for s, p in prices.items())
    at = start - timedelta(seconds=10)
    while at <= until:
        moved = at >= plan.jump_at
        stamp = at.isoformat()
        lines.extend(
            f"{stamp},{s},{round(p * JUMP, 4) if moved else p},{p},1" for s, p in prices.items()
        )
        at += timedelta(seconds=REPLAY_STEP_SECONDS)
    path.write_text("\n".join(lines) + "\n")


def make_plan(sizes: Sizes, running: list[Layout], launch: float) -> Plan:
    """When the move and the summaries happen, from budgets for the start and the posts."""
    shards_per_process = max(len(shards_in(r)) for layout in running for r in layout.ranges)
    processes = sum(len(layout.ranges) for layout in running)
    # discord.py identifies a process's shards 5 s apart; loading the alert index and the
    # calendar takes longer with more alerts and with processes starting side by side.
    ready_budget = sizes.ready_budget
    if ready_budget is None:
        ready_budget = 15 + 5 * shards_per_process + 5 * processes
        ready_budget += sizes.alerts / 50_000 * processes
    jump = datetime.fromtimestamp(launch + ready_budget + sizes.quiet, UTC)
    jump = jump.replace(microsecond=0) + timedelta(seconds=1)
    # Several processes share the 50 requests/s: their posts come slower than one process's.
    drained = jump + timedelta(seconds=sizes.crossings / (POST_RATE * 0.6) + 5)
    summary_at = drained.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return Plan(launch, jump, summary_at)


async def one_command(
    emu: DiscordEmulator,
    world: list[Server],
    symbols: list[str],
    rng: random.Random,
    outcome: Outcome,
) -> None:
    """Send one command as a random member of a random server; time its first response."""
    names, weights = zip(*COMMAND_MIX, strict=True)
    command = rng.choices(names, weights)[0]
    server = rng.choice(world)
    options: dict[str, object] = {}
    if command == "price":
        options = {"symbol": rng.choice(symbols)}
    elif command == "company":
        options = {"symbol": rng.choice(("CIFR", "IREN", "WULF", "CORZ", "APLD"))}
    sent = time.time()
    started = time.perf_counter()
    try:
        result = await emu.invoke(
            server.guild_id, server.channel_id, rng.choice(server.members), command, options
        )
        await result.wait_ack(timeout=5)
    except Exception:
        outcome.failed[command] += 1
        return
    outcome.commands.append((sent, (time.perf_counter() - started) * 1000))


async def drive(
    emu: DiscordEmulator,
    world: list[Server],
    symbols: list[str],
    rate: float,
    stop: asyncio.Event,
    outcome: Outcome,
) -> None:
    """Send commands at ``rate`` per second until ``stop`` is set, without waiting for answers."""
    rng = random.Random(11)
    tasks: set[asyncio.Task[None]] = set()
    next_at = time.monotonic()
    while not stop.is_set():
        task = asyncio.create_task(one_command(emu, world, symbols, rng, outcome))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        next_at += rng.expovariate(rate)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.0, next_at - time.monotonic()))
    await asyncio.gather(*tasks)


class Watcher:
    """Reads every message the local Discord created: alert posts and summary posts."""

    def __init__(self, emu: DiscordEmulator, world: list[Server], outcome: Outcome) -> None:
        self.emu = emu
        self.channels = {s.channel_id for s in world}
        self.outcome = outcome
        self.seen = 0
        self.offset = time.time() - time.monotonic()  # messages are stamped in monotonic time

    def read(self) -> None:
        messages = list(self.emu.world.messages.values())
        for message in messages[self.seen :]:
            # Interaction replies come through the webhook routes: only the bot's own posts
            # (alerts, summaries) count here.
            if message.channel_id not in self.channels or message.webhook_id is not None:
                continue
            wall = message.created + self.offset
            ids = [
                int(found.group(1))
                for embed in message.embeds
                if (found := FOOTER_ID.search((embed.get("footer") or {}).get("text", "")))
            ]
            for alert_id in ids:
                if alert_id in self.outcome.alert_posts:
                    self.outcome.alert_duplicates += 1
                else:
                    self.outcome.alert_posts[alert_id] = wall
            if not ids:
                self.outcome.summary_posts.setdefault(message.channel_id, []).append(wall)
            # The local Discord keeps every uploaded chart: 10,000 summaries hold GBs.
            message.attachments = [replace(a, data=b"") for a in message.attachments]
        self.seen = len(messages)
        self.emu.recorder.clear()  # it keeps every request body: keep its memory flat

    async def until(self, done: object, deadline: float) -> bool:
        """Read every 200 ms until ``done()`` or the wall-clock ``deadline``; True if done."""
        assert callable(done)
        while time.time() < deadline:
            self.read()
            if done():
                return True
            await asyncio.sleep(WATCH_EVERY)
        self.read()
        return bool(done())


def bot_env(
    emu: DiscordEmulator, location: Path | str, replay: Path, folder: Path
) -> dict[str, str]:
    return {
        **os.environ,
        "DISCORD_TOKEN": emu.token,
        "DISCORD_API_BASE": emu.api_base,
        "DISCORD_GATEWAY_URL": emu.gateway_base,
        "MINERWATCH_DB": str(location),
        "MINERWATCH_PRICE_SOURCE": f"replay:{replay}",
        "MINERWATCH_POLL_SECONDS": str(POLL_SECONDS),
        "MINERWATCH_CACHE_DIR": str(folder / "cache"),
        "MINERWATCH_LOG_LEVEL": os.environ.get("MINERWATCH_LOG_LEVEL", "INFO"),
        "PYTHONPATH": str(REPO),
    }


@dataclass
class Stage:
    """A layout made ready to start: its local Discord and world, its store filled."""

    outcome: Outcome
    emu: DiscordEmulator
    world: list[Server]
    location: Path | str
    folder: Path


async def prepare(
    layout: Layout,
    sizes: Sizes,
    planned: list[PlannedAlert],
    prices: dict[str, float],
    cluster: Cluster | None,
) -> Stage:
    """A fresh local Discord with the servers, a fresh store with the alerts."""
    outcome = Outcome(layout)
    folder = Path(tempfile.mkdtemp(prefix="bench-mp-"))
    location: Path | str = folder / "bot.sqlite3"
    if layout.store == "postgresql":
        assert cluster is not None
        location = await create_database(cluster, f"bench_{os.getpid()}_{time.time_ns()}")
    emu = await DiscordEmulator().start()
    emu.ratelimits.enable(global_per_second=int(POST_RATE))
    world = build_world(emu, sizes.servers, sizes.shard_count)
    began = time.perf_counter()
    outcome.expected = await fill_store(location, alert_rows(world, planned), prices)
    outcome.fill_seconds = time.perf_counter() - began
    return Stage(outcome, emu, world, location, folder)


async def execute(stage: Stage, sizes: Sizes, prices: dict[str, float], plan: Plan) -> Outcome:
    """Start the layout's processes at the plan's launch, load them, stop them."""
    outcome, emu, world, folder = stage.outcome, stage.emu, stage.world, stage.folder
    layout = outcome.layout
    outcome.plan = plan
    await configure_summaries(stage.location, world, plan.summary_at)
    summary_deadline = plan.summary_at.timestamp() + sizes.summary_wait()
    replay = folder / "prices.csv"
    write_replay(replay, prices, plan, datetime.fromtimestamp(summary_deadline + 120, UTC))
    await asyncio.sleep(max(0.0, plan.launch - time.time()))
    outcome.loads["launch"] = os.getloadavg()
    env = bot_env(emu, stage.location, replay, folder)
    running: list[asyncio.subprocess.Process] = []
    logs = [folder / f"bot{n}.log" for n in range(len(layout.ranges))]
    watcher = Watcher(emu, world, outcome)
    stop = asyncio.Event()
    driver: asyncio.Task[None] | None = None
    try:
        for shards, log_path in zip(layout.ranges, logs, strict=True):
            with log_path.open("wb") as log:
                running.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable, "-m", "bot", "run", "--shards", shards,
                        "--shard-count", str(sizes.shard_count),
                        cwd=folder, env=env, stdout=log, stderr=log,
                    )
                )  # fmt: skip

        async def ready(proc: asyncio.subprocess.Process, shards: str) -> None:
            mine = [next(s for s in world if s.shard == shard) for shard in shards_in(shards)]
            await wait_ready(emu, mine, proc, within=READY_TIMEOUT)
            outcome.ready.append(time.time() - plan.launch)

        await asyncio.gather(*(ready(p, r) for p, r in zip(running, layout.ranges, strict=True)))
        symbols = sorted(prices)
        driver = asyncio.create_task(drive(emu, world, symbols, sizes.rate, stop, outcome))
        if time.time() > plan.jump_at.timestamp():
            outcome.note += "The processes were ready after the planned move. "
        await watcher.until(lambda: False, plan.jump_at.timestamp())
        outcome.loads["move"] = os.getloadavg()
        before = emu.ratelimits.served_429
        before_global = emu.ratelimits.served_global_429
        before_refusals = Counter(emu.ratelimits.refusals)
        expected = outcome.expected
        await watcher.until(
            lambda: expected <= outcome.alert_posts.keys(), plan.summary_at.timestamp()
        )
        outcome.move_429 = emu.ratelimits.served_429 - before
        outcome.move_global_429 = emu.ratelimits.served_global_429 - before_global
        outcome.move_refusals = Counter(emu.ratelimits.refusals) - before_refusals
        if not expected <= outcome.alert_posts.keys():
            outcome.note += "The move's posts were not all in by the summary minute. "
        await watcher.until(lambda: False, plan.summary_at.timestamp())
        outcome.loads["summary"] = os.getloadavg()
        before = emu.ratelimits.served_429
        before_global = emu.ratelimits.served_global_429
        before_refusals = Counter(emu.ratelimits.refusals)
        await watcher.until(lambda: len(outcome.summary_posts) >= len(world), summary_deadline)
        await watcher.until(lambda: False, time.time() + 3)  # a late duplicate shows here
        outcome.summary_429 = emu.ratelimits.served_429 - before
        outcome.summary_global_429 = emu.ratelimits.served_global_429 - before_global
        outcome.total_429 = emu.ratelimits.served_429
        outcome.total_global_429 = emu.ratelimits.served_global_429
        outcome.summary_refusals = Counter(emu.ratelimits.refusals) - before_refusals
        outcome.total_refusals = Counter(emu.ratelimits.refusals)
        outcome.loads["end"] = os.getloadavg()
        outcome.rss_mib = [bot_rss_mb(p.pid) for p in running]
    finally:
        stop.set()
        if driver is not None:
            await driver
        for proc in running:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in running:
            try:
                await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)
            except TimeoutError:
                proc.kill()
        await emu.stop()
    for number, log_path in enumerate(logs):
        outcome.logged_429.append(0)
        for line in log_path.read_text(errors="replace").splitlines():
            if "responded with 429" in line or "is rate limited" in line:
                outcome.logged_429[number] += 1
            if "summary of" in line and line.rstrip().endswith("queued"):
                outcome.queued.append(log_time(line))
            if any(mark in line for mark in LEADER_LINES):
                outcome.leader_lines.append(f"process {number}: {line.strip()[:160]}")
            elif " ERROR " in line or "Traceback" in line:
                outcome.errors.append(f"process {number}: {line.strip()[:160]}")
    return outcome


def log_time(line: str) -> float:
    """The wall time of a bot log line ("2026-12-06 04:29:07,470 INFO …", UTC)."""
    stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=UTC)
    return stamp.timestamp()


def by_route(refusals: Counter[tuple[str, str]]) -> str:
    """The 429s of a phase by route and kind, most first: "POST /channels/… 28 global"."""
    if not refusals:
        return "none"
    return "; ".join(f"`{route}` {count} {kind}" for (route, kind), count in refusals.most_common())


def _phase(outcome: Outcome, start: float, end: float) -> list[float]:
    return [ms for sent, ms in outcome.commands if start <= sent < end]


def layout_rows(o: Outcome, sizes: Sizes) -> dict[str, str]:
    """One column of the side-by-side table."""
    assert o.plan is not None
    jump, at = o.plan.jump_at.timestamp(), o.plan.summary_at.timestamp()
    crossed = [o.alert_posts[i] for i in o.expected if i in o.alert_posts]
    missing = len(o.expected) - len(crossed)
    move_done = max(crossed, default=jump)
    firsts = sorted(times[0] for times in o.summary_posts.values())
    summary_dupes = sum(len(times) - 1 for times in o.summary_posts.values())
    summary_missing = sizes.servers - len(o.summary_posts)
    spread = firsts[-1] - firsts[0] if len(firsts) > 1 else 0.0
    rate = (len(firsts) - 1) / spread if spread > 0 else float("nan")
    every = [ms for _, ms in o.commands]
    quiet = _phase(o, 0, jump)
    moving = _phase(o, jump, max(move_done, jump + 10))
    summaries = _phase(o, at, max(firsts[-1] if firsts else at, at + 10))
    latency = [o.alert_posts[i] - jump for i in o.expected if i in o.alert_posts]

    def p99(values: list[float]) -> str:
        return f"{percentile(values, 99):.1f}" if values else "—"

    def load(name: str) -> str:
        return " / ".join(f"{v:.2f}" for v in o.loads[name]) if name in o.loads else "—"

    return {
        "processes (shards)": ", ".join(o.layout.ranges),
        "alerts written in bulk (s)": f"{o.fill_seconds:.1f}",
        "launch → every shard answers (s, per process)": " / ".join(
            f"{s:.1f}" for s in sorted(o.ready)
        ),
        "commands answered (failed)": f"{len(every):,} ({sum(o.failed.values())})",
        "command p50 / p99, whole run (ms)": (
            f"{percentile(every, 50):.1f} / **{p99(every)}**" if every else "—"
        ),
        "command p99 before the move (ms)": p99(quiet),
        "command p99 while the move is posted (ms)": p99(moving),
        "command p99 while the summaries are posted (ms)": p99(summaries),
        "move: crossings posted / expected": f"{len(crossed):,} / {len(o.expected):,}",
        "move: missing / duplicate posts": f"**{missing} / {o.alert_duplicates}**",
        "move: price change → all posted (s)": (
            f"**{move_done - jump:.1f}**"
            if crossed and not missing
            else (f"{move_done - jump:.1f} (not all)" if crossed else "—")
        ),
        "move: post p50 / p99 after the change (s)": (
            f"{percentile(latency, 50):.1f} / {percentile(latency, 99):.1f}" if latency else "—"
        ),
        "move: 429s served (of them global)": f"{o.move_429} ({o.move_global_429})",
        "move: 429s by route": by_route(o.move_refusals),
        "summaries posted (servers)": f"{len(firsts):,} ({sizes.servers:,})",
        "summaries missing / duplicate": f"**{summary_missing} / {summary_dupes}**",
        "summary minute → last one queued by the bots (s)": (
            f"{max(o.queued) - at:.1f} ({len(o.queued):,} queued)" if o.queued else "—"
        ),
        "summary minute → first / last post (s)": (
            f"{firsts[0] - at:.1f} / {firsts[-1] - at:.1f}" if firsts else "—"
        ),
        "summary posts/s (first → last, ceiling 50)": f"**{rate:.1f}**",
        "summaries: 429s served (of them global)": (
            f"**{o.summary_429}** ({o.summary_global_429})"
        ),
        "summaries: 429s by route": by_route(o.summary_refusals),
        "429s served, whole run (of them global)": f"{o.total_429} ({o.total_global_429})",
        "429s by route, whole run": by_route(o.total_refusals),
        "429s logged by the bots' discord.py (per process)": " / ".join(
            str(n) for n in o.logged_429
        ),
        "RSS per process at the end (MiB)": " / ".join(f"{m:.0f}" for m in o.rss_mib),
        "load average (1/5/15 min) at launch": load("launch"),
        "load average at the move": load("move"),
        "load average at the summary minute": load("summary"),
        "load average at the end": load("end"),
    }


def report(outcomes: list[Outcome], sizes: Sizes, started: datetime) -> str:
    """Render bench/results/multiprocess.md."""
    columns = [layout_rows(o, sizes) for o in outcomes]
    lines = [
        "# Several processes: PostgreSQL × 3 against SQLite × 1",
        "",
        f"Run: `{sizes.command()}`",
        "",
        f"Machine: {machine()}; started {started:%Y-%m-%d %H:%M} UTC.",
        "",
        f"{sizes.servers:,} servers over {sizes.shard_count} shards, one channel and "
        f"{MEMBERS_PER_SERVER} members each, every server's daily summary at the same minute; "
        f"{sizes.alerts:,} active alerts stored in bulk before the start "
        f"({MOVE_PCT_SHARE:.0%} move_pct, about {sizes.crossings:,} just under the moved "
        "price, the rest far from it); every tracked symbol +2 % at one planned second. "
        f"Commands at {sizes.rate:g}/s (open loop) from ready to the end, "
        f"{sizes.quiet:g} s of them before the move. The local Discord runs in the "
        "benchmark's process (its work is in the figures) with its limits on: 50 requests/s "
        "for the token, shared by all processes, and Discord's per-route buckets.",
        "",
        *(
            [
                "**Both layouts ran at the same time (`--together`), sharing the machine: a "
                "check that the harness works, not figures to compare.**",
                "",
            ]
            if sizes.together
            else []
        ),
        "| | " + " | ".join(o.layout.name for o in outcomes) + " |",
        "|---|" + "---:|" * len(outcomes),
    ]
    for key in columns[0]:
        lines.append(f"| {key} | " + " | ".join(c[key] for c in columns) + " |")
    for o in outcomes:
        assert o.plan is not None
        lines += [
            "",
            f"**{o.layout.name}**: move planned {o.plan.jump_at:%H:%M:%S}, summaries at "
            f"{o.plan.summary_at:%H:%M} UTC. {o.note}".rstrip(),
        ]
        if o.leader_lines:
            lines += [
                "",
                "Leader changes logged:",
                *(f"- `{line}`" for line in o.leader_lines[:12]),
            ]
        lines += [
            "",
            f"Errors logged: {len(o.errors)}"
            + ("".join(f"\n- `{e}`" for e in o.errors[:8]) if o.errors else "."),
        ]
    return "\n".join(lines) + "\n"


async def run(sizes: Sizes, out: Path | None = None) -> tuple[list[Outcome], datetime]:
    """Both layouts, one after the other (or side by side with ``together``, a quick check)."""
    started = datetime.now(UTC)
    symbols = sorted(c.symbol for c in load_ledger(LEDGER_PATH).companies)
    prices = base_prices(symbols, random.Random(5))
    planned = plan_alerts(sizes.servers, prices, sizes.alerts, sizes.crossings, seed=7)
    cluster = start_cluster()
    outcomes: list[Outcome] = []
    try:
        both = layouts(sizes.shard_count)
        if sizes.together:
            stages = [await prepare(lay, sizes, planned, prices, cluster) for lay in both]
            plan = make_plan(sizes, list(both), time.time() + 2)
            outcomes += await asyncio.gather(*(execute(st, sizes, prices, plan) for st in stages))
        else:
            # SQLite first: the shorter layout is reported even if the other runs out of time.
            for layout in reversed(both):
                print(f"{layout.name} ...", flush=True)
                stage = await prepare(layout, sizes, planned, prices, cluster)
                plan = make_plan(sizes, [layout], time.time() + 2)
                outcomes.insert(0, await execute(stage, sizes, prices, plan))
                if out is not None:  # what is measured so far, should the run be cut short
                    text = report(outcomes, sizes, started)
                    await asyncio.to_thread(out.write_text, text)
    finally:
        cluster.stop()
    return outcomes, started


def parse(argv: list[str] | None = None) -> tuple[Sizes, str]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=10_000)
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument(
        "--crossings", type=int, default=None, help="alerts the move crosses (default: 1 in 250)"
    )
    parser.add_argument("--shard-count", type=int, default=SHARD_COUNT)
    parser.add_argument("--rate", type=float, default=COMMAND_RATE, help="commands per second")
    parser.add_argument(
        "--quiet", type=float, default=QUIET_SECONDS, help="seconds of commands before the move"
    )
    parser.add_argument(
        "--ready-budget", type=float, default=None, help="seconds planned for the processes' start"
    )
    parser.add_argument(
        "--summary-timeout",
        type=float,
        default=None,
        help="seconds after the summary minute to wait for the summaries (servers/25 + 60)",
    )
    parser.add_argument(
        "--together",
        action="store_true",
        help="run both layouts at once, sharing the machine (a quick check, not a comparison)",
    )
    parser.add_argument("--out", default=str(RESULTS / "multiprocess.md"), help="'-': print")
    args = parser.parse_args(argv)
    # One alert in 250 crosses (4,000 of 1,000,000): a smaller run posts proportionally fewer.
    crossings = args.crossings if args.crossings is not None else max(1, args.alerts // 250)
    sizes = Sizes(
        args.servers,
        args.alerts,
        crossings,
        args.shard_count,
        args.rate,
        args.quiet,
        args.ready_budget,
        args.summary_timeout,
        args.together,
    )
    return sizes, args.out


def main() -> None:
    sizes, out = parse()
    try:
        outcomes, started = asyncio.run(run(sizes, None if out == "-" else Path(out)))
    except ClusterUnavailable as exc:
        raise SystemExit(f"PostgreSQL cannot start here: {exc}") from None
    text = report(outcomes, sizes, started)
    if out != "-":
        Path(out).parent.mkdir(exist_ok=True)
        Path(out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
