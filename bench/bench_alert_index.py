"""Benchmark the alert hot path with the in-memory level index over 1,000,000 alerts.

Run from the repository root:
    .venv/bin/python -m bench.bench_alert_index            (``--alerts N`` for a smaller run)
Writes bench/results/alert_index.md (``--out -`` to only print).

The store is bench_alerts' (1,000,000 active above / below / move_pct alerts over 25 symbols,
levels log-uniform over 0.1-10x the price, each in the state its side implies). In one run:
1. finding what a poll changes, three ways side by side: the level index (its candidate ids
   alone, and the whole find: rows loaded by id, then the rules), the SQL trigger queries the
   bot used before the index (``AlertEvaluator.find_by_sql``) and a full scan through the
   rules; all of them must agree;
2. the whole market-wide evaluation (expire, find, apply, render, enqueue, commit) while a
   probe task measures how late the event loop wakes it up (sleeps of 1 ms), with the time
   of each phase and the WAL pages it wrote; then the same on a copy of the store made as
   it was before migration 014 (``--no-before`` skips it): the owner and expiry indexes
   carrying ``state`` again, and SQLite's automatic checkpoint inside the commit;
3. start-up in a fresh process: open and migrate the store, build the index, answer a
   command's read (a server's alert list); timed from the process's spawn;
4. the same market-wide evaluation by this checkout and by another revision (``--against``,
   main by default, its files taken from git), each in a fresh process on a fresh copy of
   the store, in alternation (``--rounds``): wall time, the process's CPU time (both
   threads: the event loop's and the store's) and the phases, side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make bot/ importable
    sys.path.insert(0, str(REPO))

import bot.alerts.evaluate as evaluate_module  # noqa: E402
from bench.bench_alerts import (  # noqa: E402
    NOW,
    SYMBOLS,
    alert_rows,
    find_python_scan,
    prices,
    ticks,
)
from bench.common import machine, percentile, rss_mb  # noqa: E402
from bot.alerts.engine import Change  # noqa: E402
from bot.alerts.evaluate import AlertEvaluator  # noqa: E402
from bot.alerts.messages import alert_messages  # noqa: E402
from bot.alerts.model import Tick  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.market.calendar import TradingCalendar  # noqa: E402
from bot.store import Store  # noqa: E402

INSERT = (
    "INSERT INTO alerts (guild_id, channel_id, owner_id, symbol, kind, level, repeat,"
    " via_dm, state, created_at, expires_at, move_up_day) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
PROBE_SECONDS = 0.001
CALENDAR = TradingCalendar()
TARGETS = {"find_ms": 10.0, "one_ms": 1.0, "evaluate_ms": 250.0, "lag_ms": 20.0, "start_s": 5.0}


async def fill(path: Path, count: int) -> tuple[dict[str, float], float]:
    """Create the store of ``count`` alerts at ``path``; return the prices and the seconds."""
    rng = random.Random(2026)
    price_of = prices(rng)
    started = time.perf_counter()
    store = await Store.open(path)
    try:
        async with store.db.transaction() as conn:
            await conn.executemany(INSERT, alert_rows(count, price_of, rng))
        await store.db.fetch_one("ANALYZE")
        await store.db.fetch_one("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await store.close()
    return price_of, time.perf_counter() - started


@dataclass
class Finds:
    """One poll found three ways (milliseconds per run)."""

    name: str
    index_ids: list[float] = field(default_factory=list)
    index_find: list[float] = field(default_factory=list)
    sql_find: list[float] = field(default_factory=list)
    scan_ms: float = 0.0
    candidates: int = 0
    changes: int = 0

    def row(self) -> str:
        def p50(values: list[float]) -> str:
            return f"{statistics.median(values):.2f} ms"

        def p99(values: list[float]) -> str:
            return f"{percentile(values, 99):.2f} ms"

        return (
            f"| {self.name} | {self.candidates:,} | {self.changes:,} "
            f"| **{p50(self.index_ids)}** / {p99(self.index_ids)} "
            f"| {p50(self.index_find)} / {p99(self.index_find)} "
            f"| {p50(self.sql_find)} / {p99(self.sql_find)} "
            f"| {f'{self.scan_ms:,.0f} ms' if self.scan_ms else '—'} |"
        )


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


async def compare_finds(
    store: Store, evaluator: AlertEvaluator, name: str, batch: list[Tick], runs: int, scan: bool
) -> Finds:
    """Time the three ways of finding ``batch``'s changes on the same store; check they agree."""
    figures = Finds(name)
    crossings, _ = evaluator.crossings(batch, NOW)
    levels = store.alerts.levels
    by_index: list[Change] = []
    by_sql: list[Change] = []
    for run in range(runs + 1):  # the first run warms the page cache, as in a live bot
        async with store.db.transaction() as conn:
            started = time.perf_counter()
            ids = levels.candidates(crossings)
            index_ids = _ms(started)
            started = time.perf_counter()
            by_index = await evaluator.find(conn, batch, NOW)
            index_find = _ms(started)
            started = time.perf_counter()
            by_sql = await evaluator.find_by_sql(conn, batch, NOW)
            sql_find = _ms(started)
        if run:
            figures.index_ids.append(index_ids)
            figures.index_find.append(index_find)
            figures.sql_find.append(sql_find)
    assert sorted(by_index) == sorted(by_sql), "the index and the SQL queries disagree"
    figures.candidates, figures.changes = len(ids), len(by_index)
    if scan:
        started = time.perf_counter()
        scanned = await find_python_scan(store, batch, CALENDAR)
        figures.scan_ms = _ms(started)
        assert scanned == len(by_index), (scanned, len(by_index))
    return figures


