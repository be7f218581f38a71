"""Builders shared by the alert and outbox tests: quotes, ticks, alerts."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.alerts.model import Alert, AlertKind, AlertState, Member, Tick
from bot.alerts.service import AlertResult, AlertService
from bot.market.models import DataSource, Quote
from bot.store import Store
from bot.store.alerts import ALERT_COLUMNS, NewAlert, row_to_alert
from tests import factories

# Wednesday 2026-11-25, 10:00 in New York: a regular NYSE session (the 26th is Thanksgiving).
T0 = factories.NOW
GUILD, OTHER_GUILD = 100, 200
CHANNEL, OTHER_CHANNEL = 1_000, 2_000
OWNER, OTHER_MEMBER, ADMIN = 11, 12, 13
MEMBER = Member(user_id=OWNER, guild_id=GUILD)


def quote(
    price: float,
    *,
    symbol: str = "CIFR",
    at: datetime = T0,
    previous_close: float | None = 100.0,
    stale: bool = False,
    source: DataSource = DataSource.YAHOO,
) -> Quote:
    """Return a quote with only what the alert code reads filled in."""
    return factories.quote(
        symbol, price, previous_close=previous_close, as_of=at, source=source, stale=stale
    )


def tick(
    price: float,
    *,
    high: float | None = None,
    low: float | None = None,
    at: datetime = T0,
    previous: float | None = None,
    **quote_options: Any,
) -> Tick:
    """Return a tick at ``price`` (the previous quote a minute earlier, when given)."""
    symbol = quote_options.get("symbol", "CIFR")
    before = (
        None if previous is None else quote(previous, symbol=symbol, at=at - timedelta(minutes=1))
    )
    return Tick(quote(price, at=at, **quote_options), previous=before, high=high, low=low)


def alert(
    kind: AlertKind | str,
    level: float,
    state: AlertState | str = AlertState.ARMED,
    **fields: Any,
) -> Alert:
    """Return an alert as the store would hold it (id 1, created a day before T0)."""
    values: dict[str, Any] = {
        "guild_id": GUILD,
        "channel_id": CHANNEL,
        "owner_id": OWNER,
        "created_at": T0 - timedelta(days=1),
        "expires_at": T0 + timedelta(days=89),
    }
    values.update(fields)
    return factories.alert(kind=AlertKind(kind), level=level, state=AlertState(state), **values)


async def add(
    service: AlertService,
    condition: str,
    value: float | None,
    *,
    price: float = 50.0,
    member: Member = MEMBER,
    symbol: str = "CIFR",
    channel_id: int = CHANNEL,
    at: datetime = T0,
    **options: Any,
) -> AlertResult:
    """Create an alert through the service with the current price at ``price``."""
    return await service.create(
        member,
        channel_id=channel_id,
        symbol=symbol,
        condition=condition,
        value=value,
        quote=quote(price, symbol=symbol, at=at),
        **options,
    )


async def random_timers(
    store: Store,
    conn: aiosqlite.Connection,
    alert_id: int,
    rng: random.Random,
    cooldown_minutes: Sequence[int | None],
) -> None:
    """Give a stored alert a random cooldown around T0 (or none) and, one time in five, a
    snooze that is over or still running."""
    minutes = rng.choice(cooldown_minutes)
    if minutes is not None:
        until = T0 + timedelta(minutes=minutes)
        await store.alerts.update(conn, alert_id, cooldown_until=until)
    if rng.random() < 0.2:
        snooze = T0 + timedelta(minutes=rng.choice([-5, 5]))
        await store.alerts.update(conn, alert_id, snoozed_until=snooze)


async def all_alerts(store: Store) -> list[Alert]:
    """Return every stored alert, read straight from the table."""
    everything = await store.db.fetch_all(f"SELECT {ALERT_COLUMNS} FROM alerts")
    return [row_to_alert(row) for row in everything]


def new_alert(kind: AlertKind, level: float, **fields: Any) -> NewAlert:
    """Return a CIFR alert to insert (server 1, channel 2, owner 3, posted in the channel,
    made a day before T0), plus ``fields``."""
    values: dict[str, Any] = {
        "guild_id": 1,
        "channel_id": 2,
        "owner_id": 3,
        "symbol": "CIFR",
        "kind": kind,
        "level": level,
        "via_dm": False,
        "created_at": T0 - timedelta(days=1),
    }
    values.update(fields)
    return NewAlert(**values)
