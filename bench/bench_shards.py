"""Shards: every server in one bot process, or the servers split over shards and processes.

2,000 servers (under Discord's 2,500 per shard, so one unsharded connection is allowed), each
with a channel and three members. Three layouts, each against a fresh local Discord and store,
the bot as real `python -m bot run` processes (the production entry point):

- one process, unsharded (as before sharding existed);
- one process running shards 0-1 of 2 (`--shards 0-1 --shard-count 2`);
- two processes, shard 0 and shard 1 of 2, over one store (started one after the other).

For each: the time from a process's start until every shard it runs answers /help; then
members in random servers send commands at a steady rate (open loop) and the first response
of each is timed; the resident memory of every bot process is read at the end.

Run: .venv/bin/python -m bench.bench_shards [--servers 2000] [--seconds 30] [--rate 20]
Writes bench/results/shards.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.bench_load import REPO, bot_rss_mb
from bench.common import RESULTS, machine, percentile, wait_ready
from discord_emulator import DiscordEmulator

SHARD_COUNT = 2
MEMBERS_PER_SERVER = 3
READY_TIMEOUT = 120.0
COMMAND_MIX = (("help", 0.4), ("price", 0.4), ("status", 0.2))
SYMBOLS = ("CIFR", "IREN", "WULF", "CORZ", "APLD", "BTC-USD")
# (name, the `run` options of each process)
LAYOUTS: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = (
    ("1 process, unsharded", ((),)),
    ("1 process, shards 0-1 of 2", (("--shards", "0-1", "--shard-count", "2"),)),
    (
        "2 processes, shard 0 / shard 1 of 2",
        (("--shards", "0", "--shard-count", "2"), ("--shards", "1", "--shard-count", "2")),
    ),
)


@dataclass
class Server:
    """A server of the test world: its id, a channel and members who type commands."""

    guild_id: int
    shard: int
    channel_id: int
    members: list[int]


@dataclass
class Outcome:
    """What one layout measured."""

    layout: str
    ready_seconds: list[float] = field(default_factory=list)
    latency_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failed: int = 0
    rss_mib: list[float] = field(default_factory=list)
    sessions: int = 0


def build_world(emu: DiscordEmulator, servers: int) -> list[Server]:
    """Create the servers, alternating shards so each shard holds half of them."""
    world = []
    for index in range(servers):
        shard = index % SHARD_COUNT
        guild = emu.add_guild(f"server {index}", on_shard=(shard, SHARD_COUNT))
        channel = emu.add_channel(guild.id, "general")
        members = [emu.add_member(guild.id, f"m{index}-{n}").id for n in range(MEMBERS_PER_SERVER)]
        world.append(Server(guild.id, shard, channel.id, members))
    return world


def shards_of(options: tuple[str, ...]) -> list[int]:
    """Return the shards a process started with ``options`` runs (unsharded: 0)."""
    if "--shards" not in options:
        return [0]
    text = options[options.index("--shards") + 1]
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


async def one_command(
    emu: DiscordEmulator, world: list[Server], rng: random.Random, outcome: Outcome
) -> None:
    """Send one command as a random member of a random server; time its first response."""
    names, weights = zip(*COMMAND_MIX, strict=True)
    command = rng.choices(names, weights)[0]
    server = rng.choice(world)
    options = {"symbol": rng.choice(SYMBOLS)} if command == "price" else {}
    started = time.perf_counter()
    try:
        result = await emu.invoke(
            server.guild_id, server.channel_id, rng.choice(server.members), command, options
        )
        await result.wait_ack(timeout=5)
    except Exception:
        outcome.failed += 1
        return
    outcome.latency_ms[command].append((time.perf_counter() - started) * 1000)


async def drive(
    emu: DiscordEmulator, world: list[Server], rate: float, seconds: float, outcome: Outcome
) -> None:
    """Send commands at ``rate`` per second for ``seconds``, without waiting for answers."""
    rng = random.Random(7)
    tasks: set[asyncio.Task[None]] = set()
    until = time.monotonic() + seconds
    next_at = time.monotonic()
    while next_at < until:
        task = asyncio.create_task(one_command(emu, world, rng, outcome))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        next_at += rng.expovariate(rate)
        emu.recorder.clear()  # the emulator keeps every request: keep its memory flat
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    await asyncio.gather(*tasks)


async def run_layout(
    name: str, processes: tuple[tuple[str, ...], ...], servers: int, seconds: float, rate: float
) -> Outcome:
    """Start the layout's bot processes one after the other, load them, stop them."""
    outcome = Outcome(name)
    folder = Path(tempfile.mkdtemp(prefix="bench-shards-"))
    async with DiscordEmulator() as emu:
        emu.ratelimits.enable(global_per_second=50)
        world = build_world(emu, servers)
        env = {
            **os.environ,
            "DISCORD_TOKEN": emu.token,
            "DISCORD_API_BASE": emu.api_base,
            "DISCORD_GATEWAY_URL": emu.gateway_base,
            "MINERWATCH_DB": str(folder / "shards.sqlite3"),
            "MINERWATCH_PRICE_SOURCE": "demo",
            "MINERWATCH_CACHE_DIR": str(folder / "cache"),
            "MINERWATCH_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(REPO),
        }
        running: list[asyncio.subprocess.Process] = []
        try:
            for number, options in enumerate(processes):
                with (folder / f"bot{number}.log").open("wb") as log:
                    started = time.perf_counter()
                    proc = await asyncio.create_subprocess_exec(
                        sys.executable, "-m", "bot", "run", *options,
                        cwd=folder, env=env, stdout=log, stderr=log,
                    )  # fmt: skip
                running.append(proc)
                mine = [next(s for s in world if s.shard == shard) for shard in shards_of(options)]
                await wait_ready(emu, mine, proc, within=READY_TIMEOUT)
                outcome.ready_seconds.append(time.perf_counter() - started)
            outcome.sessions = len(emu.gateway.sessions)
            await drive(emu, world, rate, seconds, outcome)
            outcome.rss_mib = [bot_rss_mb(p.pid) for p in running]
        finally:
            for proc in running:
                if proc.returncode is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in running:
                try:
                    await asyncio.wait_for(proc.wait(), 30)
                except TimeoutError:
                    proc.kill()
    return outcome


