"""Load: 1,000 servers, 10,000 members, 100,000 alerts, a price tick every second.

The bot runs as its own process (`python -m bot run`, the production entry point) against
the local Discord in this process, with a replay price file that moves every tracked symbol
every second. While it runs, members in random servers send commands at a steady rate
(open loop: a slow answer does not slow the senders), a slice of the alerts crosses its level
at known moments, and the bot's resident memory is sampled.

Run: .venv/bin/python -m bench.bench_load [--minutes 10] [--rate 20] [--no-gc-freeze]
Writes bench/results/load.md.

A market-wide move (every symbol +2 % in the same second, with 1,000,000 alerts stored):
    .venv/bin/python -m bench.bench_load --minutes 3 --alerts 1000000 --market-jump \
        --out bench/results/load_jump.md
reports the commands' latency before the jump, in the ten seconds after it and while its
crossings are being posted, and checks every crossing is posted exactly once.

Soak (memory over hours, not in CI):
    .venv/bin/python -m bench.bench_load --minutes 120 --rss-every 30 --tracemalloc \
        --out bench/results/soak.md
samples RSS every 30 s, reports the growth per hour after the first 15 minutes, and the
allocations that grew most between minute 15 and the end (tracemalloc in the bot process).

Where a command's time goes (`--probe`): both event loops' callback delays with the stacks
they stalled in (bench/loop_probe.py), each command split between the gateway, the bot and
its callback, the CPU each process used around the jump, and both processes' collections.
Old against new (`--before CHECKOUT`): the same run again with another checkout's bot (its
own .venv), right after, into the same report. `--nice N` runs both processes at niceness N.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import random
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import RESULTS, machine, percentile, rss_mb
from bench.loop_probe import (
    CollectionTimer,
    LoopProbe,
    cpu_lines,
    cpu_snapshot,
    report_lines,
)
from bot.ledger.records import load_ledger
from bot.paths import LEDGER_PATH
from bot.store import Store
from discord_emulator import DiscordEmulator, InteractionResult

REPO = Path(__file__).resolve().parents[1]
SERVERS = 1_000
MEMBERS_PER_SERVER = 10
ALERTS_PER_MEMBER = 10
# About this many above/below alerts are placed inside the price path: each fires once, at a
# moment computed from the path. The rest sit far from the price, as most real alerts do.
FIRING_ALERTS = 2_000
# With --market-jump every symbol steps up by JUMP at one second, a third into the run, and
# about this many more alerts sit just under the new price: all of them cross in that second.
JUMP = 1.02
JUMP_FIRING_ALERTS = 4_000
JUMP_WINDOW_SECONDS = 10.0
DRAIN_SECONDS = 300.0  # how long after the load the bench waits for the jump's posts
MOVE_PCT_SHARE = 0.10
TICK_SECONDS = 1.0
STEP_SIGMA = 0.0008  # per-second relative move: about ±2 % over ten minutes
WARM_UP_SECONDS = 90  # the path starts this long after the files are written
READY_TIMEOUT = 120.0
RSS_EVERY_SECONDS = 10.0
# The soak's growth is measured after the start-up plateau (caches filling, first pages).
SOAK_SETTLED_MINUTE = 15.0
TARGET_GROWTH_PER_HOUR = 0.05
TRACEMALLOC_TOP = 15
TARGET_P99_MS = 50.0
# What members type, weighted (the read commands members use most).
COMMAND_MIX = (
    ("help", 0.25),
    ("price", 0.30),
    ("alert list", 0.20),
    ("deals list", 0.10),
    ("board", 0.10),
    ("company", 0.05),
)
FOOTER_ID = re.compile(r"Alert #(\d+)")
# The bot process is started through this wrapper: it times every garbage collection
# (gc.callbacks) into a JSON file. `minerwatch run` calls gc.freeze() once started; with
# --no-gc-freeze the wrapper undoes it once the bot is ready, to measure the naive collector.
BOT_WRAPPER = """
import gc, json, os, runpy, signal, sys, threading, time, tracemalloc
path, unfreeze_after, trace_dir, probe = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
if probe:  # "file@wall-clock start": the loop's delays from the start of the load on
    from pathlib import Path
    from bench.loop_probe import heap_census, probe_first_loop, time_interactions
    probe_file, probe_from, probe_jump = probe.split("@")
    probe_first_loop(Path(probe_file), float(probe_from))
    heap_census(Path(probe_file).with_name("heap.json"),
                [float(probe_from), float(probe_from) + float(probe_jump) + 25])
    time_interactions(Path(probe_file).with_name("interactions.json"))
# Every collection is counted; only full ones and those over 20 ms are kept one by one, so
# that hours of young collections do not grow the process being measured.
pauses, started = {"count": 0, "total_ms": 0.0, "kept": []}, {}
if trace_dir:
    # One frame per allocation keeps tracemalloc's own overhead small; its size is reported
    # beside the RSS so that the growth it adds is not blamed on the bot.
    tracemalloc.start(1)
    def snapshot(name):
        tracemalloc.take_snapshot().dump(f"{trace_dir}/{name}.snap")
        with open(f"{trace_dir}/{name}.json", "w") as out:
            traced, peak = tracemalloc.get_traced_memory()
            json.dump({"traced": traced, "overhead": tracemalloc.get_tracemalloc_memory()}, out)
    signal.signal(signal.SIGUSR1, lambda *_: snapshot("baseline"))
    signal.signal(signal.SIGUSR2, lambda *_: snapshot("final"))
def timed(phase, info):
    if phase == "start":
        started["t"] = time.perf_counter()
    elif "t" in started:
        ms = (time.perf_counter() - started.pop("t")) * 1000
        pauses["count"] += 1
        pauses["total_ms"] += ms
        if info["generation"] == 2 or ms > 20:
            pauses["kept"].append((info["generation"], ms, time.time()))