# The write path before migration 014 and the checkpointer, rebuilt on a copy of the store:
# the two indexes that carried `state` (the new ones stay, an evaluation never writes them)
# and the automatic checkpoint inside the commit that takes the WAL past 1,000 pages.
BEFORE = (
    "CREATE INDEX alerts_by_owner_state ON alerts(guild_id, owner_id, state)",
    "CREATE INDEX alerts_by_expiry_state ON alerts(state, expires_at)",
)
PHASES = ("expire", "find", "apply", "render", "enqueue", "commit")
PAGE = 4096


@dataclass
class Evaluated:
    """The whole market-wide evaluation once, with the event loop's lag meanwhile."""

    total_ms: float
    find_ms: float
    changed: int
    fired: int
    messages: int
    lags_ms: list[float]
    phases: dict[str, float] = field(default_factory=dict)  # milliseconds, wall time
    wal_pages: int = 0  # pages the evaluation's transaction wrote to the WAL

    @property
    def lag_p99(self) -> float:
        return percentile(self.lags_ms, 99)

    @property
    def lag_max(self) -> float:
        return max(self.lags_ms)


async def evaluate_with_probe(
    store: Store, evaluator: AlertEvaluator, batch: list[Tick]
) -> Evaluated:
    """Run one evaluation while a task sleeping 1 ms at a time records how late it wakes."""
    lags: list[float] = []
    running = True

    async def probe() -> None:
        while running:
            started = time.perf_counter()
            await asyncio.sleep(PROBE_SECONDS)
            lags.append(max(0.0, _ms(started) - PROBE_SECONDS * 1000))

    # Rendered once before: the first render of a process compiles the message catalogues
    # and loads Babel's locale data as each number format is first met (~50-90 ms in all,
    # once per process), which a live bot has long done before a market-wide jump.
    async with store.db.transaction() as conn:
        changes = await evaluator.find(conn, batch, NOW)
    alert_messages([f for change in changes for f in change.firings])
    await store.db.fetch_one("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL starts empty
    # The bot freezes its start-up heap once it is running (bot/__main__.py): the collector
    # then never walks the long-lived objects again. So does the benchmark, then thaws.
    gc.collect()
    gc.freeze()
    prober = asyncio.create_task(probe())
    await asyncio.sleep(0.05)  # the probe's own baseline
    with _timed_phases(store) as phases:
        started = time.perf_counter()
        report = await evaluator.evaluate(batch)
        total = _ms(started)
    phases["find"] = report.find_seconds * 1000
    wal = store.db.path.with_name(store.db.path.name + "-wal")
    wal_pages = wal.stat().st_size // PAGE if wal.exists() else 0
    await asyncio.sleep(0.05)
    running = False
    await prober
    gc.unfreeze()
    return Evaluated(
        total,
        report.find_seconds * 1000,
        report.changed,
        len(report.firings),
        report.messages,
        lags,
        phases,
        wal_pages,
    )


@contextmanager
def _timed_phases(store: Store) -> Iterator[dict[str, float]]:
    """Time the evaluation's phases inside the block (wall milliseconds, summed per phase)."""
    spent = dict.fromkeys(PHASES, 0.0)
    patched: list[tuple[object, str, Any]] = []

    def timed(owner: object, name: str, phase: str) -> None:
        call = getattr(owner, name)

        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await call(*args, **kwargs)
            finally:
                spent[phase] += _ms(started)

        patched.append((owner, name, call))
        setattr(owner, name, wrapper)

    timed(store.alerts, "expire_due", "expire")
    timed(store.alerts, "apply", "apply")
    timed(store.outbox, "enqueue", "enqueue")
    timed(evaluate_module, "alert_messages_in_slices", "render")
    timed(store.db._conn, "commit", "commit")
    try:
        yield spent
    finally:
        for owner, name, call in reversed(patched):
            if owner is evaluate_module:
                setattr(owner, name, call)
            else:
                delattr(owner, name)  # the instance attribute goes: the method shows again


STARTUP_CHILD = """
import asyncio, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from bot.store import Store

async def main() -> None:
    store = await Store.open(Path(sys.argv[1]))
    built = time.perf_counter()
    await store.alerts.build_levels()
    built = time.perf_counter() - built
    listed = await store.alerts.listed(7)
    print(f"ready {built:.3f} {len(store.alerts.levels)} {len(listed)}", flush=True)
    await store.close()

asyncio.run(main())
"""


def start_up(path: Path) -> tuple[float, float, int]:
    """Start a fresh process on the store; return (spawn to ready s, index build s, indexed)."""
    started = time.perf_counter()
    output = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", STARTUP_CHILD, str(path), str(REPO)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    ready = time.perf_counter() - started
    _, build, indexed, _ = output.split()
    return ready, float(build), int(indexed)


EVALUATE_CHILD = """
import asyncio, json, random, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from bench.bench_alert_index import CALENDAR, evaluate_with_probe
from bench.bench_alerts import NOW, SYMBOLS, prices, ticks
from bot.alerts.evaluate import AlertEvaluator
from bot.clock import ManualClock
from bot.store import Store

async def main() -> None:
    market = ticks(prices(random.Random(2026)), set(SYMBOLS))  # the prices fill() drew
    store = await Store.open(Path(sys.argv[1]))
    try:
        await store.alerts.build_levels()
        evaluator = AlertEvaluator(store, ManualClock(NOW), CALENDAR)
        evaluate, cpu = evaluator.evaluate, []

        async def timed(ticks):
            started = time.process_time()
            try:
                return await evaluate(ticks)
            finally:
                cpu.append(time.process_time() - started)

        evaluator.evaluate = timed
        e = await evaluate_with_probe(store, evaluator, market)
    finally:
        await store.close()
    print(json.dumps({"total_ms": e.total_ms, "cpu_ms": cpu[-1] * 1000, "phases": e.phases,
                      "lag_max": e.lag_max, "lag_p99": e.lag_p99, "wal_pages": e.wal_pages,
                      "changed": e.changed, "messages": e.messages}))

asyncio.run(main())
"""


@dataclass
class Versus:
    """The market-wide evaluation by this checkout and by another revision, round by round."""

    against: str
    ours: list[dict[str, Any]] = field(default_factory=list)
    theirs: list[dict[str, Any]] = field(default_factory=list)


def extract_revision(ref: str, folder: Path) -> Path:
    """Write revision ``ref``'s files (from this checkout's git) into ``folder``."""
    archive = subprocess.run(  # noqa: S603 - git on our own repository
        ["git", "-C", str(REPO), "archive", "--format=tar", ref],  # noqa: S607
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def evaluate_in_child(tree: Path, path: Path) -> dict[str, Any]:
    """Run the market-wide evaluation with ``tree``'s code in a fresh process on ``path``."""
    output = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", EVALUATE_CHILD, str(path), str(tree)],
        check=True,
        capture_output=True,
        text=True,
        cwd=tree,
    ).stdout
    return cast(dict[str, Any], json.loads(output.splitlines()[-1]))


def versus(pristine: Path, folder: Path, against: str, rounds: int) -> Versus:
    """Evaluate on fresh copies of ``pristine``, ours and ``against``'s in alternation."""
    theirs_tree = extract_revision(against, folder / "against")
    commit = subprocess.run(  # noqa: S603 - git on our own repository
        ["git", "-C", str(REPO), "rev-parse", "--short", against],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    figures = Versus(against if commit.startswith(against) else f"{against} ({commit})")
    copy = folder / "versus.sqlite3"
    for round_ in range(rounds):
        order = [(REPO, figures.ours), (theirs_tree, figures.theirs)]
        for tree, results in order if round_ % 2 == 0 else reversed(order):
            shutil.copyfile(pristine, copy)
            try:
                results.append(evaluate_in_child(tree, copy))
            finally:
                for leftover in folder.glob("versus.sqlite3*"):
                    leftover.unlink()
    return figures


@dataclass
class Figures:
    count: int
    insert_s: float
    size_mb: float
    finds: list[Finds]
    evaluated: Evaluated
    ready_s: float
    build_s: float
    indexed: int
    rss_mb: float
    before: Evaluated | None = None  # the same evaluation on the write path before 014
    versus: Versus | None = None  # the same evaluation by another revision, in alternation


async def evaluate_before(path: Path, market: list[Tick]) -> Evaluated:
    """Run the market-wide evaluation on ``path`` with the write path of before 014."""
    store = await Store.open(path)
    try:
        conn = store.db._conn
        for statement in BEFORE:
            await conn.execute(statement)
        await conn.execute("PRAGMA wal_autocheckpoint = 1000")  # SQLite's default
        await store.alerts.build_levels()
        evaluator = AlertEvaluator(store, ManualClock(NOW), CALENDAR)
        return await evaluate_with_probe(store, evaluator, market)
    finally:
        await store.close()


async def measure(
    count: int,
    *,
    runs: int = 20,
    scan: bool = True,
    before: bool = True,
    against: str | None = None,
    rounds: int = 3,
) -> Figures:
    """Build the store in a temporary folder and take every figure (the tests call this)."""
    folder = Path(tempfile.mkdtemp(prefix="bench-alert-index-"))
    try:
        path = folder / "alerts.sqlite3"
        price_of, insert_s = await fill(path, count)
        size_mb = path.stat().st_size / 1e6
        old_path = folder / "before.sqlite3"
        if before:
            shutil.copyfile(path, old_path)
        pristine = folder / "pristine.sqlite3"
        if against is not None:
            shutil.copyfile(path, pristine)
        ready_s, build_s, indexed = start_up(path)
        market = ticks(price_of, set(SYMBOLS))
        one = ticks(price_of, {"IREN"})
        streamed = [t for t in one if t.symbol == "IREN"]  # a live trade: its symbol alone
        store = await Store.open(path)
        try:
            await store.alerts.build_levels()
            evaluator = AlertEvaluator(store, ManualClock(NOW), CALENDAR)
            finds = [
                await compare_finds(
                    store, evaluator, "one streamed tick: IREN +2 %", streamed, runs, scan=False
                ),
                await compare_finds(store, evaluator, "poll: IREN +2 %, 24 flat", one, runs, scan),
                await compare_finds(store, evaluator, "all 25 symbols +2 %", market, runs, scan),
            ]
            evaluated = await evaluate_with_probe(store, evaluator, market)
            assert evaluated.changed == finds[-1].changes
        finally:
            await store.close()
        old = await evaluate_before(old_path, market) if before else None
        if old is not None:
            assert (old.changed, old.messages) == (evaluated.changed, evaluated.messages)
        side_by_side = None
        if against is not None:
            side_by_side = versus(pristine, folder, against, rounds)
            for result in side_by_side.ours + side_by_side.theirs:
                assert (result["changed"], result["messages"]) == (
                    evaluated.changed,
                    evaluated.messages,
                ), "the two revisions decided differently"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return Figures(
        count,
        insert_s,
        size_mb,
        finds,
        evaluated,
        ready_s,
        build_s,
        indexed,
        rss_mb(),
        old,
        side_by_side,
    )


def phase_table(e: Evaluated, before: Evaluated | None) -> str:
    """The evaluation's phases (wall ms), beside the write path before 014 when it ran."""
    rows = [("whole evaluation", e.total_ms, None if before is None else before.total_ms)]
    rows += [(name, e.phases[name], before and before.phases[name]) for name in PHASES]
    other = e.total_ms - sum(e.phases.values())
    rows.append(
        ("the rest (expiry notices, index following, ...)", other, before and before_rest(before))
    )
    lines = ["| phase | now | before 014 (same run) |", "|---|---:|---:|"]
    for name, now, then in rows:
        lines.append(f"| {name} | {now:,.0f} ms | {'—' if then is None else f'{then:,.0f} ms'} |")
    then_pages = "—" if before is None else f"{before.wal_pages:,}"
    lines.append(f"| WAL pages written | {e.wal_pages:,} | {then_pages} |")
    lines.append(
        f"| loop lag p99 / max | {e.lag_p99:.1f} / {e.lag_max:.1f} ms | "
        + ("—" if before is None else f"{before.lag_p99:.1f} / {before.lag_max:.1f} ms")
        + " |"
    )
    return "\n".join(lines)


def versus_table(v: Versus) -> str:
    """This checkout against another revision: medians over the rounds (min-max for the total)."""

    def median(results: list[dict[str, Any]], pick: Any) -> float:
        return statistics.median(pick(r) for r in results)

    def rest(r: dict[str, Any]) -> float:
        return float(r["total_ms"] - sum(r["phases"].values()))

    rows: list[tuple[str, Any, str]] = [
        *((name, lambda r, name=name: r["phases"][name], "ms") for name in PHASES),
        ("the rest (expiry notices, index following, ...)", rest, "ms"),
        ("WAL pages written", lambda r: r["wal_pages"], ""),
        ("loop lag max", lambda r: r["lag_max"], "ms"),
    ]

    def spread(results: list[dict[str, Any]]) -> str:
        totals = [r["total_ms"] for r in results]
        return f"**{statistics.median(totals):,.0f} ms** ({min(totals):,.0f}-{max(totals):,.0f})"

    ours, theirs = v.ours, v.theirs
    ratio = median(theirs, lambda r: r["total_ms"]) / median(ours, lambda r: r["total_ms"])
    cpu_ratio = median(theirs, lambda r: r["cpu_ms"]) / median(ours, lambda r: r["cpu_ms"])
    min_cpu_ratio = min(r["cpu_ms"] for r in theirs) / min(r["cpu_ms"] for r in ours)

    def cpu(results: list[dict[str, Any]]) -> str:
        times = [r["cpu_ms"] for r in results]
        return f"**{statistics.median(times):,.0f} ms** ({min(times):,.0f})"

    lines = [
        f"| | this checkout | {v.against} | {v.against} / this |",
        "|---|---:|---:|---:|",
        f"| whole evaluation, median (min-max) | {spread(ours)} | {spread(theirs)} "
        f"| {ratio:.2f}x |",
        f"| process CPU, both threads, median (min) | {cpu(ours)} | {cpu(theirs)} "
        f"| **{cpu_ratio:.2f}x** ({min_cpu_ratio:.2f}x) |",
    ]
    for name, pick, unit in rows:
        a, b = median(ours, pick), median(theirs, pick)
        share = f"{b / a:.2f}x" if a else "—"
        digits = 1 if unit else 0
        lines.append(
            f"| {name} | {a:,.{digits}f}{' ' + unit if unit else ''} "
            f"| {b:,.{digits}f}{' ' + unit if unit else ''} | {share} |"
        )
    return "\n".join(lines)


def before_rest(before: Evaluated) -> float:
    return before.total_ms - sum(before.phases.values())


def verdict(value: float, target: float) -> str:
    if value < target:
        return "met"
    return f"missed by {value / target:.1f}x"


def versus_section(v: Versus | None) -> str:
    if v is None:
        return ""
    return f"""## This checkout against {v.against}, same run

The same market-wide evaluation by each revision in a fresh process on a fresh copy of the
store, {len(v.ours)} rounds in alternation (which one goes first alternates too). Wall times
swing with what else the shared machine runs; the process's CPU time (the event loop's thread
and the store's) much less. Medians over the rounds; phases are wall times.

{versus_table(v)}

"""


def report(f: Figures, arguments: list[str] | None = None) -> str:
    """The results as markdown; ``arguments``: the command line's (the --alerts one if None)."""
    if arguments is None:
        arguments = [f"--alerts {f.count}"] if f.count != 1_000_000 else []
    command = " ".join([".venv/bin/python -m bench.bench_alert_index", *arguments])
    e = f.evaluated
    market, one = f.finds[-1], f.finds[0]  # the one-symbol target: a streamed tick
    find_p50 = statistics.median(market.index_ids)
    one_p50 = statistics.median(one.index_ids)
    rows = "\n".join(finds.row() for finds in f.finds)
    targets = "\n".join(
        f"| {name} | {figure} | {verdict(value, TARGETS[key])} |"
        for name, figure, value, key in (
            ("market-wide find p50 < 10 ms", f"{find_p50:.2f} ms (index ids)", find_p50, "find_ms"),
            ("one-symbol find p50 < 1 ms", f"{one_p50:.2f} ms (streamed tick)", one_p50, "one_ms"),
            ("market-wide evaluation < 250 ms", f"{e.total_ms:,.0f} ms", e.total_ms, "evaluate_ms"),
            ("event loop never blocked > 20 ms", f"max {e.lag_max:.1f} ms", e.lag_max, "lag_ms"),
            ("ready < 5 s with the store full", f"{f.ready_s:.2f} s", f.ready_s, "start_s"),
        )
    )
    return f"""## Run

- Command: `{command}`
- Machine: {machine(f"SQLite {sqlite3.sqlite_version}")}, load average {os.getloadavg()[0]:.1f}
- Date: {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
- Store: {f.count:,} active alerts over {len(SYMBOLS)} symbols, {f.size_mb:,.0f} MB
  (filled in {f.insert_s:.1f} s)

## Finding what one poll changes, three ways in the same run

p50 / p99 over the timed runs (after one warm-up). Index ids = the level index's candidate
ids (binary searches and masks in numpy); index find = `AlertEvaluator.find` (those ids'
rows loaded in batches, then the rules: what the evaluation uses); SQL find = the trigger
queries over the `alerts_trigger` index, then the rules (`find_by_sql`, the path before the
index); full scan = every active alert through the rules in Python, once. All agree.

| poll | candidates | changes | index ids | index find | SQL find | full scan |
|---|---:|---:|---:|---:|---:|---:|
{rows}

## The whole market-wide evaluation, and the event loop meanwhile

Expire, find, {e.changed:,} state updates (`executemany`, 500 rows a batch), {e.fired:,}
firings rendered into {e.messages:,} grouped outbox rows (in slices of at most 4 ms), enqueue,
commit, and the index following the commit: **{e.total_ms:,.0f} ms** (find {e.find_ms:,.0f} ms).
A probe task sleeping 1 ms at a time woke late by p99 **{e.lag_p99:.1f} ms**, max
**{e.lag_max:.1f} ms** ({len(e.lags_ms):,} wake-ups).

{phase_table(e, f.before)}

{versus_section(f.versus)}## Start-up

A fresh process opens and migrates the store, builds the index ({f.indexed:,} alerts in
{f.build_s:.2f} s) and answers a server's alert list: **{f.ready_s:.2f} s** from spawn.

## Against the targets

| target | figure | verdict |
|---|---:|---|
{targets}

Resident memory at the end: {f.rss_mb:,.0f} MiB.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "alert_index.md"))
    parser.add_argument(
        "--no-before", action="store_true", help="skip the evaluation on the write path before 014"
    )
    parser.add_argument(
        "--no-scan", action="store_true", help="skip the full scans (the slowest part)"
    )
    parser.add_argument(
        "--against",
        default="main",
        help="the revision to run the same evaluation with, side by side ('' to skip)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="evaluations per revision")
    args = parser.parse_args()
    figures = measure(
        args.alerts,
        runs=args.runs,
        scan=not args.no_scan,
        before=not args.no_before,
        against=args.against or None,
        rounds=args.rounds,
    )
    body = report(asyncio.run(figures), sys.argv[1:])
    print(body)
    if args.out != "-":
        Path(args.out).write_text("# Alert index\n\n" + body, encoding="utf-8")


if __name__ == "__main__":
    main()