def report(outcomes: list[Outcome], servers: int, seconds: float, rate: float) -> str:
    """Render the figures as Markdown."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Shards: one process or several",
        "",
        f"{servers:,} servers (half on each of 2 shards), {MEMBERS_PER_SERVER} members each; "
        f"commands at {rate:g}/s for {seconds:g} s ({', '.join(n for n, _ in COMMAND_MIX)}); "
        "demo prices; the bot as `python -m bot run` processes against the local Discord in "
        "the benchmark's process (its work is in the figures).",
        "",
        "Run: `.venv/bin/python -m bench.bench_shards "
        f"--servers {servers} --seconds {seconds:g} --rate {rate:g}`",
        f"Machine: {machine()} — {stamp}",
        "",
        "| layout | gateway sessions | start → answering (s, per process) | commands | "
        "p50 ms | p99 ms | failed | RSS MiB per process |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    for o in outcomes:
        every = [v for values in o.latency_ms.values() for v in values]
        lines.append(
            f"| {o.layout} | {o.sessions} | {' / '.join(f'{s:.1f}' for s in o.ready_seconds)} "
            f"| {len(every)} | {percentile(every, 50):.1f} | {percentile(every, 99):.1f} "
            f"| {o.failed} | {' / '.join(f'{m:.0f}' for m in o.rss_mib)} |"
        )
    lines += [
        "",
        "Per command (p50 / p99 ms):",
        "",
        "| layout | " + " | ".join(n for n, _ in COMMAND_MIX) + " |",
        "|---|" + "---:|" * len(COMMAND_MIX),
    ]
    for o in outcomes:
        cells = [
            f"{percentile(o.latency_ms[n], 50):.1f} / {percentile(o.latency_ms[n], 99):.1f}"
            if o.latency_ms[n]
            else "—"
            for n, _ in COMMAND_MIX
        ]
        lines.append(f"| {o.layout} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "A process that runs several shards identifies them 5 s apart (discord.py's default, "
        "Discord's one IDENTIFY per 5 s at max_concurrency 1), which is in its start time.",
    ]
    return "\n".join(lines) + "\n"


async def main_async(servers: int, seconds: float, rate: float) -> str:
    outcomes = []
    for name, processes in LAYOUTS:
        print(f"{name} ...", flush=True)
        outcomes.append(await run_layout(name, processes, servers, seconds, rate))
    return report(outcomes, servers, seconds, rate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=2_000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=20.0)
    args = parser.parse_args()
    text = asyncio.run(main_async(args.servers, args.seconds, args.rate))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "shards.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
