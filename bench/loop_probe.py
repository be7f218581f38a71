"""How late an event loop runs a callback, and what its thread was doing meanwhile.

A thread asks the loop to run a tiny callback (``call_soon_threadsafe``) every few
milliseconds and times how long the callback waits: the delay any command's next step
would see (a long synchronous slice, a garbage collection, the interpreter's lock held by
another thread). While a callback is overdue past ``STALL_MS`` the thread samples the stack
of the loop's thread (``sys._current_frames``) every ``SAMPLE_MS``, so the report names the
code the loop was in when it stalled, weighted by how long it stayed there, together with
what the other threads were doing (the store's threads in SQLite, for instance).

Used by bench/bench_load.py in the bot process (through its wrapper) and in the benchmark
process (the local Discord and the drivers), both with ``--probe``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

PROBE_EVERY_MS = 5.0
STALL_MS = 10.0
SAMPLE_MS = 2.0
STACK_DEPTH = 6  # innermost frames kept per sample
REPO = str(Path(__file__).resolve().parents[1])
TOP = 12


def _short(filename: str) -> str:
    """A file as the report names it: from the repository, a package, or the standard library."""
    for root in (
        REPO + "/",
        "site-packages/",
        f"python{sys.version_info[0]}.{sys.version_info[1]}/",
    ):
        if root in filename:
            return filename.split(root, 1)[1]
    return filename


def _where(frame: Any) -> str:
    """The innermost frames of a stack, innermost first, as ``file:line function``."""
    parts = []
    for summary in reversed(traceback.extract_stack(frame)[-STACK_DEPTH:]):
        parts.append(f"{_short(summary.filename)}:{summary.lineno} {summary.name}")
    return " < ".join(parts)


def _stamp(into: list[float]) -> None:
    into.append(time.perf_counter())


class LoopProbe:
    """Measure a loop's callback delay from a thread; sample the loop thread's stack in stalls."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, loop_thread: int, start_at: float = 0.0
    ) -> None:
        self.loop = loop
        self.start_at = start_at  # wall-clock time: what comes before (start-up) is not probed
        self.loop_thread = loop_thread
        self.lags_ms: list[float] = []
        self.stalls = Counter[str]()  # loop stack → samples taken while a callback was overdue
        self.others = Counter[str]()  # another thread's innermost frame → samples, same moments
        self.samples = 0
        self.busy = Counter[str]()  # loop stack → samples at each probe, out of select() only
        self.ticks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="loop-probe", daemon=True)

    def start(self) -> LoopProbe:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        names: dict[int, str] = {}
        time.sleep(max(0.0, self.start_at - time.time()))
        while not self._stop.is_set():
            ran: list[float] = []
            sent = time.perf_counter()
            try:
                self.loop.call_soon_threadsafe(_stamp, ran)
            except RuntimeError:  # the loop is closed
                return
            while not ran and not self._stop.is_set():
                time.sleep(SAMPLE_MS / 1000)
                if not ran and (time.perf_counter() - sent) * 1000 > STALL_MS:
                    self._sample(names)
            if ran:
                self.lags_ms.append((ran[0] - sent) * 1000)
            self._profile()
            time.sleep(PROBE_EVERY_MS / 1000)

    def _profile(self) -> None:
        """One sample of what the loop's thread runs, waiting in select() aside."""
        frame = sys._current_frames().get(self.loop_thread)
        if frame is None:
            return
        self.ticks += 1
        if frame.f_code.co_name != "select":
            self.busy[_where(frame)] += 1

    def _sample(self, names: dict[int, str]) -> None:
        frames = sys._current_frames()
        me = threading.get_ident()
        if not names or len(names) != threading.active_count():
            names.clear()
            names.update({t.ident or 0: t.name for t in threading.enumerate()})
        self.samples += 1
        loop_frame = frames.get(self.loop_thread)
        if loop_frame is not None:
            self.stalls[_where(loop_frame)] += 1
        for ident, frame in frames.items():
            if ident in (self.loop_thread, me):
                continue
            top = traceback.extract_stack(frame)[-1]
            thread = names.get(ident, "?").split(" ")[0]
            self.others[f"{thread}: {_short(top.filename)}:{top.lineno} {top.name}"] += 1

    def summary(self) -> dict[str, Any]:
        """Lag percentiles and the most sampled stacks, JSON-ready."""
        lags = sorted(self.lags_ms)

        def pct(q: float) -> float:
            return lags[min(len(lags) - 1, int(q / 100 * len(lags)))] if lags else 0.0

        return {
            "probes": len(lags),
            "p50": pct(50),
            "p99": pct(99),
            "p999": pct(99.9),
            "max": lags[-1] if lags else 0.0,
            "over_stall": sum(1 for v in lags if v > STALL_MS),
            "samples": self.samples,
            "sample_ms": SAMPLE_MS,
            "stalls": self.stalls.most_common(TOP),
            "others": self.others.most_common(TOP),
            "ticks": self.ticks,
            "busy": self.busy.most_common(TOP * 2),
            "busy_total": sum(self.busy.values()),
        }

    def dump_every(self, path: Path, seconds: float = 5.0) -> None:
        """Write the summary to ``path`` every ``seconds`` (atomically) from another thread."""

        def dump() -> None:
            while not self._stop.is_set():
                time.sleep(seconds)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(self.summary()))
                tmp.replace(path)

        threading.Thread(target=dump, name="loop-probe-dump", daemon=True).start()


