"""The alert service: validation messages, quotas and who may manage which alert."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest

from bot.alerts.model import AlertKind, AlertState, Member, PauseReason
from bot.alerts.service import AlertService
from bot.alerts.validation import QuotaExceeded
from bot.clock import ManualClock
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.market.calendar import TradingCalendar
from bot.store import Store
from tests.alerts.helpers import (
    ADMIN,
    CHANNEL,
    GUILD,
    MEMBER,
    OTHER_GUILD,
    OTHER_MEMBER,
    T0,
    add,
    quote,
)

OTHER = Member(user_id=OTHER_MEMBER, guild_id=GUILD)
ADMIN_HERE = Member(user_id=ADMIN, guild_id=GUILD, is_admin=True)
ADMIN_ELSEWHERE = Member(user_id=ADMIN, guild_id=OTHER_GUILD, is_admin=True)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"symbol": "not a symbol!"}, "symbol: must be a ticker such as CIFR or BTC-USD"),
        ({"condition": "crosses"}, "condition: must be one of above, below, move_pct"),
        ({"value": math.nan}, "value: must be a finite number"),
        ({"value": math.inf}, "value: must be a finite number"),
        ({"value": 4.99}, "value: must be a price between $5.00 and $500.00"),
        ({"value": 500.01}, "value: must be a price between $5.00 and $500.00"),
        ({"condition": "move_pct", "value": 0.05}, "value: must be a percentage between 0.1"),
        ({"condition": "move_pct", "value": 101}, "and 100 for move_pct (got 101)"),
        ({"expires_days": 0}, "expires_days: must be a whole number of days between 1 and 365"),
        ({"expires_days": 366}, "expires_days: must be a whole number of days between 1 and 365"),
        ({"note": "x" * 201}, "note: must be at most 200 characters (got 201)"),
        ({"quote": None}, "symbol: there is no current price for CIFR"),
    ],
)
async def test_invalid_options_name_the_option_and_the_rule(
    service: AlertService, options: dict[str, Any], message: str
) -> None:
    """Each invalid option raises InvalidInput saying which option and what is allowed."""
    arguments: dict[str, Any] = {
        "channel_id": CHANNEL,
        "symbol": "CIFR",
        "condition": "above",
        "value": 60.0,
        "quote": quote(50.0),
    }
    arguments.update(options)
    with pytest.raises(InvalidInput) as caught:
        await service.create(MEMBER, **arguments)
    assert message in caught.value.user_message


async def test_every_problem_is_reported_at_once(service: AlertService) -> None:
    """Several bad options are listed together, so the user fixes them in one go."""
    with pytest.raises(InvalidInput) as caught:
        await add(service, "sideways", 1.0, price=50.0, expires_days=0)
    assert [p.split(":")[0] for p in caught.value.problems] == ["condition", "expires_days"]


@pytest.mark.parametrize(
    ("condition", "value", "price", "state", "waiting"),
    [
        ("above", 60.0, 50.0, AlertState.ARMED, False),
        ("above", 50.0, 55.0, AlertState.REARMING, True),
        ("below", 40.0, 50.0, AlertState.ARMED, False),
        ("below", 60.0, 50.0, AlertState.REARMING, True),
        ("move_pct", 5.0, 101.0, AlertState.ARMED, False),
        ("move_pct", 5.0, 106.0, AlertState.ARMED, True),  # today's move already past 5 %
        ("ABOVE", 500.0, 50.0, AlertState.ARMED, False),  # the highest level allowed (10×)
    ],
)
async def test_create_reports_whether_the_alert_waits(
    service: AlertService,
    condition: str,
    value: float,
    price: float,
    state: AlertState,
    waiting: bool,
) -> None:
    """An alert created past its level says it will fire on the next crossing."""
    result = await add(service, condition, value, price=price)
    assert result.alert.state is state
    assert result.waiting is waiting
    assert result.alert.expires_at == T0 + timedelta(days=90)


async def test_create_stores_every_option(service: AlertService, store: Store) -> None:
    """The stored alert carries the options as given (symbol normalised, note trimmed)."""
    result = await service.create(
        MEMBER,
        channel_id=CHANNEL,
        symbol=" cifr ",
        condition="below",
        value=40.0,
        quote=quote(50.0),
        repeat=True,
        dm=True,
        expires_days=7,
        note="  support  ",
    )
    stored = await store.alerts.get(result.alert.id)
    assert stored == result.alert
    assert (stored.symbol, stored.kind, stored.level) == ("CIFR", AlertKind.BELOW, 40.0)
    assert stored.repeat and stored.via_dm and stored.note == "support"
    assert stored.expires_at == T0 + timedelta(days=7)


async def test_member_quota(store: Store, clock: ManualClock, calendar: TradingCalendar) -> None:
    """A member may hold max_per_member active alerts; removing one frees a place."""
    service = AlertService(store, clock, calendar, max_per_member=2, max_per_guild=10)
    first = await add(service, "above", 60.0)
    await add(service, "above", 61.0)
    with pytest.raises(QuotaExceeded) as caught:
        await add(service, "above", 62.0)
    assert caught.value.scope == "member" and "2 active alerts" in caught.value.user_message
    await add(service, "above", 62.0, member=OTHER)  # someone else still can
    await service.remove(MEMBER, first.alert.id)
    await add(service, "above", 62.0)


async def test_server_quota(store: Store, clock: ManualClock, calendar: TradingCalendar) -> None:
    """A server holds at most max_per_guild active alerts; another server is not affected."""
    service = AlertService(store, clock, calendar, max_per_member=10, max_per_guild=3)
    for user_id in (1, 2, 3):
        await add(service, "above", 60.0, member=Member(user_id, GUILD))
    with pytest.raises(QuotaExceeded) as caught:
        await add(service, "above", 60.0, member=Member(4, GUILD))
    assert caught.value.scope == "server" and "3 active alerts" in caught.value.user_message
    await add(service, "above", 60.0, member=Member(4, OTHER_GUILD))


@pytest.mark.parametrize("action", ["remove", "pause", "snooze"])
@pytest.mark.parametrize(
    ("who", "outcome"),
    [
        (MEMBER, None),
        (ADMIN_HERE, None),
        (OTHER, NotAllowed),
        (ADMIN_ELSEWHERE, NotFound),
    ],
)
async def test_who_may_manage_an_alert(
    service: AlertService, action: str, who: Member, outcome: type[Exception] | None
) -> None:
    """Owner or admin: allowed; another member: refused; another server: not found."""
    alert_id = (await add(service, "above", 60.0)).alert.id

    async def call() -> object:
        if action == "remove":
            return await service.remove(who, alert_id)
        if action == "pause":
            return await service.pause(who, alert_id)
        return await service.snooze(who, alert_id, 30)

    if outcome is None:
        await call()
        return
    with pytest.raises(outcome) as caught:
        await call()
    if outcome is NotAllowed:
        assert caught.value.user_message == (  # type: ignore[attr-defined]
            f"Only its owner or a server admin can {action} alert {alert_id}."
        )


async def test_unknown_and_removed_alerts_are_not_found(service: AlertService) -> None:
    """An id that does not exist, or was removed, is reported as not found."""
    with pytest.raises(NotFound):
        await service.pause(MEMBER, 999)
    created = await add(service, "above", 60.0)
    await service.remove(MEMBER, created.alert.id)
    with pytest.raises(NotFound):
        await service.pause(MEMBER, created.alert.id)


async def test_list_own_and_all(service: AlertService) -> None:
    """Members list their own alerts; only admins list the whole server's."""
    mine = await add(service, "above", 60.0)
    theirs = await add(service, "below", 40.0, member=OTHER)
    await add(service, "above", 60.0, member=Member(OWNER_ELSEWHERE := 99, OTHER_GUILD))
    assert [a.id for a in await service.list_alerts(MEMBER)] == [mine.alert.id]
    everyone = await service.list_alerts(ADMIN_HERE, everyone=True)
    assert [a.id for a in everyone] == [mine.alert.id, theirs.alert.id]
    assert OWNER_ELSEWHERE not in {a.owner_id for a in everyone}
    with pytest.raises(NotAllowed):
        await service.list_alerts(MEMBER, everyone=True)


