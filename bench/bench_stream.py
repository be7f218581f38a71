"""Live prices: trade → alert post through the local streamer, against the poll, with a drop.

Run: .venv/bin/python -m bench.bench_stream [--alerts 1000] [--rate 100] [--seconds 150]
     [--drop 30] [--poll-seconds 60]
Writes bench/results/stream.md (``--out -`` to only print).

The real bot (sandbox session: local Discord) takes its prices from the local streamer and,
as its poll, from a replay file holding the very same trades. ``--alerts`` one-shot `above`
alerts are spread over the 25 streamed symbols (levels between +0.5 % and +13.5 %) in 50
channels; another fifth as many sit on 5 symbols that never tick on the stream, which only
the poll (every ``--poll-seconds``) serves: the poll measured the same way, in the same run.
Every symbol's price climbs 15 % over ``--seconds`` with a small wiggle, traded ``--rate``
times a second in all (the streamer stamps each trade). In the middle of the run the stream
is cut without a close frame and refused for ``--drop`` seconds.

Each alert is timed from the first trade at or above its level to the moment the local
Discord creates the message that reports it (its footer names the alert). Lost: a level the
prices crossed with no post by the end (plus one poll interval); duplicates: an alert
reported by more than one message.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import random
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from bench.common import RESULTS, machine, percentile, rss_mb, write_below_marker
from bot.alerts.model import Member
from bot.sandbox.session import SandboxSession
from bot.settings import load_settings
from discord_emulator import Message
from yahoo_emulator.streamer import LocalStreamer

MARKER: Final = "<!-- Everything below is written by bench/bench_stream.py. -->"
STREAMED: Final = (
    *("CIFR", "WULF", "IREN", "CORZ", "APLD", "GLXY", "HUT", "WYFI", "RIOT", "MARA"),
    *("BTDR", "CLSK", "BITF", "HIVE", "SLNH", "CRWV", "NBIS", "NVDA", "GOOGL", "GOOG"),
    *("MSFT", "AMZN", "META", "AMD", "BTC-USD"),
)
POLLED: Final = ("SPY", "QQQ", "ORCL", "TSLA", "AAPL")  # never tick on the stream
SESSION_START: Final = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # Wednesday 10:00 New York
CHANNELS: Final = 50
CLIMB: Final = 0.15  # each price rises this much over the run
WIGGLE: Final = 0.002
FOOTER: Final = re.compile(r"Alert #(\d+)")


class SessionClock:
    """Real time, shifted so that the run starts in a regular New York session."""

    def __init__(self) -> None:
        self.offset = SESSION_START - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass(frozen=True, slots=True)
class Plan:
    """When each symbol trades, at what price (seconds after the bot's start)."""

    lead: float  # the flat part before the climb: time to create the alerts
    seconds: float
    rate: float
    bases: dict[str, float]
    phases: dict[str, float]

    def price(self, symbol: str, t: float) -> float:
        base = self.bases[symbol]
        if t <= self.lead:
            return base
        progress = min(1.0, (t - self.lead) / self.seconds)
        wiggle = WIGGLE * math.sin(2 * math.pi * t / 7 + self.phases[symbol])
        return round(base * (1 + CLIMB * progress + wiggle * progress), 4)

    def trades(self) -> list[tuple[float, str]]:
        """Every trade (time, symbol), at ``rate`` a second over all symbols in turn."""
        symbols = [*STREAMED, *POLLED]
        gap = 1.0 / self.rate
        count = int(self.seconds * self.rate)
        return [
            (self.lead + i * gap, symbols[i % len(symbols)]) for i in range(count + len(symbols))
        ]


def replay_csv(plan: Plan, trades: list[tuple[float, str]]) -> str:
    lines = ["timestamp,symbol,price,prev_close,volume"]
    lines += [f"+0,{s},{plan.bases[s]},{plan.bases[s]},1000000" for s in plan.bases]
    lines += [f"+{t:.3f},{s},{plan.price(s, t)},{plan.bases[s]},1000000" for t, s in trades]
    return "\n".join(lines) + "\n"


def first_crossings(
    plan: Plan, trades: list[tuple[float, str]], levels: dict[int, tuple[str, float]]
) -> dict[int, float]:
    """Return, per alert, the time of the first trade at or above its level."""
    by_symbol: dict[str, list[tuple[float, float]]] = {}
    for t, s in trades:
        by_symbol.setdefault(s, []).append((t, plan.price(s, t)))
    crossed: dict[int, float] = {}
    for alert_id, (symbol, level) in levels.items():
        for t, price in by_symbol[symbol]:
            if price >= level:
                crossed[alert_id] = t
                break
    return crossed


async def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(18)
    bases = {s: round(rng.uniform(10, 200), 2) for s in (*STREAMED, *POLLED)}
    bases["BTC-USD"] = 91_000.0
    plan = Plan(
        lead=args.lead,
        seconds=args.seconds,
        rate=args.rate,
        bases=bases,
        phases={s: rng.uniform(0, 2 * math.pi) for s in bases},
    )
    trades = plan.trades()
    folder = Path(tempfile.mkdtemp(prefix="bench-stream-"))
    prices = folder / "prices.csv"
    prices.write_text(replay_csv(plan, trades), encoding="utf-8")
    clock = SessionClock()
    async with LocalStreamer() as streamer:
        streamer.muted.update(POLLED)
        settings = load_settings(
            None,
            db_path=folder / "b.sqlite3",
            cache_dir=folder / "cache",
            price_source=f"replay:{prices}",
            poll_seconds=args.poll_seconds,
            stream_url=streamer.url,
            max_alerts_per_user=10 * args.alerts,
            max_alerts_per_guild=10 * args.alerts,
        )
        zero = time.monotonic()  # the replay's +0: the bot's start
        session = await SandboxSession.start(settings, clock=clock)
        emu, bot = session.emu, session.bot
        try:
            world = session.world
            await bot.pipeline.tick()  # every symbol's first quote, before the alerts
            channels = [emu.add_channel(world.guild.id, f"alerts-{i}") for i in range(CHANNELS)]
            member = Member(world.member.id, world.guild.id, is_admin=True)
            levels: dict[int, tuple[str, float]] = {}
            polled_alerts = args.alerts // 5
            for n in range(args.alerts + polled_alerts):
                symbol = STREAMED[n % len(STREAMED)] if n < args.alerts else POLLED[n % len(POLLED)]
                level = round(bases[symbol] * (1 + rng.uniform(0.005, 0.135)), 2)
                result = await bot.services.alerts.create(
                    member,
                    channel_id=channels[n % CHANNELS].id,
                    symbol=symbol,
                    condition="above",
                    value=level,
                    quote=await bot.services.market.fetch_quote(symbol),
                )
                assert result.alert is not None, result
                levels[result.alert.id] = (symbol, level)
            setup = time.monotonic() - zero
            if setup >= plan.lead:
                raise SystemExit(f"setup took {setup:.1f} s: raise --lead above it")
            await streamer.wait_subscribed(STREAMED, timeout=30)

            posted: dict[int, float] = {}
            reports: Counter[int] = Counter()

            def record(event: str, message: Message) -> None:
                if event != "MESSAGE_CREATE":
                    return
                for embed in message.embeds:
                    found = FOOTER.search(embed.get("footer", {}).get("text", ""))
                    if found:
                        alert_id = int(found.group(1))
                        reports[alert_id] += 1
                        posted.setdefault(alert_id, time.monotonic())

            emu.messenger.listeners.append(record)
            drop_from = plan.lead + (plan.seconds - args.drop) / 2
            drop_to = drop_from + args.drop
            sent_at: dict[tuple[float, str], float] = {}
            dropped = False
            delivered = 0
            back: float | None = None
            for t, symbol in trades:
                wait = zero + t - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not dropped and t >= drop_from:
                    dropped = True
                    streamer.refusing = True
                    await streamer.close_all(None)
                if dropped and streamer.refusing and t >= drop_to:
                    streamer.refusing = False
                reached = await streamer.tick(
                    symbol, plan.price(symbol, t), at=clock.now().timestamp()
                )
                delivered += reached
                if dropped and back is None and reached and t >= drop_to:
                    back = t  # the bot is subscribed again: the stream is back
                sent_at[(t, symbol)] = time.monotonic()
            crossed = first_crossings(plan, trades, levels)
            # Whatever the poll owes arrives within one interval; then the count is final.
            deadline = time.monotonic() + args.poll_seconds + 15
            while set(crossed) - set(posted) and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)

            def latency(alert_id: int) -> float:
                t = crossed[alert_id]
                symbol = levels[alert_id][0]
                # A streamed trade counts from when it left the streamer; a trade of a
                # polled symbol from its time in the file (the same clock, from +0).
                start = sent_at.get((t, symbol), zero + t)
                return posted[alert_id] - start

            def in_drop(alert_id: int) -> bool:
                # From the cut until the bot is subscribed again (reconnect backoff included).
                return drop_from <= crossed[alert_id] < (back if back is not None else math.inf)

            streamed = [
                latency(a)
                for a in crossed
                if a in posted and levels[a][0] in STREAMED and not in_drop(a)
            ]
            during = [
                latency(a)
                for a in crossed
                if a in posted and levels[a][0] in STREAMED and in_drop(a)
            ]
            polled = [latency(a) for a in crossed if a in posted and levels[a][0] in POLLED]
            health = bot.pipeline.live.health() if bot.pipeline.live else None
            own = bot.services.latency.summary()
            return {
                "alerts": args.alerts,
                "polled_alerts": polled_alerts,
                "crossed": len(crossed),
                "lost": len(set(crossed) - set(posted)),
                "duplicates": sum(1 for n in reports.values() if n > 1),
                "never_crossed_but_posted": len(set(posted) - set(crossed)),
                "streamed": streamed,
                "during": during,
                "polled": polled,
                "trades": len(trades),
                "delivered": delivered,
                "received": bot.pipeline.live.trades if bot.pipeline.live else 0,
                "reconnects": health.reconnects_24h if health else 0,
                "outage": (back if back is not None else math.inf) - drop_from,
                "own": own,
                "setup": setup,
                "memory": rss_mb(),
            }
        finally:
            await session.stop()


