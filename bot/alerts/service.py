"""Alerts as the commands use them: create, list, remove, pause, resume and snooze, checked."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass
from datetime import date, timedelta
from typing import Final

import aiosqlite

from bot.alerts.days import move_day
from bot.alerts.engine import days_already_moved, initial_state
from bot.alerts.facts import HISTORY_KINDS, earnings_note, history_gap
from bot.alerts.kinds import kind_start
from bot.alerts.model import (
    Alert,
    AlertKind,
    AlertSession,
    AlertState,
    Basis,
    Member,
    PauseReason,
    Side,
    usable_price,
)
from bot.alerts.reading import SignalReader
from bot.alerts.validation import QuotaExceeded, check_new_alert, check_snooze_minutes
from bot.clock import Clock
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.i18n import N_, _
from bot.market.calendar import EXCHANGE_TZ, TradingCalendar
from bot.market.models import Quote
from bot.settings import DEFAULT_MAX_ALERTS_PER_GUILD, DEFAULT_MAX_ALERTS_PER_USER
from bot.store import Store
from bot.store.alerts import NewAlert
from bot.text import neutralise

log = logging.getLogger(__name__)

_GONE: Final = frozenset({AlertState.REMOVED, AlertState.EXPIRED})
_MANAGER: Final = N_("its owner or a server admin")
_ONLY_MANAGER: Final = N_("Only its owner or a server admin can {action}.")
# What a member who may not manage an alert was trying to do, as the refusal says it.
_ACTIONS: Final[dict[str, str]] = {
    "pause": N_("pause alert {id}"),
    "resume": N_("resume alert {id}"),
    "remove": N_("remove alert {id}"),
    "snooze": N_("snooze alert {id}"),
}

# Why an alert cannot be resumed, by the state it is in (every state but paused).
_NOT_PAUSED: Final[dict[AlertState, str]] = {
    AlertState.ARMED: N_("id: alert {id} is not paused (it is armed)"),
    AlertState.REARMING: N_("id: alert {id} is not paused (it is waiting to re-arm)"),
    AlertState.FIRED: N_("id: alert {id} is not paused (it has fired)"),
    AlertState.EXPIRED: N_("id: alert {id} is not paused (it has expired)"),
    AlertState.REMOVED: N_("id: alert {id} is not paused (it was removed)"),
}


@dataclass(frozen=True, slots=True)
class AlertResult:
    """An alert as stored after a command, and whether it waits for the price to come back."""

    alert: Alert
    # True when the price is already past the level (or today's move past the percentage):
    # the alert fires only on the next crossing (or the next trading day's move), and the
    # reply should say so.
    waiting: bool


@dataclass(eq=False)
class AlertService:
    """The alert commands' logic: validation, quotas, ownership. A cog only parses and renders."""

    store: Store
    clock: Clock
    calendar: TradingCalendar
    _: KW_ONLY
    max_per_member: int = DEFAULT_MAX_ALERTS_PER_USER
    max_per_guild: int = DEFAULT_MAX_ALERTS_PER_GUILD
    reader: SignalReader | None = None  # the day's facts: where a new kind's alert starts from

    async def create(
        self,
        member: Member,
        *,
        channel_id: int,
        symbol: str,
        condition: str,
        value: float | None,
        quote: Quote | None,
        repeat: bool = False,
        dm: bool = False,
        expires_days: int | None = None,
        note: str | None = None,
        versus: str | None = None,
        session: str | None = None,
    ) -> AlertResult:
        """Create an alert; ``quote`` is the symbol's current quote (None when unknown)."""
        hours = check_session(session, condition)
        options = check_new_alert(
            symbol=symbol,
            condition=condition,
            value=value,
            quote=quote,
            expires_days=expires_days,
            note=note,
            versus=versus,
        )
        if options.kind is AlertKind.FILING:
            await self._require_cik(options.symbol)
        now = self.clock.now()
        start = await self._start(options.kind, options.level, options.basis, quote)
        new = NewAlert(
            guild_id=member.guild_id,
            channel_id=channel_id,
            owner_id=member.user_id,
            symbol=options.symbol,
            kind=options.kind,
            level=options.level,
            repeat=repeat,
            via_dm=dm,
            state=start.state,
            created_at=now,
            expires_at=now + timedelta(days=options.expires_days),
            move_up_day=start.up_day,
            move_down_day=start.down_day,
            note=options.note,
            basis=options.basis,
            side=start.side,
            session=hours,
        )
        async with self.store.db.transaction() as conn:
            # Counted in the transaction that inserts, so two quick commands cannot both pass.
            alerts = self.store.alerts
            if await alerts.count_active(conn, member.guild_id, member.user_id) >= (
                self.max_per_member
            ):
                raise QuotaExceeded("member", self.max_per_member)
            if await alerts.count_active(conn, member.guild_id) >= self.max_per_guild:
                raise QuotaExceeded("server", self.max_per_guild)
            alert = await alerts.insert(conn, new)
        log.info("alert %d created by %d in %d", alert.id, member.user_id, member.guild_id)
        return AlertResult(alert, start.waiting)

    async def list_alerts(self, member: Member, *, everyone: bool = False) -> list[Alert]:
        """Return the member's active alerts here, or with ``everyone`` (admins) the server's."""
        if everyone and not member.is_admin:
            raise NotAllowed(
                N_("list every alert in this server"), N_("server admins (Manage Server)")
            )
        owner = None if everyone else member.user_id
        return await self.store.alerts.listed(member.guild_id, owner_id=owner)

    async def list_notes(self, alerts: Sequence[Alert]) -> dict[int, str]:
        """Say, per alert id, what the list should add: the history a kind still waits for,
        or an earnings alert's next date (or that it is unknown)."""
        # Unknown stays unknown: a kind without its data fires nothing, and the list says
        # why instead of looking armed.
        notes = self._earnings_notes(alerts)
        wanted = {a.symbol for a in alerts if a.kind in HISTORY_KINDS}
        if not wanted or self.reader is None:
            return notes
        now = self.clock.now()
        facts = await self.reader.facts.facts(
            (symbol, move_day(self.calendar, symbol, now)) for symbol in sorted(wanted)
        )
        for alert in alerts:
            found = facts.get(alert.symbol)
            if alert.kind in HISTORY_KINDS and found is not None:
                gap = history_gap(alert, found)
                if gap is not None:
                    notes[alert.id] = gap
        return notes

    def _earnings_notes(self, alerts: Sequence[Alert]) -> dict[int, str]:
        calendar = self.reader.earnings if self.reader is not None else None
        today = self.clock.now().astimezone(EXCHANGE_TZ).date()
        notes: dict[int, str] = {}
        for alert in alerts:
            if alert.kind is not AlertKind.EARNINGS:
                continue
            next_date = calendar.next_date(alert.symbol, today) if calendar else None
            notes[alert.id] = earnings_note(
                next_date, available=bool(calendar and calendar.available)
            )
        return notes

    async def look_up_earnings(self, symbol: str) -> None:
        """Ask the calendar for ``symbol``'s dates now (once a day): a new alert shows them."""
        if self.reader is not None and self.reader.earnings is not None:
            await self.reader.earnings.refresh([symbol])

    async def get(self, member: Member, alert_id: int, action: str = "see") -> Alert:
        """Return one alert of this server the member may ``action`` (named in a refusal)."""
        async with self.store.db.transaction() as conn:
            return await self._managed(conn, member, alert_id, action)

    async def remove(self, member: Member, alert_id: int) -> Alert:
        """Remove an alert for good."""
        async with self.store.db.transaction() as conn:
            await self._managed(conn, member, alert_id, "remove")
            return await self.store.alerts.update(conn, alert_id, state=AlertState.REMOVED)

    async def pause(self, member: Member, alert_id: int) -> Alert:
        """Pause an alert until it is resumed (pausing a paused alert changes nothing)."""
        async with self.store.db.transaction() as conn:
            alert = await self._managed(conn, member, alert_id, "pause")
            if alert.state is AlertState.PAUSED:
                return alert
            _require_live(alert)
            return await self.store.alerts.update(
                conn, alert_id, state=AlertState.PAUSED, paused_reason=PauseReason.BY_MEMBER
            )

    async def resume(self, member: Member, alert_id: int, quote: Quote | None) -> AlertResult:
        """Resume a paused alert from where the price is now (``quote``, None when unknown)."""
        # Without a price the alert waits for the near side, so resuming never fires a
        # crossing that happened while it was paused.
        async with self.store.db.transaction() as conn:
            alert = await self._managed(conn, member, alert_id, "resume")
            if alert.state is not AlertState.PAUSED:
                raise InvalidInput([_(_NOT_PAUSED[alert.state], id=alert_id)])
            if quote is not None and quote.symbol != alert.symbol:
                raise ValueError(f"quote for {quote.symbol} given for alert on {alert.symbol}")
        # Read outside the transaction: the day's facts may need a store read.
        start = await self._start(alert.kind, alert.level, alert.basis, quote)
        async with self.store.db.transaction() as conn:
            alert = await self._managed(conn, member, alert_id, "resume")
            if alert.state is not AlertState.PAUSED:
                raise InvalidInput([_(_NOT_PAUSED[alert.state], id=alert_id)])
            resumed = await self.store.alerts.update(
                conn,
                alert_id,
                state=start.state,
                paused_reason=None,
                cooldown_until=None,
                move_up_day=start.up_day or alert.move_up_day,
                move_down_day=start.down_day or alert.move_down_day,
                side=start.side,
            )
        return AlertResult(resumed, start.waiting)

    async def snooze(self, member: Member, alert_id: int, minutes: int) -> Alert:
        """Keep an alert quiet for ``minutes``; crossings meanwhile are skipped, not queued."""
        minutes = check_snooze_minutes(minutes)
        async with self.store.db.transaction() as conn:
            alert = await self._managed(conn, member, alert_id, "snooze")
            _require_live(alert)
            until = self.clock.now() + timedelta(minutes=minutes)
            return await self.store.alerts.update(conn, alert_id, snoozed_until=until)

    async def _require_cik(self, symbol: str) -> None:
        """Refuse a filing alert on a company whose filings the watcher cannot poll."""
        company = await self.store.ledger.company(symbol)
        if company is None or company.cik is None:
            raise InvalidInput(
                [
                    _(
                        "symbol: filings are not watched for {symbol}: no CIK (the SEC's company "
                        "number) is known for it",
                        symbol=symbol,
                    )
                ]
            )

    async def _start(
        self, kind: AlertKind, level: float, basis: Basis | None, quote: Quote | None
    ) -> _Start:
        """Return where an alert starts from at ``quote``, for every kind."""
        if kind in (AlertKind.ABOVE, AlertKind.BELOW, AlertKind.MOVE_PCT):
            return self._starting_point(kind, level, quote)
        if kind is AlertKind.FILING:
            return _Start(AlertState.ARMED)  # the next new filing is what it waits for
        if quote is None or not usable_price(quote.price) or self.reader is None:
            return _Start(AlertState.ARMED)  # nothing known yet: it starts from the next tick
        signal = await self.reader.read(quote)
        start = kind_start(kind, level, basis, signal, quote.price)
        return _Start(AlertState.ARMED, start.up_day, start.down_day, start.waiting, start.side)

    def _starting_point(self, kind: AlertKind, level: float, quote: Quote | None) -> _Start:
        """Return where an alert starts from at ``quote``."""
        if kind is AlertKind.MOVE_PCT:
            if quote is None or not usable_price(quote.price):
                return _Start(AlertState.ARMED)
            day = move_day(self.calendar, quote.symbol, quote.as_of)
            up, down = days_already_moved(level, quote, day)
            return _Start(AlertState.ARMED, up, down, waiting=up is not None or down is not None)
        if quote is None or not usable_price(quote.price):
            return _Start(AlertState.REARMING, waiting=True)
        state = initial_state(kind, level, quote.price)
        return _Start(state, waiting=state is AlertState.REARMING)

    async def _managed(
        self, conn: aiosqlite.Connection, member: Member, alert_id: int, action: str
    ) -> Alert:
        """Return the alert if the member may ``action`` it; another server's is not found."""
        alert = await self.store.alerts.fetch(conn, alert_id)
        if alert is None or alert.guild_id != member.guild_id or alert.state in _GONE:
            raise NotFound(N_("alert"), alert_id)
        if alert.owner_id != member.user_id and not member.is_admin:
            raise NotAllowed(_(_ACTIONS[action], id=alert_id), _MANAGER, sentence=_ONLY_MANAGER)
        return alert