async def test_pause_and_resume(service: AlertService) -> None:
    """Pause keeps the alert listed; resume re-derives its state from the current price."""
    created = await add(service, "above", 60.0)
    paused = await service.pause(MEMBER, created.alert.id)
    assert paused.state is AlertState.PAUSED and paused.paused_reason is PauseReason.BY_MEMBER
    assert [a.id for a in await service.list_alerts(MEMBER)] == [created.alert.id]
    resumed = await service.resume(MEMBER, created.alert.id, quote(65.0))
    assert resumed.alert.state is AlertState.REARMING and resumed.waiting
    assert resumed.alert.paused_reason is None
    with pytest.raises(InvalidInput, match="is not paused"):
        await service.resume(MEMBER, created.alert.id, quote(65.0))


async def test_resume_without_a_price_waits(service: AlertService) -> None:
    """Without a current price a resumed alert waits for the near side: it cannot misfire."""
    created = await add(service, "above", 60.0)
    await service.pause(MEMBER, created.alert.id)
    resumed = await service.resume(MEMBER, created.alert.id, None)
    assert resumed.alert.state is AlertState.REARMING and resumed.waiting


@pytest.mark.parametrize("minutes", [0, -5, 10_081])
async def test_snooze_bounds(service: AlertService, minutes: int) -> None:
    """Snooze takes 1 to 10080 minutes."""
    created = await add(service, "above", 60.0)
    with pytest.raises(InvalidInput, match="minutes: must be a whole number between 1 and 10080"):
        await service.snooze(MEMBER, created.alert.id, minutes)


async def test_snooze_sets_the_end(service: AlertService, clock: ManualClock) -> None:
    """Snoozing records until when the alert keeps quiet."""
    created = await add(service, "above", 60.0)
    snoozed = await service.snooze(MEMBER, created.alert.id, 90)
    assert snoozed.snoozed_until == clock.now() + timedelta(minutes=90)


async def test_a_fired_one_shot_alert_cannot_be_paused(service: AlertService, store: Store) -> None:
    """A done alert says so instead of pretending to pause."""
    created = await add(service, "above", 60.0)
    async with store.db.transaction() as conn:
        await store.alerts.update(conn, created.alert.id, state=AlertState.FIRED)
    with pytest.raises(InvalidInput, match="already fired"):
        await service.pause(MEMBER, created.alert.id)
    await service.remove(MEMBER, created.alert.id)  # but it can be cleaned up