def _figures(values: list[float]) -> str:
    if not values:
        return "— | — | — | 0"
    return (
        f"{percentile(values, 50):.3f} s | {percentile(values, 95):.3f} s | "
        f"{max(values):.3f} s | {len(values)}"
    )


def report(args: argparse.Namespace, r: dict[str, Any]) -> str:
    command = (
        f".venv/bin/python -m bench.bench_stream --alerts {args.alerts} --rate {args.rate:g} "
        f"--seconds {args.seconds:g} --drop {args.drop:g} --poll-seconds {args.poll_seconds:g} "
        f"--lead {args.lead:g}"
    )
    own = r["own"]
    met = r["streamed"] and percentile(r["streamed"], 95) < 1.0
    return f"""Run: `{command}` ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)
Machine: {machine()}

{r["alerts"]} alerts on {len(STREAMED)} streamed symbols and {r["polled_alerts"]} on \
{len(POLLED)} symbols only the poll serves; {r["trades"]} trades at {args.rate:g}/s, of which \
{r["delivered"]} went out on the stream (none for the 5 polled symbols, none while it was cut \
or reconnecting) and {r["received"]} were read by the bot; setup {r["setup"]:.1f} s.

| path | p50 | p95 | max | alerts |
|---|---|---|---|---|
| stream (healthy) | {_figures(r["streamed"])} |
| stream cut for {args.drop:g} s, down {r["outage"]:.1f} s with the reconnect (poll \
fallback) | {_figures(r["during"])} |
| poll every {args.poll_seconds:g} s | {_figures(r["polled"])} |

- Target p95 < 1 s through the stream: **{"met" if met else "not met"}**.
- Levels crossed: {r["crossed"]}; **lost: {r["lost"]}**; **duplicates: {r["duplicates"]}**; \
posts for a level never crossed: {r["never_crossed_but_posted"]}.
- Connections made after the cut: {r["reconnects"]} (the refused ones included: the local \
streamer accepts each, then closes it with 1013 while it is "down").
- The bot's own figure (`/status`, trade stamp → delivery): p50 \
{own.p50 if own.p50 is not None else float("nan"):.3f} s, p95 \
{own.p95 if own.p95 is not None else float("nan"):.3f} s over {own.samples} alerts.
- Memory at the end: {r["memory"]:.0f} MiB.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=100.0, help="trades a second, in all")
    parser.add_argument("--seconds", type=float, default=150.0)
    parser.add_argument("--drop", type=float, default=30.0)
    parser.add_argument("--poll-seconds", type=float, default=60.0)
    parser.add_argument("--lead", type=float, default=20.0, help="seconds allowed for setup")
    parser.add_argument("--out", default=str(RESULTS / "stream.md"), help="'-' to only print")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    text = report(args, asyncio.run(run(args)))
    print(text)
    if args.out != "-":
        write_below_marker(Path(args.out), MARKER, text, "Live prices")


if __name__ == "__main__":
    main()
