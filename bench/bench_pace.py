"""Two bot processes on one token: their requests per second, with and without a shared pace.

Shard 0 and shard 1 of 2 run as two `python -m bot run` processes over one store, against
the local Discord limiting the token to 50 requests per second (as Discord does, whichever
process sends). Each shard holds ``--servers`` servers, each with a channel, a daily summary
due when the processes start (posted by the process that owns the server) and an alert that
fires, with every other, once both processes answer commands. Until outbox rows are claimed
by one process, both may deliver the same row (Discord's nonce check absorbs the second).

Two runs side by side: ``MINERWATCH_REST_PACE=local`` (each process paces itself at 50/s, as
before) and the default (the processes share one pace through the store). Then the cost of
one token block: a take of the store's budget, one statement, timed in a loop.

Run: .venv/bin/python -m bench.bench_pace [--servers 80] [--pg-url postgresql://…/postgres]
Writes bench/results/pace.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import re
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import asyncpg

from bench.common import RESULTS, machine, percentile, quote
from bot.alerts.model import Member
from bot.alerts.service import AlertService
from bot.clock import SystemClock
from bot.ledger.records import load_ledger
from bot.market.calendar import TradingCalendar
from bot.market.models import DataSource, MarketState
from bot.outbox.shared_pace import BLOCK, SLOT_BUDGET
from bot.paths import LEDGER_PATH
from bot.store import Store, open_database
from bot.store.pace import PaceBudget
from discord_emulator import DiscordEmulator
from discord_emulator.ratelimit import GLOBAL_EXEMPT_PREFIX

REPO: Final = Path(__file__).resolve().parents[1]
SHARDS: Final = 2
GLOBAL_LIMIT: Final = 50
SYMBOL: Final = "BTC-USD"  # trades around the clock: runs on any day
START_PRICE: Final = 100.0
LEVEL: Final = 100.5
# Both processes start together; the price crosses every level this long after (a process
# ready later finds it crossed at its first poll, which fires the same alerts).
CROSS_AFTER: Final = timedelta(seconds=20)
SUMMARY_DUE_AGO: Final = timedelta(minutes=10)  # inside the late window: posted at start
READY_TIMEOUT: Final = 60.0
DELIVERY_TIMEOUT: Final = 60.0
FOOTER_ID: Final = re.compile(r"Alert #(\d+)")
TAKES: Final = 500


@dataclass(frozen=True, slots=True)
class Server:
    """A server of the test world, on one shard: a channel and a member."""

    guild_id: int
    shard: int
    channel_id: int
    member_id: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the token's requests looked like over one run of the two processes."""

    pace: str
    requests: int
    busiest_second: int
    busiest_5s: int  # the rate while sending flat out, without the idle start and end
    global_429: int
    alerts: int
    summaries: int


def build_world(emu: DiscordEmulator, servers_per_shard: int) -> list[Server]:
    """Create the servers, ``servers_per_shard`` on each shard."""
    world = []
    for shard in range(SHARDS):
        for n in range(servers_per_shard):
            guild = emu.add_guild(f"server {shard}-{n}", on_shard=(shard, SHARDS))
            channel = emu.add_channel(guild.id, "markets")
            member = emu.add_member(guild.id, f"member {shard}-{n}")
            world.append(Server(guild.id, shard, channel.id, member.id))
    return world


async def seed_store(location: Path | str, world: list[Server], calendar: TradingCalendar) -> None:
    """The ledger, then in each server an alert and a summary due since before the start."""
    now = datetime.now(UTC)
    store = await Store.open(location)
    try:
        await store.ledger.apply_seed(load_ledger(LEDGER_PATH), now=now)
        service = AlertService(store, SystemClock(), calendar)
        current = quote(
            SYMBOL,
            START_PRICE,
            START_PRICE,
            now,
            market_state=MarketState.ALWAYS_OPEN,
            source=DataSource.REPLAY,
        )
        due = (now - SUMMARY_DUE_AGO).strftime("%H:%M")
        for server in world:
            await service.create(
                Member(server.member_id, server.guild_id),
                channel_id=server.channel_id,
                symbol=SYMBOL,
                condition="above",
                value=LEVEL,
                quote=current,
            )
            await store.summary.configure(
                server.guild_id, server.channel_id, due, "UTC", "daily", now=now - timedelta(1)
            )
    finally:
        await store.close()


def write_prices(path: Path, cross_at: datetime) -> None:
    """A replay whose price crosses every alert's level at once, at ``cross_at``."""
    before = cross_at - timedelta(minutes=5)
    path.write_text(
        "timestamp,symbol,price,prev_close\n"
        f"{before.isoformat()},{SYMBOL},{START_PRICE},{START_PRICE}\n"
        f"{cross_at.isoformat()},{SYMBOL},{LEVEL + 1},{START_PRICE}\n"
    )


