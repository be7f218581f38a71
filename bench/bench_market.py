"""Benchmark the market layer: Yahoo requests per poll, poll wall time, cached lookups.

Run from the repository root:
    .venv/bin/python -m bench.bench_market        (or: .venv/bin/python bench/bench_market.py)
Writes bench/results/market.md (``--out PATH`` to change, ``--out -`` to only print).
Needs ../shared/fixtures/yahoo (genuine recorded payloads served by a local Yahoo).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make bot/ and tests/ importable
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yfinance as yf  # noqa: E402

from bench.common import machine, percentile  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.market.demo import UNIVERSE  # noqa: E402
from bot.market.market_data import MarketData  # noqa: E402
from yahoo_emulator.server import FIXTURES, FakeYahoo, fixture_bytes, serving  # noqa: E402

# The 25 symbols results/market.md was measured with (ABTC and BTBT came later).
SYMBOLS = sorted(set(UNIVERSE) - {"ABTC", "BTBT"})
PAYLOAD = "chart_v8_MSFT_1h_1mo_intraday.json"  # genuine, 141 bars, ~15 KB
ALERT_COUNTS = (10, 10_000, 1_000_000)
TIMED_POLLS = 30
LOOKUPS = 200_000


def alert_symbols(count: int, rng: np.random.Generator) -> tuple[list[str], float]:
    """Make ``count`` alerts over the universe; return the poll's symbol set and its cost (s)."""
    started = time.perf_counter()
    alert_symbol_index = rng.integers(0, len(SYMBOLS), size=count, dtype=np.int16)
    levels = rng.uniform(1.0, 200_000.0, size=count)  # what alerts carry besides the symbol
    # The poll takes the tracked universe plus the symbols alerts watch, deduplicated: the
    # number of alerts, users or servers never enters it.
    wanted = set(SYMBOLS) | {SYMBOLS[i] for i in np.unique(alert_symbol_index)}
    del levels
    return sorted(wanted), time.perf_counter() - started


async def bench() -> list[str]:
    """Run every measurement and return the report's lines."""
    if not FIXTURES.is_dir():
        raise SystemExit(f"recorded Yahoo payloads not found at {FIXTURES}")
    body = fixture_bytes(PAYLOAD)
    lines: list[str] = []
    with serving() as fake, tempfile.TemporaryDirectory() as tmp:
        for symbol in SYMBOLS:
            fake.serve_chart(symbol, body)
        market = MarketData.open("yahoo", cache_dir=Path(tmp), clock=SystemClock(), poll_seconds=60)
        lines += await requests_per_poll(market, fake)
        lines += await poll_wall_time(market, fake)
        lines += cached_lookups(market)
        await market.aclose()
    return lines


async def requests_per_poll(market: MarketData, fake: FakeYahoo) -> list[str]:
    """Count what Yahoo sees per poll, cold and warm, for growing alert counts."""
    before = fake.count()
    cold = await market.poll_once(SYMBOLS)
    cold_seen = fake.requests()[before:]
    cold_paths = [s.path for s in cold_seen]
    breakdown = {
        "cookie (fc.yahoo.com)": sum(1 for s in cold_seen if s.host == "fc.yahoo.com"),
        "crumb": sum(1 for p in cold_paths if p.endswith("/getcrumb")),
        "chart (tz probe + poll)": sum(1 for p in cold_paths if "/v8/finance/chart/" in p),
        "batch quote (market caps)": sum(1 for p in cold_paths if p == "/v7/finance/quote"),
    }
    lines = [
        "## Yahoo HTTP requests per poll (25 symbols)",
        "",
        f"First poll of the process (cold caches): **{cold.requests}** requests "
        f"({len(cold.accepted())}/25 quotes) = "
        + ", ".join(f"{name} {n}" for name, n in breakdown.items())
        + ". yfinance probes each symbol's time zone once (a 1d chart, then kept in the "
        "sqlite cache under MINERWATCH_CACHE_DIR, so a restart skips it).",
        "",
        "| alerts | distinct symbols polled | deriving the symbol set | requests in the poll "
        "(server count) | quotes accepted |",
        "|---:|---:|---:|---:|---:|",
    ]
    rng = np.random.default_rng(20260925)
    for count in ALERT_COUNTS:
        wanted, cost = alert_symbols(count, rng)
        before = fake.count()
        result = await market.poll_once(wanted)
        seen = fake.count() - before
        assert seen == result.requests == len(SYMBOLS), (seen, result.requests)
        lines.append(
            f"| {count:,} | {len(wanted)} | {cost * 1000:.1f} ms | {seen} | "
            f"{len(result.accepted())} |"
        )
    lines += [
        "",
        "Flat: the poll is given a symbol set, never alerts, so its cost is one chart request "
        "per distinct symbol (+1 batch quote per hour for market caps), whatever the number of "
        "alerts, users or servers.",
        "",
    ]
    return lines


