"""Helpers every benchmark shares: where the figures come from and how they are summarised."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

import numpy as np

from bot.market.models import DataSource, MarketState, Quote
from bot.settings import Settings, load_settings
from discord_emulator import DiscordEmulator

RESULTS = Path(__file__).resolve().parent / "results"


def machine(*extra: str) -> str:
    """Describe the machine the figures come from (cores, CPU model, OS, Python)."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    parts = [
        f"nproc={os.cpu_count()}",
        f"CPU: {model}",
        f"{platform.system()} {platform.release()}",
        f"Python {platform.python_version()}",
        *extra,
    ]
    return ", ".join(parts)


def percentile(values: Sequence[float], q: float) -> float:
    """Return the q-th percentile (0-100) of ``values``."""
    return float(np.percentile(np.asarray(values, dtype=float), q))


def rss_mb() -> float:
    """Return this process's resident memory in MiB (Linux /proc, else peak RSS)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def quote(
    symbol: str,
    price: float,
    previous_close: float,
    at: datetime,
    *,
    market_state: MarketState = MarketState.REGULAR,
    source: DataSource = DataSource.YAHOO,
) -> Quote:
    """Return a USD quote with only what the alert engine reads filled in."""
    return Quote.priced(
        symbol,
        price,
        previous_close=previous_close,
        market_state=market_state,
        as_of=at,
        source=source,
    )


def bench_settings(name: str, price_source: str = "demo") -> Settings:
    """Settings in a fresh temporary folder; the benchmark ticks the pipeline itself."""
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    return load_settings(
        None,
        db_path=folder / "b.sqlite3",
        cache_dir=folder / "cache",
        price_source=price_source,
        poll_seconds=3600,
    )


def write_below_marker(target: Path, marker: str, body: str, title: str) -> None:
    """Replace the figures below ``marker`` in a results file, keeping the introduction above."""
    previous = target.read_text(encoding="utf-8") if target.exists() else f"# {title}\n\n"
    head = previous.split(marker, 1)[0]
    target.write_text(f"{head}{marker}\n\n{body}", encoding="utf-8")


def publish(report: str, name: str) -> None:
    """Write a whole report to bench/results/``name`` and print it."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / name).write_text(report, encoding="utf-8")
    print(report)


def sizes(description: str | None, **defaults: int) -> argparse.Namespace:
    """Read a benchmark's whole-number options (``--count 1000`` …) from its command line."""
    parser = argparse.ArgumentParser(description=description)
    for name, default in defaults.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    return parser.parse_args()


class Reachable(Protocol):
    """A server of a benchmark's world: where a member can type a command."""

    guild_id: int
    channel_id: int
    members: list[int]


async def wait_ready(
    emu: DiscordEmulator,
    servers: Sequence[Reachable],
    proc: asyncio.subprocess.Process,
    *,
    within: float,
) -> None:
    """Wait until a bot process answers /help in each of ``servers`` (one per shard it runs)."""
    deadline = time.monotonic() + within
    for server in servers:
        while True:
            if proc.returncode is not None:
                raise RuntimeError(f"a bot process exited with {proc.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError("a bot process did not get ready")
            try:
                result = await emu.invoke(
                    server.guild_id, server.channel_id, server.members[0], "help", {}
                )
                await result.wait_ack(timeout=2)
                break
            except Exception:  # not connected yet: try again
                await asyncio.sleep(0.2)