@asynccontextmanager
async def bot_processes(
    emu: DiscordEmulator, location: Path | str, prices: Path, folder: Path, *, pace: str
) -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """Run shard 0 and shard 1 of 2 as two processes; SIGTERM them at the end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "MINERWATCH_"))}
    env.update(
        DISCORD_TOKEN=emu.token,
        DISCORD_API_BASE=emu.api_base,
        DISCORD_GATEWAY_URL=emu.gateway_base,
        MINERWATCH_DB=str(location),
        MINERWATCH_PRICE_SOURCE=f"replay:{prices}",
        MINERWATCH_POLL_SECONDS="0.2",
        MINERWATCH_CACHE_DIR=str(folder / "cache"),
        MINERWATCH_LOG_LEVEL="WARNING",
        MINERWATCH_REST_PACE=pace,
        PYTHONPATH=str(REPO),
    )
    processes = []
    try:
        for shard in range(SHARDS):
            with (folder / f"bot{shard}.log").open("wb") as log:
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", "run",
                    "--shards", str(shard), "--shard-count", str(SHARDS),
                    cwd=folder, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
                )  # fmt: skip
            processes.append(process)
        yield processes
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


async def wait_ready(
    emu: DiscordEmulator,
    world: list[Server],
    processes: list[asyncio.subprocess.Process],
    folder: Path,
) -> None:
    """Wait until each process answers /help in a server of its shard."""
    deadline = time.monotonic() + READY_TIMEOUT
    for shard in range(SHARDS):
        server = next(s for s in world if s.shard == shard)
        while True:
            if processes[shard].returncode is not None:
                log = (folder / f"bot{shard}.log").read_text(errors="replace")
                raise RuntimeError(f"shard {shard}'s process exited:\n{log[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"shard {shard}'s process never got ready")
            try:
                result = await emu.invoke(
                    server.guild_id, server.channel_id, server.member_id, "help", {}
                )
                await result.wait_ack(timeout=2)
                break
            except Exception:  # not connected yet: ask again
                await asyncio.sleep(0.3)


def alerts_reported(emu: DiscordEmulator) -> int:
    """Count the alerts reported in messages Discord created."""
    return len(
        {
            found.group(1)
            for message in emu.world.messages.values()
            for embed in message.embeds
            if (found := FOOTER_ID.search(embed.get("footer", {}).get("text", "")))
        }
    )


def summaries_posted(emu: DiscordEmulator, world: list[Server]) -> int:
    """Count the servers whose channel holds a message other than alerts (the summary)."""
    return sum(
        any(
            not any(
                FOOTER_ID.search(embed.get("footer", {}).get("text", ""))
                for embed in message.embeds
            )
            for message in emu.world.channel_messages.get(server.channel_id, [])
        )
        for server in world
    )


def busiest(times: list[float], seconds: float = 1.0) -> int:
    """The most requests that reached Discord within any ``seconds`` (any start: Discord's
    window starts when it likes)."""
    times = sorted(times)
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= seconds:
            first += 1
        most = max(most, last - first + 1)
    return most


def token_request_times(emu: DiscordEmulator) -> list[float]:
    """When each request made with the bot's token reached Discord (responses to interactions
    are not bound by the global limit)."""
    return sorted(
        request.time
        for request in emu.recorder.requests
        if not request.path.startswith((GLOBAL_EXEMPT_PREFIX, "/webhooks/"))
    )


async def run_pair(
    location: Path | str,
    folder: Path,
    calendar: TradingCalendar,
    *,
    pace: str = "auto",
    servers_per_shard: int = 80,
) -> Outcome:
    """Run the two processes until every alert and summary is posted; what the token sent."""
    # No check of each body against Discord's spec here (other tests do it): its CPU time in
    # the local Discord's event loop would hold requests back and then stamp a bunch of them
    # at once, a burst the processes never sent.
    async with DiscordEmulator(use_spec=False) as emu:
        emu.ratelimits.enable(global_per_second=GLOBAL_LIMIT)
        world = build_world(emu, servers_per_shard)
        await seed_store(location, world, calendar)
        prices = folder / "prices.csv"
        cross_at = datetime.now(UTC) + CROSS_AFTER
        write_prices(prices, cross_at)
        async with bot_processes(emu, location, prices, folder, pace=pace) as processes:
            await wait_ready(emu, world, processes, folder)
            if datetime.now(UTC) >= cross_at:
                raise RuntimeError("the processes started too slowly: raise CROSS_AFTER")
            # Refused sends come back after a backoff: without a shared pace some may still
            # be waiting at the end, which the counts show.
            with contextlib.suppress(TimeoutError):
                await emu.messenger.posted.wait_until(
                    lambda: (
                        alerts_reported(emu) >= len(world)
                        and summaries_posted(emu, world) >= len(world)
                    ),
                    DELIVERY_TIMEOUT,
                    lambda: "not everything was posted",
                )
        times = token_request_times(emu)
        return Outcome(
            pace,
            len(times),
            busiest(times),
            busiest(times, 5.0),
            emu.ratelimits.served_global_429,
            alerts_reported(emu),
            summaries_posted(emu, world),
        )


async def block_cost(location: Path | str) -> list[float]:
    """Milliseconds of each take of a token block from the store's budget, one after another.

    The slots taken are numbered from 1 (long past): a bot sharing the store is not held up.
    """
    await (await Store.open(location)).close()  # migrated
    budget = PaceBudget(functools.partial(open_database, location))
    try:
        await budget.take(0, BLOCK, SLOT_BUDGET)  # the connection opens
        took = []
        for slot in range(1, TAKES + 1):
            started = time.perf_counter()
            await budget.take(slot, BLOCK, SLOT_BUDGET)
            took.append((time.perf_counter() - started) * 1000)
        await budget.prune(TAKES + 1)
        return took
    finally:
        await budget.close()


def report(outcomes: list[Outcome], costs: dict[str, list[float]], servers: int, store: str) -> str:
    """Render the figures as Markdown."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Two processes, one token: the shared REST pace",
        "",
        f"Shards 0 and 1 of 2 as two `python -m bot run` processes on one {store} store; "
        f"{servers} servers per shard, each with a summary due at start and an alert that "
        "fires once both answer commands; the local Discord limits the token to "
        f"{GLOBAL_LIMIT} requests/s and counts them whichever process sends.",
        "",
        f"Run: `.venv/bin/python -m bench.bench_pace --servers {servers}"
        + (" --pg-url postgresql://…/postgres" if "PostgreSQL" in costs else "")
        + "`",
        f"Machine: {machine()} — {stamp}",
        "",
        "| pace | requests with the token | requests/s (busiest 5 s) | busiest second | "
        "global 429 | alerts posted | summaries posted |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for o in outcomes:
        name = "each process its own (`local`)" if o.pace == "local" else "shared (`auto`)"
        lines.append(
            f"| {name} | {o.requests} | {o.busiest_5s / 5:.1f} | {o.busiest_second} "
            f"| {o.global_429} | {o.alerts} | {o.summaries} |"
        )
    lines += [
        "",
        f"One token block ({BLOCK} tokens: one statement on the pace's own connection), "
        f"{TAKES} takes in a row:",
        "",
    ]
    lines += [
        f"- {store}: p50 {percentile(took, 50):.2f} ms, p99 {percentile(took, 99):.2f} ms"
        for store, took in costs.items()
    ]
    return "\n".join(lines) + "\n"