async def poll_wall_time(market: MarketData, fake: FakeYahoo) -> list[str]:
    """Time warm polls of the 25 symbols against the local Yahoo."""
    walls: list[float] = []
    for _ in range(TIMED_POLLS):
        started = time.perf_counter()
        result = await market.poll_once(SYMBOLS)
        walls.append(time.perf_counter() - started)
        assert len(result.accepted()) == len(SYMBOLS)
    return [
        "## Wall time of one poll of 25 symbols (local Yahoo, warm)",
        "",
        f"{TIMED_POLLS} polls, each 25 chart requests through yfinance's real history() "
        f"parsing, 4 threads at a time; each symbol is served the genuine `{PAYLOAD}` "
        f"({len(fixture_bytes(PAYLOAD)) // 1024} KB, 141 hourly bars).",
        "",
        "| p50 | p95 | max | mean | target |",
        "|---:|---:|---:|---:|---:|",
        f"| {percentile(walls, 50) * 1000:.0f} ms | {percentile(walls, 95) * 1000:.0f} ms | "
        f"{max(walls) * 1000:.0f} ms | {statistics.fmean(walls) * 1000:.0f} ms | < 1000 ms |",
        "",
    ]


def cached_lookups(market: MarketData) -> list[str]:
    """Time cached quote lookups (what /price does before anything else)."""
    samples: list[float] = []
    symbols = [SYMBOLS[i % len(SYMBOLS)] for i in range(LOOKUPS)]
    clock = time.perf_counter_ns
    for symbol in symbols:
        started = clock()
        quote = market.quote(symbol)
        samples.append((clock() - started) / 1000)
        if quote is None:
            raise AssertionError(f"no cached quote for {symbol}")
    slow = sum(1 for x in samples if x > 1000)
    return [
        "## Cached quote lookup (`MarketData.quote`, memory only)",
        "",
        f"{LOOKUPS:,} lookups over the 25 symbols, each timed alone with perf_counter_ns "
        "(includes symbol normalisation, market-state bisect and the stale check).",
        "",
        "| p50 | p99 | p99.9 | max | target |",
        "|---:|---:|---:|---:|---:|",
        f"| {percentile(samples, 50):.1f} µs | {percentile(samples, 99):.1f} µs | "
        f"{percentile(samples, 99.9):.1f} µs | {max(samples):.0f} µs | < 1000 µs |",
        "",
        f"{slow} of {LOOKUPS:,} samples took over 1 ms"
        + (
            ": pauses of the whole process (garbage collection or the shared VM being "
            "descheduled are the likely causes), not the lookup's own cost."
            if slow
            else "."
        ),
        "",
    ]


def main() -> None:
    """Run the benchmark and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "market.md"))
    args = parser.parse_args()
    started = datetime.now(UTC)
    body = asyncio.run(bench())
    report = [
        "# Market layer benchmark",
        "",
        "Command: `.venv/bin/python -m bench.bench_market` (from the repository root)",
        "",
        f"Machine: {machine(f'yfinance {yf.__version__}', f'pandas {pd.__version__}')}",
        "",
        f"Run: {started:%Y-%m-%d %H:%M} UTC. Yahoo is a local emulator on 127.0.0.1 "
        "(yahoo_emulator/) that the unmodified yfinance/curl_cffi code talks to; "
        "real Yahoo adds network latency (about 100-300 ms per request, 4 in parallel).",
        "",
        *body,
    ]
    text = "\n".join(report)
    print(text)
    if args.out != "-":
        Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
