"""Alert delivery through the local Discord with Discord's rate limits on.

Run: .venv/bin/python -m bench.bench_delivery [--messages 1000] [--channels 100]
Writes bench/results/delivery.md (``--out -`` to only print).

The real bot (its OutboxWorker and DiscordSender over discord.py) drains a backlog of alert
messages that real evaluations queued: alerts in ``--channels`` channels fire one per
channel per evaluation, so each evaluation queues one message per channel. The emulator
enforces Discord's limits: 50 requests per second globally and 5 messages per 5 seconds
per channel. Two orders of the backlog are measured: interleaved (as evaluations queue
it: every channel once, then every channel again) and channel after channel (the worst
order for a worker that takes rows in batches).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import RESULTS, bench_settings, machine, quote, rss_mb, write_below_marker
from bot.alerts.model import AlertKind, AlertState, Tick
from bot.market.models import DataSource, MarketState
from bot.outbox.model import OutboxState
from bot.outbox.worker import DEFAULT_CONCURRENCY
from bot.sandbox.session import SandboxSession
from bot.store.alerts import NewAlert
from discord_emulator import Channel, Message, User

GLOBAL_PER_SECOND = 50  # Discord's global limit for a bot
START_PRICE = 100.0
FOOTER_ID = re.compile(r"Alert #(\d+)")
DRAIN_TIMEOUT = 300.0
MARKER = "<!-- Everything below is written by bench/bench_delivery.py. -->"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one drain of the backlog gave."""

    order: str
    messages: int
    channels: int
    seconds: float
    first_post_seconds: float
    served_429: int
    served_global_429: int
    duplicates: int
    lost: int
    undelivered_rows: int

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    def row(self) -> str:
        return (
            f"| {self.order} | {self.messages:,} in {self.channels} channels "
            f"| {self.seconds:.1f} s | **{self.rate:.1f} msg/s** "
            f"| {self.served_429} ({self.served_global_429} global) "
            f"| {self.duplicates} | {self.lost} |"
        )


def symbol_of(channel_index: int, *, per_channel: bool) -> str:
    """Return the symbol a channel's alerts watch (one per channel for the worst order)."""
    return f"B{channel_index:03d}" if per_channel else "BENCH"


async def queue_backlog(
    session: SandboxSession,
    channels: list[Channel],
    owners: list[User],
    per_channel: int,
    *,
    channel_after_channel: bool,
) -> int:
    """Store the alerts and fire them with real evaluations; return the messages queued."""
    bot = session.bot
    now = bot.clock.now()
    async with bot.store.db.transaction() as conn:
        for index, (channel, owner) in enumerate(zip(channels, owners, strict=True)):
            for k in range(per_channel):
                await bot.store.alerts.insert(
                    conn,
                    NewAlert(
                        guild_id=channel.guild_id or 0,
                        channel_id=channel.id,
                        owner_id=owner.id,
                        symbol=symbol_of(index, per_channel=channel_after_channel),
                        kind=AlertKind.ABOVE,
                        level=START_PRICE + k + 0.5,
                        repeat=False,
                        via_dm=False,
                        state=AlertState.ARMED,
                        created_at=now,
                        expires_at=now + timedelta(days=90),
                    ),
                )
    evaluator = bot.services.evaluator
    queued = 0
    at = now
    # Each evaluation crosses one level per symbol: one message per channel it covers.
    symbols = (
        [[symbol_of(i, per_channel=True)] for i in range(len(channels))]
        if channel_after_channel
        else [["BENCH"]]
    )
    for group in symbols:
        for step in range(1, per_channel + 1):
            at += timedelta(milliseconds=1)
            ticks = [
                Tick(
                    quote(
                        s,
                        START_PRICE + step,
                        START_PRICE,
                        at,
                        market_state=MarketState.ALWAYS_OPEN,
                        source=DataSource.REPLAY,
                    )
                )
                for s in group
            ]
            queued += (await evaluator.evaluate(ticks)).messages
    return queued