gc.callbacks.append(timed)
def dump():
    while True:
        time.sleep(5)
        with open(path + ".tmp", "w") as out:
            json.dump(pauses, out)
        os.replace(path + ".tmp", path)  # the bench never reads a half-written file
threading.Thread(target=dump, daemon=True).start()
if unfreeze_after > 0:
    # Python's own collector: nothing frozen, a young collection every 700 allocations.
    threading.Timer(unfreeze_after, lambda: (gc.unfreeze(), gc.set_threshold(700, 10, 10))).start()
sys.argv = ["bot", "run"]
runpy.run_module("bot", run_name="__main__", alter_sys=True)
"""
INSERT_ALERT = """
    INSERT INTO alerts (guild_id, channel_id, owner_id, symbol, kind, level, repeat, via_dm,
                        state, created_at, expires_at, note)
    VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, NULL)
"""


@dataclass
class World:
    """The servers and members made in the emulator."""

    guilds: list[tuple[int, int]] = field(default_factory=list)  # (guild id, channel id)
    members: dict[int, list[int]] = field(default_factory=dict)  # guild id → user ids


@dataclass
class PricePath:
    """One symbol's price every second from the start of the run."""

    symbol: str
    start: float
    prices: list[float]


@dataclass
class Expected:
    """An alert placed to cross during the run, and when the price first crosses it."""

    alert_id: int
    crosses_at: float  # wall-clock seconds
    second: int  # of the run


@dataclass(frozen=True)
class Shape:
    """How the run was set up: stored alerts, and the jump's second if there was one."""

    alerts: int
    fill_seconds: float
    ready_seconds: float
    jump_at: int | None


@dataclass
class Samples:
    """What the run measured."""

    latency_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failed: Counter[str] = field(default_factory=Counter)
    rss: list[tuple[float, float]] = field(default_factory=list)  # (minute, MiB)
    delivered: dict[int, float] = field(default_factory=dict)  # alert id → wall time
    duplicates: int = 0
    by_minute: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    gc_count: int = 0
    gc_total_ms: float = 0.0
    # Full collections or > 20 ms: (generation, ms, second of the run; negative: start-up).
    gc_pauses: list[tuple[int, float, float]] = field(default_factory=list)
    gc_freeze: bool = False
    t0: float = 0.0  # monotonic start of the load
    timeline: list[tuple[float, float]] = field(default_factory=list)  # (sent at s, ms)
    rss_every: float = RSS_EVERY_SECONDS
    tracemalloc: list[str] = field(default_factory=list)  # report lines, when traced
    probes: list[str] = field(default_factory=list)  # report lines, with --probe
    cpu: list[str] = field(default_factory=list)  # report lines, with --probe
    nice: int = 0  # the niceness both processes ran at
    emulator_frozen: bool = True  # this process's heap frozen before the load
    loads: list[float] = field(default_factory=list)  # the machine's 1-minute load average
    # (interaction id, sent at s of the run, sent and acknowledged in wall-clock seconds)
    sends: list[tuple[str, float, float, float]] = field(default_factory=list)


def build_world(emu: DiscordEmulator, rng: random.Random) -> World:
    """Create 1,000 servers with an alerts channel and 10 members each (before the bot comes)."""
    world = World()
    owner = emu.add_user("operator")
    emu.set_owner(owner.id)
    for index in range(SERVERS):
        guild = emu.add_guild(f"server-{index}", owner_id=owner.id)
        channel = emu.add_channel(guild.id, "alerts")
        world.guilds.append((guild.id, channel.id))
        world.members[guild.id] = [
            emu.add_member(guild.id, f"m{index}-{n}").id for n in range(MEMBERS_PER_SERVER)
        ]
    return world


def price_paths(
    symbols: list[str], seconds: int, rng: random.Random, jump_at: int | None = None
) -> list[PricePath]:
    """Return a random walk per symbol, one price per second (stepping up at ``jump_at``)."""
    paths = []
    for symbol in symbols:
        price = rng.uniform(10, 200) if symbol != "BTC-USD" else 90_000.0
        prices = [price]
        for second in range(1, seconds + 1):
            price *= math.exp(rng.gauss(0, STEP_SIGMA)) * (JUMP if second == jump_at else 1.0)
            prices.append(round(price, 4))
        paths.append(PricePath(symbol, prices[0], prices))
    return paths


def write_replay(path: Path, paths: list[PricePath], t0: datetime) -> None:
    """Write the replay CSV: the opening price an hour before t0, then one row per second."""
    lines = ["timestamp,symbol,price,prev_close,volume"]
    for p in paths:
        lines.append(f"{(t0 - timedelta(hours=1)).isoformat()},{p.symbol},{p.start},{p.start},1")
    for second in range(1, len(paths[0].prices)):
        at = (t0 + timedelta(seconds=second)).isoformat()
        lines.extend(f"{at},{p.symbol},{p.prices[second]},{p.start},1" for p in paths)
    path.write_text("\n".join(lines) + "\n")


def first_crossing(prices: list[float], kind: str, level: float) -> int | None:
    """Return the first second the price crosses ``level`` from its starting side."""
    for second, price in enumerate(prices):
        if (kind == "above" and price > level) or (kind == "below" and price < level):
            return second
    return None