def probe_first_loop(path: Path, start_at: float = 0.0) -> None:
    """Probe the first event loop this process runs from ``start_at``; summary to ``path``.

    For a program started as it is (``runpy``): the loop is caught as it starts running.
    """
    original = asyncio.BaseEventLoop.run_forever

    def run_forever(self: asyncio.BaseEventLoop) -> None:
        asyncio.BaseEventLoop.run_forever = original  # type: ignore[method-assign]
        LoopProbe(self, threading.get_ident(), start_at).start().dump_every(path)
        original(self)

    asyncio.BaseEventLoop.run_forever = run_forever  # type: ignore[method-assign]


def report_lines(title: str, found: dict[str, Any]) -> list[str]:
    """Markdown lines for one probed loop."""
    return [
        f"**{title}**: {found['probes']:,} probes; callback delay p50 {found['p50']:.1f} ms, "
        f"p99 {found['p99']:.1f} ms, p99.9 {found['p999']:.1f} ms, max {found['max']:.0f} ms; "
        f"{found['over_stall']:,} over {STALL_MS:g} ms ({found['samples']:,} stack samples, one "
        f"per {found['sample_ms']:g} ms of an overdue callback).",
        "",
        "| samples | the loop's thread (innermost frame first) |",
        "|---:|---|",
        *(f"| {count:,} | `{stack}` |" for stack, count in found["stalls"]),
        "",
        f"Busy: {found['busy_total']:,} "
        f"of {found['ticks']:,} samples taken every ~{PROBE_EVERY_MS:g} ms found the loop out of "
        "select() (top stacks):",
        "",
        "| samples | the loop's thread, any time |",
        "|---:|---|",
        *(f"| {count:,} | `{stack}` |" for stack, count in found["busy"]),
        "",
        "| samples | other threads meanwhile |",
        "|---:|---|",
        *(f"| {count:,} | `{stack}` |" for stack, count in found["others"]),
        "",
    ]


def time_interactions(path: Path) -> None:
    """Note, per interaction id, when discord.py parsed it and sent/finished its first response.

    Written to ``path`` (JSON, every 5 s): {id: [parsed, response sent, response answered]} in
    wall-clock seconds, so that the benchmark can split a command's latency between the
    gateway on the way in, the bot's own work, and the callback on the way out.
    """
    import discord.state
    import discord.webhook.async_

    seen: dict[str, list[float]] = {}
    state_cls = discord.state.ConnectionState
    parse = state_cls.parse_interaction_create

    def parse_interaction_create(self: Any, data: Any) -> None:
        seen[str(data["id"])] = [time.time()]
        parse(self, data)

    state_cls.parse_interaction_create = parse_interaction_create  # type: ignore[method-assign]
    adapter_cls = discord.webhook.async_.AsyncWebhookAdapter
    respond = adapter_cls.create_interaction_response

    async def create_interaction_response(
        self: Any, interaction_id: int, *args: Any, **kwargs: Any
    ) -> Any:
        marks = seen.get(str(interaction_id))
        if marks is not None:
            marks.append(time.time())
        try:
            return await respond(self, interaction_id, *args, **kwargs)
        finally:
            if marks is not None:
                marks.append(time.time())

    adapter_cls.create_interaction_response = create_interaction_response  # type: ignore[method-assign]

    def dump() -> None:
        while True:
            time.sleep(5)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(dict(seen)))
            tmp.replace(path)

    threading.Thread(target=dump, name="interaction-times-dump", daemon=True).start()