async def drain(order: str, channel_count: int, per_channel: int) -> Outcome:
    """Queue the backlog in ``order`` with the worker stopped, then time its delivery."""
    folder = Path(tempfile.mkdtemp(prefix="bench-delivery-"))
    replay = folder / "prices.csv"
    replay.write_text(f"timestamp,symbol,price\n+0,BENCH,{START_PRICE}\n")
    settings = bench_settings("delivery", f"replay:{replay}")
    session = await SandboxSession.start(settings)
    emu, bot = session.emu, session.bot
    try:
        await bot.outbox.stop()
        guild = session.world.guild
        channels = [emu.add_channel(guild.id, f"alerts-{n}") for n in range(channel_count)]
        owners = [emu.add_member(guild.id, f"owner-{n}") for n in range(channel_count)]
        queued = await queue_backlog(
            session,
            channels,
            owners,
            per_channel,
            channel_after_channel=order != "interleaved",
        )
        watched = {c.id for c in channels}
        posted: list[Message] = []
        first: list[float] = []

        def count(event: str, message: Message) -> None:
            if event == "MESSAGE_CREATE" and message.channel_id in watched:
                posted.append(message)
                if not first:
                    first.append(time.perf_counter())

        emu.messenger.listeners.append(count)
        emu.ratelimits.enable(global_per_second=GLOBAL_PER_SECOND)
        started = time.perf_counter()
        bot.outbox.start()
        await emu.messenger.posted.wait_until(
            lambda: len(posted) >= queued,
            DRAIN_TIMEOUT,
            lambda: f"{len(posted)} of {queued} messages posted",
        )
        seconds = time.perf_counter() - started
        await bot.outbox.stop()
        rows = await bot.store.outbox.rows()
        nonces = Counter(m.nonce for m in posted)
        reported = Counter(
            int(found.group(1))
            for m in posted
            for embed in m.embeds
            if (found := FOOTER_ID.search(embed.get("footer", {}).get("text", "")))
        )
        expected = channel_count * per_channel
        return Outcome(
            order=order,
            messages=len(posted),
            channels=channel_count,
            seconds=seconds,
            first_post_seconds=(first[0] - started) if first else float("nan"),
            served_429=emu.ratelimits.served_429,
            served_global_429=emu.ratelimits.served_global_429,
            duplicates=sum(n - 1 for n in nonces.values() if n > 1)
            + sum(n - 1 for n in reported.values() if n > 1),
            lost=expected - len(reported),
            undelivered_rows=sum(r.state is not OutboxState.DELIVERED for r in rows),
        )
    finally:
        await session.stop()


async def main(messages: int, channel_count: int) -> str:
    logging.basicConfig(level=logging.ERROR)
    # discord.py logs every 429 it absorbs at WARNING: that is the point of this run.
    logging.getLogger("discord").setLevel(logging.ERROR)
    per_channel = max(1, messages // channel_count)
    outcomes = [
        await drain(order, channel_count, per_channel)
        for order in ("interleaved", "channel after channel")
    ]
    memory = rss_mb()
    rows = "\n".join(o.row() for o in outcomes)
    lines = [
        "## Run",
        "",
        "Command: `.venv/bin/python -m bench.bench_delivery`",
        "",
        f"Machine: {machine()}",
        "",
        f"Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        "The real bot's OutboxWorker and DiscordSender (discord.py's HTTP client and its own",
        "rate-limit handling) drain alert messages queued by real evaluations, against the",
        "emulator in the same process with Discord's limits enforced: "
        f"{GLOBAL_PER_SECOND} requests/second",
        "globally, 5 messages per 5 seconds per channel; one embed per message. Worker: "
        f"{DEFAULT_CONCURRENCY}",
        "destinations in flight, one message at a time per destination (order kept).",
        "",
        "| order of the backlog | messages | drained in | throughput | 429s served | "
        "duplicates | lost |",
        "|---|---|---:|---:|---:|---:|---:|",
        rows,
        "",
        "- Throughput is messages posted ÷ time from starting the worker to the last post;",
        "  the ceiling is the global limit, "
        f"{GLOBAL_PER_SECOND} messages/second. Target: ≥ 40 messages/second.",
        "- Duplicates: messages sharing a nonce, plus alerts reported by more than one message;",
        "  lost: alerts no message reported.",
        "- Outbox rows not delivered after the drain: "
        + ", ".join(f"{o.order}: {o.undelivered_rows}" for o in outcomes)
        + ".",
        "- First post after start: "
        + ", ".join(f"{o.order}: {o.first_post_seconds * 1000:.0f} ms" for o in outcomes)
        + ".",
        f"- Resident memory after both runs: {memory:.0f} MiB.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument("--out", default=str(RESULTS / "delivery.md"), help="'-' to only print")
    args = parser.parse_args()
    report = asyncio.run(main(args.messages, args.channels))
    print(report)
    if args.out != "-":
        write_below_marker(Path(args.out), MARKER, report, "Delivery")