async def fill_alerts(
    db: Path,
    world: World,
    paths: list[PricePath],
    t0: datetime,
    rng: random.Random,
    *,
    per_member: int = ALERTS_PER_MEMBER,
    jump_at: int | None = None,
) -> list[Expected]:
    """Insert the alerts straight into the store; return the ones that will fire."""
    total = len(world.guilds) * MEMBERS_PER_SERVER * per_member
    firing_share = FIRING_ALERTS / total
    jump_share = JUMP_FIRING_ALERTS / total if jump_at is not None else 0.0
    store = await Store.open(db)
    await store.ledger.apply_seed(load_ledger(LEDGER_PATH), now=datetime.now(UTC))
    rows: list[tuple[object, ...]] = []
    planned: list[tuple[int, str, float, int]] = []  # row index, kind, level, crossing second
    now = datetime.now(UTC)
    created, expires = now.isoformat(), (now + timedelta(days=90)).isoformat()
    for guild_id, channel_id in world.guilds:
        for owner in world.members[guild_id]:
            for _ in range(per_member):
                path = rng.choice(paths)
                roll = rng.random()
                if roll < MOVE_PCT_SHARE:
                    kind, level = "move_pct", rng.uniform(10, 50)
                else:
                    kind = rng.choice(("above", "below"))
                    low, high = min(path.prices), max(path.prices)
                    crossing: int | None = None
                    if roll < MOVE_PCT_SHARE + firing_share:
                        level = rng.uniform(path.start, high if kind == "above" else low)
                        crossing = first_crossing(path.prices, kind, level)
                    elif jump_at is not None and roll < MOVE_PCT_SHARE + firing_share + jump_share:
                        # Just under the price after the jump: crossed by the step itself.
                        kind = "above"
                        before = max(path.prices[:jump_at])
                        level = rng.uniform(before * 1.001, path.prices[jump_at] * 0.999)
                        crossing = first_crossing(path.prices, kind, level)
                    else:
                        factor = rng.uniform(1.2, 3.0) if kind == "above" else rng.uniform(0.3, 0.8)
                        level = path.start * factor
                    if crossing is not None and crossing > 0:
                        planned.append((len(rows), kind, level, crossing))
                row = (guild_id, channel_id, owner, path.symbol, kind, level, "armed")
                rows.append((*row, created, expires))
    async with store.db.transaction() as conn:
        await conn.executemany(INSERT_ALERT, rows)
        first = await conn.execute_fetchall("SELECT min(id) FROM alerts")
    await store.db.execute("ANALYZE")
    await store.close()
    base = int(next(iter(first))[0])
    start = t0.timestamp()
    return [Expected(base + index, start + second, second) for index, _, _, second in planned]


async def wait_ready(emu: DiscordEmulator, world: World, proc: asyncio.subprocess.Process) -> None:
    """Wait until the bot answers /help in the last server it was told about."""
    deadline = time.monotonic() + READY_TIMEOUT
    guild_id, channel_id = world.guilds[-1]
    user = world.members[guild_id][0]
    while time.monotonic() < deadline:
        if proc.returncode is not None:
            raise RuntimeError(f"the bot exited with {proc.returncode}")
        if emu.gateway.session is not None and emu.commands.available(guild_id):
            try:
                result = await emu.invoke(guild_id, channel_id, user, "help", {})
                await result.wait_ack(timeout=5)
                return
            except Exception:  # noqa: S110 - not ready yet: try again
                pass
        await asyncio.sleep(0.5)
    raise TimeoutError("the bot did not get ready")