async def main_async(servers: int, pg_url: str | None) -> str:
    calendar = await asyncio.to_thread(TradingCalendar)
    outcomes = []
    for pace in ("local", "auto"):
        folder = Path(tempfile.mkdtemp(prefix=f"bench-pace-{pace}-"))
        print(f"{pace} ...", flush=True)
        async with fresh_store(folder, pg_url, f"bench_pace_{pace}") as location:
            outcomes.append(
                await run_pair(location, folder, calendar, pace=pace, servers_per_shard=servers)
            )
    costs = {"SQLite": await block_cost(Path(tempfile.mkdtemp(prefix="bench-pace-")) / "b.db")}
    if pg_url is not None:
        async with fresh_store(Path(), pg_url, "bench_pace_blocks") as location:
            costs["PostgreSQL"] = await block_cost(location)
    return report(outcomes, costs, servers, "PostgreSQL" if pg_url else "SQLite")


@asynccontextmanager
async def fresh_store(folder: Path, server_url: str | None, name: str) -> AsyncIterator[Path | str]:
    """A new SQLite file in ``folder``, or a new database ``name`` on the PostgreSQL server
    ``server_url`` reaches (created, then dropped)."""
    if server_url is None:
        yield folder / "pace.sqlite3"
        return
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name}")
        await admin.execute(f"CREATE DATABASE {name}")
        yield f"{server_url.rsplit('/', 1)[0]}/{name}"
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=80, help="servers per shard")
    parser.add_argument(
        "--pg-url",
        default=None,
        help="a PostgreSQL server (postgresql://USER@HOST:PORT/postgres): each run gets a new "
        "database there, dropped after (default: SQLite files)",
    )
    args = parser.parse_args()
    text = asyncio.run(main_async(args.servers, args.pg_url))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pace.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