def cpu_seconds(pid: int) -> dict[str, float]:
    """CPU seconds (user + system) used so far by each thread of ``pid`` ("main": the loop's)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        name = "main" if task.name == str(pid) else f"thread {task.name}"
        fields = stat[stat.rindex(")") + 2 :].split()
        used[name] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, every core."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


def cpu_lines(before: dict[str, Any], after: dict[str, Any], label: str) -> list[str]:
    """Markdown: CPU used between two snapshots, per process (and its busiest threads)."""
    wall = after["wall"] - before["wall"]
    busy = after["machine"][0] - before["machine"][0]
    total = after["machine"][1] - before["machine"][1]
    lines = [
        f"CPU {label} ({wall:.0f} s): the machine {busy / total:.0%} busy over all its cores "
        f"({busy / wall:.2f} cores used of {os.cpu_count()}).",
        "",
        "| process: thread | cores used |",
        "|---|---:|",
    ]
    for process in ("bot", "bench"):
        used = Counter(
            {
                name: after[process].get(name, 0.0) - before[process].get(name, 0.0)
                for name in after[process]
            }
        )
        lines.append(f"| **{process}** | **{sum(used.values()) / wall:.2f}** |")
        lines += [f"| {process}: {name} | {s / wall:.2f} |" for name, s in used.most_common(4)]
    return [*lines, ""]


def cpu_snapshot(bot_pid: int) -> dict[str, Any]:
    """What cpu_lines compares: both processes' threads and the machine, now."""
    return {
        "wall": time.monotonic(),
        "machine": machine_busy(),
        "bot": cpu_seconds(bot_pid),
        "bench": cpu_seconds(os.getpid()),
    }


def heap_census(path: Path, at: list[float]) -> None:
    """At each wall-clock moment in ``at``, count what a full collection would have to scan.

    Written to ``path`` (JSON): per moment, the objects in each generation, the frozen ones,
    and the most common types in the oldest generation (what the full collections walk).
    """
    import gc

    def census() -> None:
        found = []
        for moment in at:
            time.sleep(max(0.0, moment - time.time()))
            oldest = gc.get_objects(2)
            kinds = Counter(type(o).__qualname__ for o in oldest)
            found.append(
                {
                    "at": moment,
                    "generations": [len(gc.get_objects(g)) for g in (0, 1)] + [len(oldest)],
                    "frozen": gc.get_freeze_count(),
                    "types": kinds.most_common(15),
                }
            )
            del oldest
            path.write_text(json.dumps(found))

    threading.Thread(target=census, name="heap-census", daemon=True).start()


class CollectionTimer:
    """Time this process's garbage collections (gc.callbacks): count, total, the full ones."""

    def __init__(self) -> None:
        import gc

        self.count = 0
        self.total_ms = 0.0
        self.full_ms: list[float] = []
        self.young_over_10_ms = 0
        self._started = 0.0
        gc.callbacks.append(self._timed)

    def _timed(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        ms = (time.perf_counter() - self._started) * 1000
        self.count += 1
        self.total_ms += ms
        if info["generation"] == 2:
            self.full_ms.append(ms)
        elif ms > STALL_MS:
            self.young_over_10_ms += 1

    def line(self, title: str) -> str:
        """One markdown line."""
        full = sorted(self.full_ms)
        return (
            f"{title}: {self.count:,} collections, {self.total_ms / 1000:.2f} s in total; "
            f"{len(full)} full, median {full[len(full) // 2] if full else 0:.0f} ms, longest "
            f"{full[-1] if full else 0:.0f} ms; {self.young_over_10_ms} younger ones over "
            f"{STALL_MS:g} ms."
        )
