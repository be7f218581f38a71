"""Benchmark commands' reads while the store writes: on the writer's connection, or on 1 or 2
read-only connections beside it.

Run from the repository root:
    .venv/bin/python -m bench.bench_store_reads      (``--alerts N``, ``--seconds S``)
Writes bench/results/store_reads.md (``--out -`` to only print).

The store is bench_alerts' (1,000,000 active alerts over 25 symbols, 2,000 servers). Each
layout gets a fresh copy of it and the same load, in one process as the bot runs it:
- an evaluation-sized write transaction over and over (6,000 random alerts loaded and
  written back in batches of 500, the level index following the commit), the writer busy
  half of the time (each transaction is followed by a pause as long as it took);
- an outbox-like stream of one-row write transactions, 20 per second;
- commands at 20 per second (open loop): a member's alert list in a server (one in two),
  one alert by id, the server's count of active alerts; each timed from send to rows.
Layouts: 0 readers (every read on the writer's connection, the store before readers), 1, 2.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make bot/ importable
    sys.path.insert(0, str(REPO))

import bot.store.db as db_module  # noqa: E402
from bench.bench_alert_index import fill  # noqa: E402
from bench.common import machine, percentile  # noqa: E402
from bot.store import Store  # noqa: E402

EVALUATION_ALERTS = 6_000
BATCH = 500
OUTBOX_WRITES_PER_SECOND = 20
COMMANDS_PER_SECOND = 20
TOUCH = "UPDATE alerts SET note = ? WHERE id = ?"


@dataclass
class Layout:
    readers: int
    latencies_ms: list[float]
    evaluations: int
    evaluation_ms: float  # median write transaction
    outbox_writes: int

    def row(self) -> str:
        lat = self.latencies_ms
        name = "0 (all on the writer)" if self.readers == 0 else str(self.readers)
        return (
            f"| {name} | {len(lat):,} | {percentile(lat, 50):.1f} | {percentile(lat, 90):.1f} "
            f"| **{percentile(lat, 99):.1f}** | {max(lat):.1f} | {self.evaluations} "
            f"({self.evaluation_ms:.0f} ms) | {self.outbox_writes:,} |"
        )


async def run_layout(path: Path, readers: int, seconds: float, seed: int) -> Layout:
    db_module.READERS = readers
    rng = random.Random(seed)
    store = await Store.open(path)
    try:
        await store.alerts.build_levels()
        ids = [row[0] for row in await store.db.fetch_all("SELECT id FROM alerts")]
        members = [
            (row[0], row[1])
            for row in await store.db.fetch_all(
                "SELECT guild_id, owner_id FROM alerts WHERE id % 500 = 0"
            )
        ]
        stop = asyncio.Event()
        evaluation_ms: list[float] = []
        outbox = 0

        async def evaluations() -> None:
            while not stop.is_set():
                started = time.perf_counter()
                chosen = sorted(rng.sample(ids, EVALUATION_ALERTS))
                async with store.db.transaction() as conn:
                    for start in range(0, len(chosen), BATCH):
                        alerts = await store.alerts.load(conn, chosen[start : start + BATCH])
                        await store.alerts.apply(conn, alerts)
                took = time.perf_counter() - started
                evaluation_ms.append(took * 1000)
                await asyncio.sleep(took)  # the writer busy about half of the time

        async def outbox_writes() -> None:
            nonlocal outbox
            while not stop.is_set():
                await store.db.execute(TOUCH, (f"note {outbox}", rng.choice(ids)))
                outbox += 1
                await asyncio.sleep(1 / OUTBOX_WRITES_PER_SECOND)

        async def command(n: int, latencies: list[float]) -> None:
            guild, owner = members[n % len(members)]
            started = time.perf_counter()
            if n % 2 == 0:
                await store.alerts.listed(guild, owner_id=owner)
            elif n % 4 == 1:
                await store.alerts.get(rng.choice(ids))
            else:
                await store.db.fetch_one(
                    "SELECT count(*) FROM alerts WHERE guild_id = ? AND state = 'armed'", (guild,)
                )
            latencies.append((time.perf_counter() - started) * 1000)

        writers = [asyncio.create_task(evaluations()), asyncio.create_task(outbox_writes())]
        await asyncio.sleep(2)  # the write load under way
        latencies: list[float] = []
        sent: list[asyncio.Task[None]] = []
        began = time.perf_counter()
        for n in range(int(seconds * COMMANDS_PER_SECOND)):
            # Open loop: each command leaves on time, whether the one before has answered.
            await asyncio.sleep(max(0.0, began + n / COMMANDS_PER_SECOND - time.perf_counter()))
            sent.append(asyncio.create_task(command(n, latencies)))
        await asyncio.gather(*sent)
        stop.set()
        await asyncio.gather(*writers)
        evaluation_ms.sort()
        return Layout(
            readers, latencies, len(evaluation_ms), evaluation_ms[len(evaluation_ms) // 2], outbox
        )
    finally:
        await store.close()


async def measure(count: int, seconds: float) -> tuple[list[Layout], float]:
    folder = Path(tempfile.mkdtemp(prefix="bench-store-reads-"))
    try:
        source = folder / "alerts.sqlite3"
        _, fill_s = await fill(source, count)
        layouts = []
        for readers in (0, 1, 2):
            path = folder / f"layout{readers}.sqlite3"
            shutil.copyfile(source, path)
            layouts.append(await run_layout(path, readers, seconds, seed=readers))
            path.unlink()
        return layouts, fill_s
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report(layouts: list[Layout], count: int, seconds: float, fill_s: float) -> str:
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    rows = "\n".join(layout.row() for layout in layouts)
    return (
        f"Command: `.venv/bin/python -m bench.bench_store_reads --alerts {count} "
        f"--seconds {seconds:g}`\n\n"
        f"Machine: {machine()}; load average at the end {' '.join(load)}; "
        f"store filled in {fill_s:.0f} s.\n\n"
        f"Commands ({COMMANDS_PER_SECOND}/s for {seconds:g} s per layout) while the store "
        f"writes an evaluation of {EVALUATION_ALERTS:,} alerts half of the time and "
        f"{OUTBOX_WRITES_PER_SECOND} one-row transactions per second, milliseconds:\n\n"
        "| read-only connections | commands | p50 | p90 | p99 | max "
        "| write transactions (median) | one-row writes |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|\n"
        f"{rows}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "store_reads.md"))
    args = parser.parse_args()
    layouts, fill_s = asyncio.run(measure(args.alerts, args.seconds))
    body = report(layouts, args.alerts, args.seconds, fill_s)
    print(body)
    if args.out != "-":
        Path(args.out).write_text("# Store reads beside the writer\n\n" + body, encoding="utf-8")


if __name__ == "__main__":
    main()
