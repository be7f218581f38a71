"""A process that writes through the store as the bot does, until it is killed.

Run: python -m tests.hardening.crash_writer DB SEED. After each committed operation it prints
one line ("contract 12", "alert 40", "fired 3", ...) so the parent knows what must survive.
"""

from __future__ import annotations

import asyncio
import random
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.alerts.evaluate import AlertEvaluator
from bot.alerts.model import Member, Tick
from bot.alerts.service import AlertService
from bot.clock import ManualClock
from bot.errors import MinerwatchError
from bot.ledger.records import load_ledger
from bot.ledger.service import Actor, LedgerService, Scope
from bot.market.calendar import TradingCalendar
from bot.market.models import DailyBar, DataSource, Quote
from bot.paths import LEDGER_PATH
from bot.store import Store
from tests import factories

GUILD = 7_000
CHANNEL = 7_001
SYMBOL = "CIFR"


def quote(price: float, at: datetime) -> Quote:
    """Return a plain quote for the writer's symbol."""
    return factories.quote(SYMBOL, price, previous_close=15.0, as_of=at, source=DataSource.REPLAY)


def say(line: str) -> None:
    """Report a committed operation to the parent."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def main(path: Path, seed: int) -> None:
    """Write forever: contracts, alerts, evaluations that fire, deliveries, price history."""
    rng = random.Random(seed)
    store = await Store.open(path)
    # Each run starts later than any earlier one, as a restarted bot would.
    clock = ManualClock(datetime(2026, 11, 25, 15, 0, tzinfo=UTC) + timedelta(hours=seed))
    if await store.ledger.shipped_ledger_as_of() is None:
        await store.ledger.apply_seed(load_ledger(LEDGER_PATH), now=clock.now())
    calendar = TradingCalendar()
    ledger = LedgerService(store, clock)
    alerts = AlertService(store, clock, calendar, max_per_member=10**6, max_per_guild=10**6)
    evaluator = AlertEvaluator(store, clock, calendar)
    admin = Actor(user_id=1, guild_id=GUILD, is_admin=True, is_owner=True)
    price = 15.0
    say("ready")
    while True:
        clock.advance(timedelta(seconds=1))
        roll = rng.random()
        try:
            if roll < 0.25:
                contract = await ledger.add(
                    admin,
                    {"host_symbol": "IREN", "counterparty": f"Crash Cloud {rng.random():.6f}"},
                    source_url="https://example.com/crash",
                    scope=Scope.SERVER,
                )
                say(f"contract {contract.id}")
            elif roll < 0.35:
                mine = [c.id for c in await ledger.view(GUILD) if c.guild_id == GUILD]
                if mine:
                    target = rng.choice(mine)
                    await ledger.edit(admin, target, {"notes": f"edit {rng.random():.6f}"})
                    say(f"edited {target}")
            elif roll < 0.40:
                mine = [c.id for c in await ledger.view(GUILD) if c.guild_id == GUILD]
                if mine:
                    target = rng.choice(mine)
                    await ledger.remove(admin, target)
                    say(f"removed {target}")
            elif roll < 0.70:
                created = await alerts.create(
                    Member(user_id=rng.randrange(2, 50), guild_id=GUILD),
                    channel_id=CHANNEL,
                    symbol=SYMBOL,
                    condition=rng.choice(["above", "below"]),
                    value=round(rng.uniform(10, 20), 2),
                    quote=quote(price, clock.now()),
                    repeat=rng.random() < 0.5,
                )
                say(f"alert {created.alert.id}")
            elif roll < 0.85:
                price = min(max(price + rng.uniform(-3, 3), 10.5), 19.5)
                report = await evaluator.evaluate([Tick(quote(price, clock.now()))])
                say(f"evaluated {len(report.firings)} {report.messages}")
            elif roll < 0.95:
                for row in await store.outbox.due(clock.now(), limit=5):
                    await store.outbox.mark_delivered(row.id, rng.randrange(10**9), now=clock.now())
                    say(f"delivered {row.id}")
            else:
                day = (clock.now() - timedelta(days=rng.randrange(1, 400))).date()
                bar = DailyBar(day, price, price, price, price, 1000)
                await store.prices.upsert_daily(SYMBOL, [replace(bar, close=price)])
                say("history")
        except MinerwatchError:
            continue


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