def _require_live(alert: Alert) -> None:
    if alert.state is AlertState.FIRED:
        raise InvalidInput(
            [_("id: alert {id} has already fired and is done; add a new one instead", id=alert.id)]
        )


@dataclass(frozen=True, slots=True)
class _Start:
    state: AlertState
    up_day: date | None = None  # move_pct: today's move already reached the level upward
    down_day: date | None = None
    waiting: bool = False
    side: Side | None = None  # ma_cross: where the price stands against the average


# Kinds that are not read from trades: a session means nothing to them.
_SESSIONLESS: Final = frozenset({AlertKind.FILING, AlertKind.EARNINGS})


def check_session(session: str | None, condition: str) -> AlertSession:
    """Return the session an alert fires in (regular hours unless asked), or refuse it."""
    if session is None:
        return AlertSession.REGULAR
    try:
        chosen = AlertSession(session.strip().lower())
    except ValueError:
        raise InvalidInput(
            [
                _(
                    "session: must be regular or extended (got {got})",
                    got=repr(neutralise(session, limit=40)),
                )
            ]
        ) from None
    if condition in _SESSIONLESS:
        raise InvalidInput(
            [
                _(
                    "session: {condition} alerts do not follow trades, so they have no session",
                    condition=condition,
                )
            ]
        )
    return chosen