async def one_command(
    emu: DiscordEmulator, world: World, symbols: list[str], rng: random.Random, samples: Samples
) -> None:
    """Send one command as a random member of a random server; record the first response."""
    names, weights = zip(*COMMAND_MIX, strict=True)
    command = rng.choices(names, weights)[0]
    guild_id, channel_id = rng.choice(world.guilds)
    user = rng.choice(world.members[guild_id])
    options: dict[str, object] = {}
    if command == "price":
        options = {"symbol": rng.choice(symbols)}
    elif command == "company":
        options = {"symbol": rng.choice(("CIFR", "IREN", "WULF", "CORZ", "APLD"))}
    started = time.perf_counter()
    sent_at = time.monotonic() - samples.t0
    wall = time.time()
    try:
        result: InteractionResult = await emu.invoke(guild_id, channel_id, user, command, options)
        await result.wait_ack(timeout=5)
    except Exception:
        samples.failed[command] += 1
        return
    elapsed = (time.perf_counter() - started) * 1000
    samples.sends.append((str(result.id), sent_at, wall, wall + elapsed / 1000))
    samples.latency_ms[command].append(elapsed)
    samples.timeline.append((sent_at, elapsed))
    samples.by_minute[int((time.monotonic() - samples.t0) // 60)].append(elapsed)


async def drive(
    emu: DiscordEmulator,
    world: World,
    symbols: list[str],
    rate: float,
    until: float,
    samples: Samples,
) -> None:
    """Send commands at ``rate`` per second until ``until`` (monotonic), without waiting."""
    rng = random.Random(11)
    tasks: set[asyncio.Task[None]] = set()
    next_at = time.monotonic()
    while next_at < until:
        task = asyncio.create_task(one_command(emu, world, symbols, rng, samples))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        next_at += rng.expovariate(rate)
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    await asyncio.gather(*tasks)


async def watch_deliveries(
    emu: DiscordEmulator,
    until: float,
    samples: Samples,
    *,
    expected: list[Expected] | None = None,
    drain_until: float | None = None,
) -> None:
    """Note when each alert's post reached its channel (from the emulator's message log).

    With ``drain_until``, keep watching past ``until`` until every ``expected`` alert is in.
    """
    offset = time.time() - time.monotonic()
    seen = 0
    owed = {e.alert_id for e in expected or ()}

    def watching() -> bool:
        now = time.monotonic()
        if now < until:
            return True
        return (
            drain_until is not None and now < drain_until and not owed <= samples.delivered.keys()
        )

    while watching():
        messages = list(emu.world.messages.values())
        for message in messages[seen:]:
            for embed in message.embeds:
                found = FOOTER_ID.search((embed.get("footer") or {}).get("text", ""))
                if found is None:
                    continue
                alert_id = int(found.group(1))
                if alert_id in samples.delivered:
                    samples.duplicates += 1
                else:
                    samples.delivered[alert_id] = message.created + offset
        seen = len(messages)
        emu.recorder.clear()  # the emulator keeps every request body: keep its memory flat
        await asyncio.sleep(0.2)


async def watch_cpu(pid: int, started: float, jump_at: int, until: float, samples: Samples) -> None:
    """Note the CPU both processes use in the 30 s before the jump and in the 30 s after it."""
    marks = (jump_at - 30, jump_at, jump_at + 30)
    snapshots = []
    for mark in marks:
        await asyncio.sleep(max(0.0, started + mark - time.monotonic()))
        snapshots.append(cpu_snapshot(pid))
    samples.cpu = [
        *cpu_lines(snapshots[0], snapshots[1], "in the 30 s before the jump"),
        *cpu_lines(snapshots[1], snapshots[2], "in the 30 s from the jump"),
    ]


def bot_python(tree: Path) -> str:
    """The interpreter a checkout's bot runs with: its own virtualenv's."""
    if tree == REPO:
        return sys.executable
    return str(tree / ".venv" / "bin" / "python")


def commit_of(tree: Path) -> str:
    """The commit a checkout is at (short), for the report."""
    import subprocess  # only the side-by-side report names commits

    found = subprocess.run(  # noqa: S603 - a fixed git command on a path we were given
        ["git", "-C", str(tree), "rev-parse", "--short", "HEAD"],  # noqa: S607 - git on PATH
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip() or "unknown"


def bot_rss_mb(pid: int) -> float:
    """Return the resident memory of process ``pid`` in MiB."""
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return float("nan")
    for line in status.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def sample_rss(pid: int, started: float, until: float, samples: Samples) -> None:
    """Sample the bot's resident memory every ``samples.rss_every`` seconds."""
    while time.monotonic() < until:
        mib = bot_rss_mb(pid)
        if math.isnan(mib):
            raise RuntimeError(f"the bot process {pid} is gone: see its log")
        samples.rss.append(((time.monotonic() - started) / 60, mib))
        samples.loads.append(os.getloadavg()[0])
        await asyncio.sleep(samples.rss_every)


async def snapshot_at(pid: int, at: float, sig: signal.Signals) -> None:
    """Ask the bot process for a tracemalloc snapshot at monotonic time ``at``."""
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    os.kill(pid, sig)


def tracemalloc_lines(trace_dir: Path, baseline_minute: float) -> list[str]:
    """Compare the bot's snapshots: what grew most between the baseline and the end."""
    import tracemalloc  # only the soak reads snapshots

    try:
        first = tracemalloc.Snapshot.load(str(trace_dir / "baseline.snap"))
        last = tracemalloc.Snapshot.load(str(trace_dir / "final.snap"))
        sizes = [json.loads((trace_dir / f"{n}.json").read_text()) for n in ("baseline", "final")]
    except OSError as exc:
        return [f"No tracemalloc snapshots ({exc})."]
    mib = 1024 * 1024
    lines = [
        f"Python heap traced by tracemalloc (one frame per allocation): "
        f"{sizes[0]['traced'] / mib:.1f} MiB at minute {baseline_minute:g}, "
        f"{sizes[1]['traced'] / mib:.1f} MiB at the end; tracemalloc's own bookkeeping "
        f"{sizes[0]['overhead'] / mib:.1f} → {sizes[1]['overhead'] / mib:.1f} MiB "
        "(inside the RSS above).",
        "",
        f"Top {TRACEMALLOC_TOP} growths (end − minute {baseline_minute:g}), by line:",
        "",
        "| allocated at | growth (KiB) | blocks (Δ) | size at the end (KiB) |",
        "|---|---:|---:|---:|",
    ]
    for stat in last.compare_to(first, "lineno")[:TRACEMALLOC_TOP]:
        frame = stat.traceback[0]
        where = frame.filename.split("site-packages/")[-1].replace(str(REPO) + "/", "")
        lines.append(
            f"| `{where}:{frame.lineno}` | {stat.size_diff / 1024:+,.0f} | "
            f"{stat.count_diff:+,} | {stat.size / 1024:,.0f} |"
        )
    return lines


async def fired_at(db: Path, ids: list[int]) -> dict[int, float]:
    """Return when the bot decided each alert fired (its evaluation time)."""
    store = await Store.open(db, migrate=False)
    try:
        found: dict[int, float] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await store.db.fetch_all(
                f"SELECT id, last_fired_at FROM alerts WHERE id IN ({marks})",
                chunk,
            )
            for row in rows:
                if row[1]:
                    found[int(row[0])] = datetime.fromisoformat(row[1]).timestamp()
        return found
    finally:
        await store.close()


def summary(values: list[float]) -> str:
    """Return "p50 / p90 / p99 / max" of ``values`` in milliseconds."""
    if not values:
        return "— | — | — | —"
    return " | ".join(
        f"{v:.1f}"
        for v in (
            percentile(values, 50),
            percentile(values, 90),
            percentile(values, 99),
            max(values),
        )
    )


async def run(
    minutes: float,
    rate: float,
    *,
    gc_freeze: bool,
    rss_every: float = RSS_EVERY_SECONDS,
    trace: bool = False,
    alerts: int = SERVERS * MEMBERS_PER_SERVER * ALERTS_PER_MEMBER,
    market_jump: bool = False,
    probe: bool = False,
    nice: int = 0,
    bot_tree: Path = REPO,
    freeze_emulator: bool = True,
) -> str:
    """Set everything up, run the load, and return the report."""
    rng = random.Random(20261125)
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    db = folder / "load.sqlite3"
    seconds = int(minutes * 60)
    symbols = sorted(c.symbol for c in load_ledger(LEDGER_PATH).companies)
    setup_started = time.perf_counter()
    async with DiscordEmulator() as emu:
        emu.ratelimits.enable(global_per_second=50)
        world = build_world(emu, rng)
        jump_at = seconds // 3 if market_jump else None
        paths = price_paths(symbols, seconds, rng, jump_at)
        t0 = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=WARM_UP_SECONDS)
        write_replay(folder / "prices.csv", paths, t0)
        per_member = max(1, round(alerts / (SERVERS * MEMBERS_PER_SERVER)))
        fill_started = time.perf_counter()
        expected = await fill_alerts(
            db, world, paths, t0, rng, per_member=per_member, jump_at=jump_at
        )
        fill_seconds = time.perf_counter() - fill_started
        env = {
            **os.environ,
            "DISCORD_TOKEN": emu.token,
            "DISCORD_API_BASE": emu.api_base,
            "DISCORD_GATEWAY_URL": emu.gateway_base,
            "MINERWATCH_DB": str(db),
            "MINERWATCH_PRICE_SOURCE": f"replay:{folder / 'prices.csv'}",
            "MINERWATCH_POLL_SECONDS": str(TICK_SECONDS),
            "MINERWATCH_CACHE_DIR": str(folder / "cache"),
            "MINERWATCH_LOG_LEVEL": os.environ.get("MINERWATCH_LOG_LEVEL", "WARNING"),
            "PYTHONPATH": str(bot_tree),
        }
        log_path = folder / "bot.log"
        with log_path.open("wb") as log:
            unfreeze_after = 0.0 if gc_freeze else WARM_UP_SECONDS / 2
            trace_dir = folder / "trace" if trace else None
            if trace_dir is not None:
                trace_dir.mkdir()
            probe_path = folder / "probe.json" if probe else None
            wrapper_args = (
                str(folder / "gc.json"),
                str(unfreeze_after),
                str(trace_dir or ""),
                f"{probe_path}@{t0.timestamp()}@{jump_at or 0}" if probe_path else "",
            )
            bot = await asyncio.create_subprocess_exec(
                *(("nice", "-n", str(nice)) if nice else ()),
                *(bot_python(bot_tree), "-c", BOT_WRAPPER, *wrapper_args),
                cwd=folder,
                env=env,
                stderr=log,
                stdout=log,
            )
            try:
                ready_started = time.perf_counter()
                await wait_ready(emu, world, bot)
                ready_seconds = time.perf_counter() - ready_started
                setup_seconds = time.perf_counter() - setup_started
                idle_rss = bot_rss_mb(bot.pid)
                if freeze_emulator:
                    # The local Discord stands in for a service on other machines: its full
                    # collections (Discord's OpenAPI spec, the world of 10,000 members: ~285 ms
                    # each) would stop every command in flight and be counted as the bot's.
                    gc.collect()
                    gc.freeze()
                await asyncio.sleep(max(0.0, t0.timestamp() - time.time()))
                samples = Samples(rss_every=rss_every, nice=nice, emulator_frozen=freeze_emulator)
                started = samples.t0 = time.monotonic()
                until = started + seconds
                baseline_minute = min(SOAK_SETTLED_MINUTE, minutes / 2)
                snapshots = (
                    [
                        snapshot_at(bot.pid, started + baseline_minute * 60, signal.SIGUSR1),
                        snapshot_at(bot.pid, until + 10, signal.SIGUSR2),
                    ]
                    if trace
                    else []
                )
                here = (
                    LoopProbe(asyncio.get_running_loop(), threading.get_ident()).start()
                    if probe
                    else None
                )
                collections = CollectionTimer() if probe else None
                cpu = (
                    [watch_cpu(bot.pid, started, jump_at, until, samples)]
                    if probe and jump_at is not None
                    else []
                )
                await asyncio.gather(
                    drive(emu, world, symbols, rate, until, samples),
                    watch_deliveries(
                        emu,
                        until + 15,
                        samples,
                        expected=expected,
                        drain_until=until + DRAIN_SECONDS if market_jump else None,
                    ),
                    sample_rss(bot.pid, started, until + 15, samples),
                    *snapshots,
                    *cpu,
                )
                final_rss = bot_rss_mb(bot.pid)
                if here is not None and probe_path is not None:
                    here.stop()
                    await asyncio.sleep(6)  # the bot's probe writes its summary every 5 s
                    marks = json.loads((folder / "interactions.json").read_text())
                    samples.probes = [
                        *split_lines(samples.sends, marks, jump_at),
                        collections.line("Garbage collections in the benchmark's process")
                        if collections is not None
                        else "",
                        "",
                        *samples.cpu,
                        *report_lines("The bot's event loop", json.loads(probe_path.read_text())),
                        *report_lines(
                            "The benchmark's event loop (the local Discord, drivers)",
                            here.summary(),
                        ),
                    ]
                if trace_dir is not None:
                    # The bot writes its final snapshot (seconds for a big heap) in a handler.
                    for _ in range(240):
                        if (trace_dir / "final.json").exists():
                            break
                        await asyncio.sleep(0.5)
                    samples.tracemalloc = tracemalloc_lines(trace_dir, baseline_minute)
            finally:
                if bot.returncode is None:
                    bot.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(bot.wait(), 30)
                except TimeoutError:
                    bot.kill()
    decided = await fired_at(db, [e.alert_id for e in expected])
    errors = [line for line in log_path.read_text().splitlines() if " ERROR " in line]
    gc_file = folder / "gc.json"
    if gc_file.exists():
        recorded = json.loads(gc_file.read_text())
        samples.gc_count, samples.gc_total_ms = recorded["count"], recorded["total_ms"]
        start_wall = time.time() - (time.monotonic() - samples.t0)
        samples.gc_pauses = [
            (int(g), float(ms), float(at) - start_wall) for g, ms, at in recorded["kept"]
        ]
    samples.gc_freeze = gc_freeze
    shape = Shape(
        alerts=SERVERS * MEMBERS_PER_SERVER * per_member,
        fill_seconds=fill_seconds,
        ready_seconds=ready_seconds,
        jump_at=jump_at,
    )
    return report(
        minutes, rate, setup_seconds, idle_rss, final_rss, expected, decided, samples, errors, shape
    )


def report(
    minutes: float,
    rate: float,
    setup_seconds: float,
    idle_rss: float,
    final_rss: float,
    expected: list[Expected],
    decided: dict[int, float],
    samples: Samples,
    errors: list[str],
    shape: Shape,
) -> str:
    """Render bench/results/load.md."""
    every = [v for values in samples.latency_ms.values() for v in values]
    sent = len(every) + sum(samples.failed.values())
    detect = [decided[e.alert_id] - e.crosses_at for e in expected if e.alert_id in decided]
    deliver = [
        samples.delivered[e.alert_id] - decided[e.alert_id]
        for e in expected
        if e.alert_id in decided and e.alert_id in samples.delivered
    ]
    end_to_end = [
        samples.delivered[e.alert_id] - e.crosses_at
        for e in expected
        if e.alert_id in samples.delivered
    ]
    within = sum(1 for v in detect if v <= TICK_SECONDS)
    missing = [e.alert_id for e in expected if e.alert_id not in samples.delivered]
    rss_rows = []
    by_minute: dict[int, list[float]] = defaultdict(list)
    for minute, mib in samples.rss:
        by_minute[int(minute)].append(mib)
    for minute in sorted(by_minute):
        rss_rows.append(f"| {minute} | {statistics.fmean(by_minute[minute]):.0f} |")
    steady = [mib for minute, mib in samples.rss if minute >= 2]
    slope = _slope([(m, v) for m, v in samples.rss if m >= 2])
    soak = soak_lines(samples, minutes)
    jump = jump_lines(shape, expected, samples, decided)
    lines = [
        f"# Load: 1,000 servers, 10,000 members, {shape.alerts:,} alerts, a tick every second"
        + (", every symbol +2 % at once" if shape.jump_at is not None else ""),
        "",
        f"Command: `.venv/bin/python -m bench.bench_load --minutes {minutes:g} --rate {rate:g}"
        + ("" if samples.gc_freeze else " --no-gc-freeze")
        + ("" if samples.rss_every == RSS_EVERY_SECONDS else f" --rss-every {samples.rss_every:g}")
        + (" --tracemalloc" if samples.tracemalloc else "")
        + ("" if shape.alerts == 100_000 else f" --alerts {shape.alerts}")
        + (" --market-jump" if shape.jump_at is not None else "")
        + (f" --nice {samples.nice}" if samples.nice else "")
        + (" --probe" if samples.probes else "")
        + ("" if samples.emulator_frozen else " --no-emulator-freeze")
        + "`",
        "",
        f"Machine: {machine()}",
        "",
        f"Load average (1 minute, every {samples.rss_every:g} s during the run): "
        f"{min(samples.loads, default=0):.1f}–{max(samples.loads, default=0):.1f}, median "
        f"{statistics.median(samples.loads) if samples.loads else 0:.1f}.",
        "",
        "The bot runs as its own process (`python -m bot run`) against the local Discord in",
        "the benchmark process (rate limits on: 50 requests/s global, Discord's per-route",
        "buckets), with a replay file moving every tracked symbol every second and the poll",
        f"interval at {TICK_SECONDS:g} s. {SERVERS:,} servers × {MEMBERS_PER_SERVER} members; "
        f"{shape.alerts:,} active alerts stored before the start ({MOVE_PCT_SHARE:.0%} "
        f"move_pct, the rest above/below; about {FIRING_ALERTS:,} placed inside the price path "
        "so that each fires once at a known second).",
        f"Setup (world, store, bot start to the first answer): {setup_seconds:.0f} s; the "
        f"alerts written in {shape.fill_seconds:.1f} s; bot start → first answer "
        f"{shape.ready_seconds:.1f} s.",
        "",
        *jump,
        f"## Commands ({rate:g} per second, open loop, {sent:,} sent over {minutes:g} min)",
        "",
        "Invoke → first response as the member sees it (through the emulator, so each figure "
        "includes the emulator's own work on the same machine), milliseconds:",
        "",
        "| command | count | p50 | p90 | p99 | max |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for command, _ in COMMAND_MIX:
        values = samples.latency_ms.get(command, [])
        lines.append(f"| `/{command}` | {len(values):,} | {summary(values)} |")
    lines += [
        f"| **all** | {len(every):,} | {summary(every)} |",
        "",
        "By minute of the run (all commands):",
        "",
        "| minute | count | p50 | p90 | p99 | max |",
        "|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {minute} | {len(values):,} | {summary(values)} |"
            for minute, values in sorted(samples.by_minute.items())
        ),
        "",
        f"Unanswered or failed: {sum(samples.failed.values())} "
        f"({dict(samples.failed) or 'none'}). Target p99 < {TARGET_P99_MS:.0f} ms: "
        f"**{'met' if every and percentile(every, 99) < TARGET_P99_MS else 'not met'}** "
        f"(p99 {percentile(every, 99) if every else float('nan'):.1f} ms).",
        "",
        "## Alert delivery",
        "",
        f"{len(expected):,} alerts crossed their level during the run; {len(decided):,} were "
        f"fired by the bot and {len(samples.delivered):,} posts reported them "
        f"({samples.duplicates} duplicates; {len(missing)} not delivered"
        + (f": {missing[:10]}" if missing else "")
        + ").",
        "",
        "| stage | p50 | p90 | p99 | max |",
        "|---|---:|---:|---:|---:|",
        f"| crossing in the price file → fired by the evaluation (s) | {_seconds(detect)} |",
        f"| fired → post in the channel (s) | {_seconds(deliver)} |",
        f"| crossing → post (s) | {_seconds(end_to_end)} |",
        "",
        f"Fired within one poll interval ({TICK_SECONDS:g} s) of the crossing: "
        f"{within:,} / {len(detect):,}; the rest of the wait is delivery, bounded by Discord's "
        "50 requests/s when many alerts fire in the same second.",
        "",
        "## Garbage collection in the bot process",
        "",
        gc_lines(samples),
        "",
        "## Memory (resident set of the bot process)",
        "",
        f"Ready and idle: {idle_rss:.0f} MiB; at the end: {final_rss:.0f} MiB; "
        f"from minute 2 on: {min(steady, default=0):.0f}–{max(steady, default=0):.0f} MiB, "
        f"trend {slope:+.2f} MiB/min. The benchmark process (emulator and drivers): "
        f"{rss_mb():.0f} MiB.",
        "",
        *soak,
        "| minute | RSS (MiB) |",
        "|---:|---:|",
        *rss_rows,
        "",
        *samples.tracemalloc,
        "",
        *(["## Event loops, probed (`--probe`)", "", *samples.probes] if samples.probes else []),
        f"Errors logged by the bot: {len(errors)}"
        + ("".join(f"\n- `{e[:160]}`" for e in errors[:5]) if errors else "."),
    ]
    return "\n".join(lines) + "\n"


def split_lines(
    sends: list[tuple[str, float, float, float]],
    marks: dict[str, list[float]],
    jump_at: int | None,
) -> list[str]:
    """Where a command's time goes: gateway in, the bot, its callback, the emulator's ack."""
    stages: dict[str, list[tuple[float, float]]] = defaultdict(list)  # name → (total, stage)
    for interaction, sent_at, sent, acked in sends:
        found = marks.get(interaction)
        if found is None or len(found) < 3:
            continue
        if jump_at is not None and not jump_at <= sent_at < jump_at + 30:
            continue
        parsed, responding, answered = found[:3]
        total = (acked - sent) * 1000
        for name, ms in (
            ("sent → parsed by the bot (gateway, both loops)", parsed - sent),
            ("parsed → first response sent (the bot's work)", responding - parsed),
            ("response sent → answered (the callback, the emulator)", answered - responding),
            ("answered → ack seen by the member (the bench's loop)", acked - answered),
        ):
            stages[name].append((total, ms * 1000))
    if not stages:
        return []
    lines = [
        "Where the time of a command goes"
        + (" (sent in the 30 s from the jump)" if jump_at is not None else "")
        + ", ms: each stage's own percentiles, and its mean share in the slowest 1 % of commands.",
        "",
        "| stage | p50 | p90 | p99 | max | mean in the slowest 1 % |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, pairs in stages.items():
        values = [ms for _, ms in pairs]
        slowest = sorted(pairs, reverse=True)[: max(1, len(pairs) // 100)]
        mean = statistics.fmean(ms for _, ms in slowest)
        lines.append(f"| {name} | {summary(values)} | {mean:.1f} |")
    return [*lines, ""]


def jump_lines(
    shape: Shape, expected: list[Expected], samples: Samples, decided: dict[int, float]
) -> list[str]:
    """The market-wide move: command latency around it, and its crossings posted once."""
    if shape.jump_at is None:
        return []
    at = float(shape.jump_at)
    jumped = [e for e in expected if e.second == shape.jump_at]
    posted = [samples.delivered[e.alert_id] for e in jumped if e.alert_id in samples.delivered]
    drained = (max(posted) - min(e.crosses_at for e in jumped)) if posted and jumped else 0.0
    phases = (
        ("before the jump", 0.0, at),
        (f"the {JUMP_WINDOW_SECONDS:g} s after it", at, at + JUMP_WINDOW_SECONDS),
        ("while its crossings are posted", at, at + max(drained, JUMP_WINDOW_SECONDS)),
    )
    rows = []
    for name, start, end in phases:
        values = [ms for sent, ms in samples.timeline if start <= sent < end]
        rows.append(f"| {name} | {len(values):,} | {summary(values)} |")
    during = [ms for sent, ms in samples.timeline if at <= sent < at + max(drained, 10.0)]
    p99 = percentile(during, 99) if during else float("nan")
    missing = sum(1 for e in jumped if e.alert_id not in samples.delivered)
    fired = sum(1 for e in jumped if e.alert_id in decided)
    return [
        f"## Every symbol +{JUMP - 1:.0%} in second {shape.jump_at} of the run",
        "",
        f"{len(jumped):,} alerts cross in that second; {fired:,} were fired by the bot, "
        f"{len(posted):,} posted ({missing} not posted; duplicates over "
        f"the whole run: {samples.duplicates}); the last post came {drained:.1f} s after the "
        "jump (Discord's 50 requests/s paces the posts).",
        "",
        "Commands by when they were sent, milliseconds:",
        "",
        "| sent | count | p50 | p90 | p99 | max |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Target: p99 < {TARGET_P99_MS:.0f} ms while the move is evaluated and posted: "
        f"**{'met' if p99 < TARGET_P99_MS else 'not met'}** ({p99:.1f} ms); every crossing "
        f"posted exactly once: **{'yes' if not missing and not samples.duplicates else 'no'}**.",
        "",
    ]


def soak_lines(samples: Samples, minutes: float) -> list[str]:
    """The soak's verdict: RSS growth per hour after the start-up plateau."""
    if minutes < 2 * SOAK_SETTLED_MINUTE:
        return []
    settled = [(m, v) for m, v in samples.rss if m >= SOAK_SETTLED_MINUTE]
    if len(settled) < 2:
        return []
    at_start = statistics.fmean(v for m, v in settled if m < SOAK_SETTLED_MINUTE + 1)
    per_hour = _slope(settled) * 60
    share = per_hour / at_start
    verdict = "met" if share < TARGET_GROWTH_PER_HOUR else "not met"
    return [
        f"Soak: RSS sampled every {samples.rss_every:g} s; after minute "
        f"{SOAK_SETTLED_MINUTE:g} ({at_start:.0f} MiB) the least-squares trend is "
        f"{per_hour:+.1f} MiB/hour, **{share:+.1%} per hour** (target < "
        f"{TARGET_GROWTH_PER_HOUR:.0%}: **{verdict}**); last sample "
        f"{settled[-1][1]:.0f} MiB at minute {settled[-1][0]:.0f}.",
        "",
    ]


def gc_lines(samples: Samples) -> str:
    """Describe the collections the bot ran during the whole process life."""
    pauses = samples.gc_pauses
    mode = (
        "the bot's `gc.freeze()` after start-up"
        if samples.gc_freeze
        else "`gc.unfreeze()` once ready (the collector without the freeze)"
    )
    if not samples.gc_count:
        return f"({mode}) no collection was recorded."
    full = [ms for generation, ms, _ in pauses if generation == 2]
    slow = [ms for _, ms, _ in pauses if ms > 20]
    loaded = [ms for generation, ms, at in pauses if generation == 2 and at >= 0]
    return (
        f"{mode}: {samples.gc_count:,} collections, {samples.gc_total_ms / 1000:.1f} s in "
        f"total; {len(full)} full (generation 2) collections, longest "
        f"{max(full, default=0):.0f} ms, median {statistics.median(full) if full else 0:.0f} ms; "
        f"{len(slow)} collections over 20 ms. From the start of the load on: {len(loaded)} "
        f"full, {', '.join(f'{ms:.0f}' for ms in loaded) or 'none'} ms."
    )


def _seconds(values: list[float]) -> str:
    if not values:
        return "— | — | — | —"
    return " | ".join(
        f"{v:.2f}" for v in (percentile(values, 50), percentile(values, 90),
                             percentile(values, 99), max(values))
    )  # fmt: skip


def _slope(points: list[tuple[float, float]]) -> float:
    """Return the least-squares slope of (minute, MiB) points."""
    if len(points) < 2:
        return 0.0
    xs, ys = zip(*points, strict=True)
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else 0.0


def main() -> None:
    """Parse the options, run, write bench/results/load.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=20.0, help="commands per second")
    parser.add_argument("--out", default=str(RESULTS / "load.md"), help="'-' to only print")
    parser.add_argument(
        "--rss-every", type=float, default=RSS_EVERY_SECONDS, help="seconds between RSS samples"
    )
    parser.add_argument(
        "--alerts", type=int, default=100_000, help="active alerts stored before the start"
    )
    parser.add_argument(
        "--market-jump",
        action="store_true",
        help="every symbol +2 %% at once a third into the run; report commands meanwhile",
    )
    parser.add_argument(
        "--before",
        help="another checkout (with its .venv): run its bot too, right after, same load",
    )
    parser.add_argument(
        "--no-emulator-freeze",
        action="store_true",
        help="leave this process's heap (the local Discord's) to the full collector, as before",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run the bot and this process at this niceness (negative: ahead of other work "
        "on the machine; needs the privilege)",
    )
    parser.add_argument(
        "--probe",
        action="store_true",
        help="time both event loops' callback delays; sample their stacks when overdue",
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="trace the bot's allocations; report what grew after the first 15 minutes",
    )
    parser.add_argument(
        "--no-gc-freeze",
        action="store_true",
        help="undo the bot's gc.freeze() once it is ready (the naive collector, for comparison)",
    )
    args = parser.parse_args()
    if args.probe and args.before:
        parser.error("--probe times this checkout's bot only: leave out --before")
    if args.nice:
        # Before any thread exists: on Linux a thread's niceness is its own, inherited by
        # the threads it starts (the local Discord's and the drivers' all run in this one).
        os.setpriority(os.PRIO_PROCESS, 0, args.nice)
    options = {
        "gc_freeze": not args.no_gc_freeze,
        "rss_every": args.rss_every,
        "trace": args.tracemalloc,
        "alerts": args.alerts,
        "market_jump": args.market_jump,
        "probe": args.probe,
        "nice": args.nice,
        "freeze_emulator": not args.no_emulator_freeze,
    }
    text = asyncio.run(run(args.minutes, args.rate, **options))
    if args.before:
        # The same world, seed and load with another checkout's bot, right after: the two
        # runs share the machine's load as closely as two runs in a row can.
        before = Path(args.before).resolve()
        earlier = asyncio.run(run(args.minutes, args.rate, **options, bot_tree=before))
        text = (
            f"# Side by side: this checkout's bot ({commit_of(REPO)}) and {before.name}'s "
            f"({commit_of(before)}), run right after it: the command below with "
            f"`--before` and {before.name}'s checkout\n\n"
            + text.replace("# Load", "## This checkout: Load", 1)
            + "\n"
            + earlier.replace("# Load", f"## {before.name} ({commit_of(before)}): Load", 1)
        )
    if args.out != "-":
        Path(args.out).parent.mkdir(exist_ok=True)
        Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
