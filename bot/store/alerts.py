"""SQL for price alerts: creating and managing them, and finding the ones a tick crossed.

Every trigger query is a range over the ``alerts_trigger`` index (symbol, kind, state, level):
a tick costs as many rows as it crosses, never a scan of the table.
"""

from __future__ import annotations

import json
import logging
import operator
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final

import aiosqlite

from bot.alerts.level_index import (
    LEVEL_KINDS,
    NO_COOLDOWN,
    Entry,
    LevelIndex,
    group_of,
    micros,
)
from bot.alerts.model import (
    ACTIVE_STATES,
    Alert,
    AlertKind,
    AlertSession,
    AlertState,
    Basis,
    PauseReason,
    Side,
    evolve,
)
from bot.store.db import Database

log = logging.getLogger(__name__)

ALERT_COLUMNS: Final = (
    "id, guild_id, channel_id, owner_id, symbol, kind, level, repeat, via_dm, state, "
    "created_at, expires_at, fired_count, last_fired_at, cooldown_until, snoozed_until, "
    "move_up_day, move_down_day, paused_reason, note, basis, side, session"
)
_ACTIVE: Final = "(" + ", ".join(f"'{state.value}'" for state in sorted(ACTIVE_STATES)) + ")"
# Plain dict lookups: calling an Enum class costs more than the rest of a row's conversion.
_KINDS: Final = {kind.value: kind for kind in AlertKind}
_STATES: Final = {state.value: state for state in AlertState}
_REASONS: Final = {reason.value: reason for reason in PauseReason}
_BASES: Final = {basis.value: basis for basis in Basis}
_SIDES: Final = {side.value: side for side in Side}
_SESSIONS: Final = {session.value: session for session in AlertSession}
_BY_ID: Final = f"SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?"  # noqa: S608

# The trigger queries, one per kind of change a tick can make; an evaluation sends them for
# all its symbols as one UNION ALL statement (one round trip), each term its own index range.
# Each names its index, so a schema change that breaks the plan fails loudly ("no query
# solution") instead of quietly turning into a scan.
#
# An armed alert last saw the price at or below its level, so every armed `above` alert
# under the new high has crossed; no lower bound is needed, and none is wanted: a tick whose
# evaluation failed would otherwise leave its crossings unfired for good. Strictly below the
# high: a touch is not a crossing (see the engine). Parameters: symbol, high.
FIRE_ABOVE: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_trigger
    WHERE symbol = ? AND kind = 'above' AND state = 'armed' AND level < ?
"""  # noqa: S608 - the interpolated parts are constants
# Parameters: symbol, low.
FIRE_BELOW: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_trigger
    WHERE symbol = ? AND kind = 'below' AND state = 'armed' AND level > ?
"""  # noqa: S608
# Waiting alerts the price came back to. The range is the near side; an alert waiting after
# a repeat firing (cooldown_until set) also needs its cooldown over and the price past the
# hysteresis band, checked on the rows of the range. The engine decides again (the same
# arithmetic), so these stay a superset. Parameters: symbol, low, now, band, low.
REARM_ABOVE: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_trigger
    WHERE symbol = ? AND kind = 'above' AND state = 'rearming' AND level >= ?
      AND (cooldown_until IS NULL OR (cooldown_until <= ? AND level * (1.0 - ?) >= ?))
"""  # noqa: S608
# Parameters: symbol, high, now, band, high.
REARM_BELOW: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_trigger
    WHERE symbol = ? AND kind = 'below' AND state = 'rearming' AND level <= ?
      AND (cooldown_until IS NULL OR (cooldown_until <= ? AND level * (1.0 + ?) <= ?))
"""  # noqa: S608
# move_pct keeps its percentage in `level`: the alerts the day's move reached, not yet fired
# today in that direction. Parameters: symbol, move (percent), day.
MOVE_UP: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_trigger
    WHERE symbol = ? AND kind = 'move_pct' AND state = 'armed' AND level <= ?
      AND move_up_day IS NOT ?
"""  # noqa: S608
MOVE_DOWN: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_trigger
    WHERE symbol = ? AND kind = 'move_pct' AND state = 'armed' AND level <= ?
      AND move_down_day IS NOT ?
"""  # noqa: S608
# The kinds read against the day's facts. The evaluator sends a term only when the symbol's
# figure can fire something (a new 52-week high, an average's side, a volume multiple, a
# gap, a lead over a benchmark), so a quiet symbol costs nothing. high52 keeps the day it
# fired in move_up_day, low52 in move_down_day. Parameters: symbol, day.
NEW_HIGH52: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_trigger
    WHERE symbol = ? AND kind = 'high52' AND state = 'armed' AND move_up_day IS NOT ?
"""  # noqa: S608
NEW_LOW52: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_trigger
    WHERE symbol = ? AND kind = 'low52' AND state = 'armed' AND move_down_day IS NOT ?
"""  # noqa: S608
# ma_cross alerts that last saw the price on the other side of the average (or have not
# seen it yet). Parameters: symbol, basis, the side the price is no longer on / symbol, basis.
SIDE_LEFT: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_by_side
    WHERE symbol = ? AND kind = 'ma_cross' AND basis = ? AND side = ? AND state = 'armed'
"""  # noqa: S608
SIDE_UNSEEN: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_by_side
    WHERE symbol = ? AND kind = 'ma_cross' AND basis = ? AND side IS NULL AND state = 'armed'
"""  # noqa: S608
# volume keeps its multiple in `level`. Parameters: symbol, multiple reached, day.
VOLUME_REACHED: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_trigger
    WHERE symbol = ? AND kind = 'volume' AND state = 'armed' AND level <= ?
      AND move_up_day IS NOT ?
"""  # noqa: S608
# gap keeps its percentage in `level`. Parameters: symbol, gap (percent), day.
GAP_UP: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_trigger
    WHERE symbol = ? AND kind = 'gap' AND state = 'armed' AND level <= ?
      AND move_up_day IS NOT ?
"""  # noqa: S608
GAP_DOWN: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_trigger
    WHERE symbol = ? AND kind = 'gap' AND state = 'armed' AND level <= ?
      AND move_down_day IS NOT ?
"""  # noqa: S608
# relative keeps its percentage points in `level`. Parameters: symbol, points, benchmark, day.
RELATIVE_UP: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_trigger
    WHERE symbol = ? AND kind = 'relative' AND state = 'armed' AND level <= ? AND basis = ?
      AND move_up_day IS NOT ?
"""  # noqa: S608
RELATIVE_DOWN: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_trigger
    WHERE symbol = ? AND kind = 'relative' AND state = 'armed' AND level <= ? AND basis = ?
      AND move_down_day IS NOT ?
"""  # noqa: S608
# correlation alerts whose level the day's correlation is now past by the band, in the
# direction away from the side they last saw; and those that have not seen it yet. The
# bound carries the band, minus a rounding allowance (the rules decide again).
# Parameters: symbol, benchmark, correlation + band (fell) or − band (rose) / symbol, benchmark.
CORRELATION_FELL: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_by_level_side
    WHERE symbol = ? AND kind = 'correlation' AND basis = ? AND side = 'above' AND level > ?
      AND state = 'armed'
"""  # noqa: S608
CORRELATION_ROSE: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_by_level_side
    WHERE symbol = ? AND kind = 'correlation' AND basis = ? AND side = 'below' AND level < ?
      AND state = 'armed'
"""  # noqa: S608
CORRELATION_UNSEEN: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_by_level_side
    WHERE symbol = ? AND kind = 'correlation' AND basis = ? AND side IS NULL
      AND state = 'armed'
"""  # noqa: S608
# earnings keeps its days of notice in `level`; the day columns hold the earnings date the
# reminder (move_up_day) and the day's message (move_down_day) were sent for.
# Parameters: symbol, days until the date, the date / symbol, the date.
EARNINGS_SOON: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_trigger
    WHERE symbol = ? AND kind = 'earnings' AND state = 'armed' AND level >= ?
      AND move_up_day IS NOT ?
"""  # noqa: S608
EARNINGS_TODAY: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_trigger
    WHERE symbol = ? AND kind = 'earnings' AND state = 'armed' AND move_down_day IS NOT ?
"""  # noqa: S608
_ROUNDING: Final = 1e-9
TRIGGER_QUERIES: Final = {
    "fire_above": FIRE_ABOVE,
    "fire_below": FIRE_BELOW,
    "rearm_above": REARM_ABOVE,
    "rearm_below": REARM_BELOW,
    "move_up": MOVE_UP,
    "move_down": MOVE_DOWN,
    "volume": VOLUME_REACHED,
    "gap_up": GAP_UP,
    "gap_down": GAP_DOWN,
    "relative_up": RELATIVE_UP,
    "relative_down": RELATIVE_DOWN,
    "earnings_soon": EARNINGS_SOON,
}
# The day and side terms have no level to range over: they search an index by equality.
EQUALITY_QUERIES: Final = {
    "new_high52": NEW_HIGH52,
    "new_low52": NEW_LOW52,
    "side_left": SIDE_LEFT,
    "side_unseen": SIDE_UNSEEN,
    "correlation_fell": CORRELATION_FELL,
    "correlation_rose": CORRELATION_ROSE,
    "correlation_unseen": CORRELATION_UNSEEN,
    "earnings_today": EARNINGS_TODAY,
}
# SQLite refuses compound statements of more than 500 terms.
_TERMS_PER_STATEMENT: Final = 500
# Every alert past its expiry the sweep has not seen yet (the index holds no state: an
# evaluation's state changes never rewrite it); the sweep expires the active ones and marks
# them all seen, so each is read once.
EXPIRE_DUE: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_by_expiry
    WHERE expiry_swept = 0 AND expires_at <= :now
    ORDER BY id
"""  # noqa: S608
_SWEPT: Final = "UPDATE alerts SET expiry_swept = 1 WHERE id = ?"
_EXPIRED: Final = "UPDATE alerts SET state = 'expired', expiry_swept = 1 WHERE id = ?"
# A relative alert needs its benchmark's price as well as its own symbol's.
# Filing alerts need no price: their symbols are not polled for them.
_WATCHED_SYMBOLS: Final = """
    SELECT DISTINCT symbol FROM alerts WHERE state IN ('armed', 'rearming') AND kind <> 'filing'
    UNION
    SELECT DISTINCT basis FROM alerts WHERE kind = 'relative' AND state = 'armed'
"""
_EARNINGS_SYMBOLS: Final = f"""
    SELECT DISTINCT symbol FROM alerts WHERE kind = 'earnings' AND state IN {_ACTIVE}
"""  # noqa: S608
# The in-memory level index, read from the store (at start-up): the symbols, then each
# symbol's alerts of a kind by level, from the trigger index alone (it holds level, state and
# id: no table page is read), then the few with a cooldown or a day already fired, whose
# days come as proleptic ordinals (julianday of 0001-01-01 is 1721425.5, its ordinal 1).
LEVEL_SYMBOLS: Final = "SELECT DISTINCT symbol FROM alerts INDEXED BY alerts_trigger"
LEVEL_GROUP: Final = """
    SELECT level, id, CASE state WHEN 'armed' THEN 1 ELSE 2 END
    FROM alerts INDEXED BY alerts_trigger
    WHERE symbol = ? AND kind = ? AND state IN ('armed', 'rearming')
    ORDER BY level
"""
LEVEL_EXTRAS: Final = """
    SELECT id, symbol, kind, level, CASE state WHEN 'armed' THEN 1 ELSE 2 END, cooldown_until,
           coalesce(CAST(julianday(move_up_day) - 1721424.5 AS INTEGER), 0),
           coalesce(CAST(julianday(move_down_day) - 1721424.5 AS INTEGER), 0)
    FROM alerts NOT INDEXED
    WHERE kind IN ('above', 'below', 'move_pct') AND state IN ('armed', 'rearming')
      AND (cooldown_until IS NOT NULL OR move_up_day IS NOT NULL OR move_down_day IS NOT NULL)
"""
# Alerts by id, the ids given as one JSON array (one parameter however many there are).
BY_IDS: Final = f"""
    SELECT {ALERT_COLUMNS} FROM alerts WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id
"""  # noqa: S608
# Rows loaded (or written) per statement in an evaluation: each batch is converted and
# decided on the event loop, and must stay well inside a 20 ms slice.
LOAD_BATCH: Final = 500
_APPLY: Final = """
    UPDATE alerts SET state = ?, fired_count = ?, last_fired_at = ?, cooldown_until = ?,
                      move_up_day = ?, move_down_day = ?, side = ?
    WHERE id = ?
"""


@dataclass(frozen=True, slots=True)
class NewAlert:
    """A validated alert to store."""

    guild_id: int
    channel_id: int
    owner_id: int
    symbol: str
    kind: AlertKind
    level: float
    repeat: bool
    via_dm: bool
    state: AlertState
    created_at: datetime
    expires_at: datetime
    move_up_day: date | None = None
    move_down_day: date | None = None
    note: str | None = None
    basis: Basis | None = None
    side: Side | None = None
    session: AlertSession = AlertSession.REGULAR


@dataclass(frozen=True, slots=True)
class Crossing:
    """The bounds one tick reached, for the trigger queries."""

    symbol: str
    high: float
    low: float
    up_move: float | None  # percent, tolerance included; None without a previous close
    down_move: float | None
    day: date
    now: datetime  # for cooldowns
    hysteresis: float  # the re-arming band, as a fraction of the level
    kinds: KindCrossing | None = None  # the figures of the new kinds, when facts are known


@dataclass(frozen=True, slots=True)
class KindCrossing:
    """What one tick reached for the kinds read against the day's facts."""

    new_high52: bool = False
    new_low52: bool = False
    sides: Mapping[Basis, Side] = field(default_factory=dict)  # where the price is now
    volume_multiple: float | None = None  # tolerance included
    gap_up: float | None = None  # percent, tolerance included
    gap_down: float | None = None
    relative_up: Mapping[Basis, float] = field(default_factory=dict)  # points, tolerance incl.
    relative_down: Mapping[Basis, float] = field(default_factory=dict)
    correlations: Mapping[Basis, float] = field(default_factory=dict)  # the day's, per benchmark
    correlation_band: float = 0.0
    earnings_day: date | None = None  # the next earnings date, when known
    earnings_in: int | None = None  # days until it (0: today)


def trigger_statement(crossings: Sequence[Crossing]) -> tuple[str, list[Any]]:
    """Return the one statement (and its parameters) finding every alert ``crossings`` reach."""
    terms: list[str] = []
    params: list[Any] = []
    for c in crossings:
        more_terms, more_params = _terms(c)
        terms += more_terms
        params += more_params
    return " UNION ALL ".join(terms), params


def trigger_statements(
    crossings: Sequence[Crossing], *, levels: bool = True
) -> list[tuple[str, list[Any]]]:
    """Return as few statements as SQLite allows (500 terms each) for ``crossings``; without
    ``levels``, only the terms of the kinds the level index does not cover."""
    statements: list[tuple[str, list[Any]]] = []
    terms: list[str] = []
    params: list[Any] = []
    for c in crossings:
        more_terms, more_params = _terms(c, levels=levels)
        if terms and len(terms) + len(more_terms) > _TERMS_PER_STATEMENT:
            statements.append((" UNION ALL ".join(terms), params))
            terms, params = [], []
        terms += more_terms
        params += more_params
    if terms:
        statements.append((" UNION ALL ".join(terms), params))
    return statements


def _terms(c: Crossing, *, levels: bool = True) -> tuple[list[str], list[Any]]:
    """Return the trigger terms of one symbol's crossing, with their parameters."""
    terms: list[str] = []
    params: list[Any] = []
    day = c.day.isoformat()
    if levels:
        now = _iso(c.now)
        terms += (FIRE_ABOVE, FIRE_BELOW, REARM_ABOVE, REARM_BELOW)
        params += (c.symbol, c.high, c.symbol, c.low)
        params += (c.symbol, c.low, now, c.hysteresis, c.low)
        params += (c.symbol, c.high, now, c.hysteresis, c.high)
        if c.up_move is not None and c.up_move > 0:
            terms.append(MOVE_UP)
            params += (c.symbol, c.up_move, day)
        if c.down_move is not None and c.down_move > 0:
            terms.append(MOVE_DOWN)
            params += (c.symbol, c.down_move, day)
    if c.kinds is not None:
        _kind_terms(c.symbol, day, c.kinds, terms, params)
    return terms, params


def _kind_terms(
    symbol: str, day: str, k: KindCrossing, terms: list[str], params: list[Any]
) -> None:
    if k.new_high52:
        terms.append(NEW_HIGH52)
        params += (symbol, day)
    if k.new_low52:
        terms.append(NEW_LOW52)
        params += (symbol, day)
    for basis, side in k.sides.items():
        other = Side.BELOW if side is Side.ABOVE else Side.ABOVE
        terms += (SIDE_LEFT, SIDE_UNSEEN)
        params += (symbol, basis.value, other.value, symbol, basis.value)
    if k.volume_multiple is not None and k.volume_multiple > 0:
        terms.append(VOLUME_REACHED)
        params += (symbol, k.volume_multiple, day)
    if k.gap_up is not None and k.gap_up > 0:
        terms.append(GAP_UP)
        params += (symbol, k.gap_up, day)
    if k.gap_down is not None and k.gap_down > 0:
        terms.append(GAP_DOWN)
        params += (symbol, k.gap_down, day)
    for basis, points in k.relative_up.items():
        if points > 0:
            terms.append(RELATIVE_UP)
            params += (symbol, points, basis.value, day)
    for basis, points in k.relative_down.items():
        if points > 0:
            terms.append(RELATIVE_DOWN)
            params += (symbol, points, basis.value, day)
    band = k.correlation_band
    for basis, value in k.correlations.items():
        terms += (CORRELATION_FELL, CORRELATION_ROSE, CORRELATION_UNSEEN)
        params += (symbol, basis.value, value + band - _ROUNDING)
        params += (symbol, basis.value, value - band + _ROUNDING)
        params += (symbol, basis.value)
    if k.earnings_day is not None and k.earnings_in is not None:
        when = k.earnings_day.isoformat()
        if k.earnings_in == 0:
            terms.append(EARNINGS_TODAY)
            params += (symbol, when)
        elif k.earnings_in > 0:
            terms.append(EARNINGS_SOON)
            params += (symbol, k.earnings_in, when)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


_moment_from = datetime.fromisoformat
_alert_id = operator.attrgetter("id")
_day_from = date.fromisoformat
_new_alert = tuple.__new__


def row_to_alert(row: aiosqlite.Row | Sequence[Any]) -> Alert:
    """Build an Alert from a row selected with the alert columns, in order."""
    # Positional and inline: a market-wide jump converts thousands of rows in one evaluation,
    # and keyword arguments, helper calls and enum lookups by call cost more than the rest.
    (
        alert_id,
        guild_id,
        channel_id,
        owner_id,
        symbol,
        kind,
        level,
        repeat,
        via_dm,
        state,
        created_at,
        expires_at,
        fired_count,
        last_fired_at,
        cooldown_until,
        snoozed_until,
        move_up_day,
        move_down_day,
        paused_reason,
        note,
        basis,
        side,
        session,
    ) = row
    return _new_alert(
        Alert,
        (
            alert_id,
            guild_id,
            channel_id,
            owner_id,
            symbol,
            _KINDS[kind],
            level,
            bool(repeat),
            bool(via_dm),
            _STATES[state],
            _moment_from(created_at),
            _moment_from(expires_at),
            fired_count,
            None if last_fired_at is None else _moment_from(last_fired_at),
            None if cooldown_until is None else _moment_from(cooldown_until),
            None if snoozed_until is None else _moment_from(snoozed_until),
            None if move_up_day is None else _day_from(move_up_day),
            None if move_down_day is None else _day_from(move_down_day),
            None if paused_reason is None else _REASONS[paused_reason],
            note,
            None if basis is None else _BASES[basis],
            None if side is None else _SIDES[side],
            _SESSIONS[session],
        ),
    )


async def _select(conn: aiosqlite.Connection, query: str, params: dict[str, Any]) -> list[Alert]:
    return [row_to_alert(row) for row in await conn.execute_fetchall(query, params)]


class AlertRepo:
    """Alerts in the store."""

    def __init__(self, db: Database) -> None:
        self._db = db
        # The armed and waiting level alerts in memory, following every committed change
        # made here; built from the table on first use (or at start-up).
        self.levels = LevelIndex()
        # Set when other processes write alerts to this store too (PostgreSQL, or one shard
        # range of several): an index here would miss their changes, so evaluation then
        # finds every kind by SQL and the index is never built.
        self.others_write = False

    def _follow(self, alerts: Sequence[Alert]) -> None:
        """Have the level index take in ``alerts`` as stored, once the transaction commits."""
        if alerts:
            self._db.after_commit(lambda: self.levels.follow(alerts))

    async def build_levels(self, conn: aiosqlite.Connection | None = None) -> None:
        """Build the level index from the table, inside ``conn``'s transaction or a new one
        (no other write can land between the read and the index being ready)."""
        if conn is None:
            async with self._db.transaction() as own:
                await self.build_levels(own)
            return
        groups = {}
        for (symbol,) in await conn.execute_fetchall(LEVEL_SYMBOLS):
            for kind in LEVEL_KINDS:
                async with conn.execute(LEVEL_GROUP, (symbol, kind.value)) as cursor:
                    cursor.row_factory = None
                    rows = await cursor.fetchall()
                if rows:
                    groups[(symbol, kind)] = group_of(list(rows))
        async with conn.execute(LEVEL_EXTRAS) as cursor:
            cursor.row_factory = None
            extras = [
                Entry(
                    alert_id,
                    symbol,
                    _KINDS[kind],
                    level,
                    state,
                    NO_COOLDOWN if cooldown is None else micros(_moment_from(cooldown)),
                    up_day,
                    down_day,
                )
                for alert_id, symbol, kind, level, state, cooldown, up_day, down_day in (
                    await cursor.fetchall()
                )
            ]
        self.levels.install(groups, extras)
        log.info("alert level index built: %d alerts", len(self.levels))

    async def load(self, conn: aiosqlite.Connection, ids: Sequence[int]) -> list[Alert]:
        """Return the alerts with these ids, by id, inside the caller's transaction."""
        async with conn.execute(BY_IDS, (json.dumps(list(ids)),)) as cursor:
            cursor.row_factory = None
            return [row_to_alert(row) for row in await cursor.fetchall()]

    # ----- management (commands) -----------------------------------------------------------
    async def active_symbols(self) -> set[str]:
        """Return the symbols armed or re-arming alerts watch, benchmarks included."""
        return {row["symbol"] for row in await self._db.fetch_all(_WATCHED_SYMBOLS)}

    async def earnings_symbols(self) -> set[str]:
        """Return the symbols active earnings alerts follow (their calendars are refreshed)."""
        return {row["symbol"] for row in await self._db.fetch_all(_EARNINGS_SYMBOLS)}

    async def count_active(
        self, conn: aiosqlite.Connection, guild_id: int, owner_id: int | None = None
    ) -> int:
        """Return how many active alerts a server (or one member in it) has."""
        if owner_id is None:
            query = f"SELECT count(*) FROM alerts WHERE guild_id = ? AND state IN {_ACTIVE}"  # noqa: S608
            params: tuple[int, ...] = (guild_id,)
        else:
            query = (
                "SELECT count(*) FROM alerts "  # noqa: S608
                f"WHERE guild_id = ? AND owner_id = ? AND state IN {_ACTIVE}"
            )
            params = (guild_id, owner_id)
        async with conn.execute(query, params) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def insert(self, conn: aiosqlite.Connection, new: NewAlert) -> Alert:
        """Store ``new`` inside the caller's transaction and return it with its id."""
        query = f"""
            INSERT INTO alerts (guild_id, channel_id, owner_id, symbol, kind, level, repeat,
                                via_dm, state, created_at, expires_at, move_up_day,
                                move_down_day, note, basis, side, session)
            VALUES (:guild_id, :channel_id, :owner_id, :symbol, :kind, :level, :repeat, :via_dm,
                    :state, :created_at, :expires_at, :move_up_day, :move_down_day, :note,
                    :basis, :side, :session)
            RETURNING {ALERT_COLUMNS}
        """  # noqa: S608
        params = {
            "guild_id": new.guild_id,
            "channel_id": new.channel_id,
            "owner_id": new.owner_id,
            "symbol": new.symbol,
            "kind": new.kind.value,
            "level": new.level,
            "repeat": int(new.repeat),
            "via_dm": int(new.via_dm),
            "state": new.state.value,
            "created_at": _iso(new.created_at),
            "expires_at": _iso(new.expires_at),
            "move_up_day": None if new.move_up_day is None else new.move_up_day.isoformat(),
            "move_down_day": None if new.move_down_day is None else new.move_down_day.isoformat(),
            "note": new.note,
            "basis": None if new.basis is None else new.basis.value,
            "side": None if new.side is None else new.side.value,
            "session": new.session.value,
        }
        async with conn.execute(query, params) as cursor:
            row = await cursor.fetchone()
        assert row is not None  # RETURNING always yields the inserted row
        alert = row_to_alert(row)
        self._follow([alert])
        return alert

    async def get(self, alert_id: int) -> Alert | None:
        """Return one alert by id (in any state)."""
        row = await self._db.fetch_one(_BY_ID, (alert_id,))
        return None if row is None else row_to_alert(row)

    async def fetch(self, conn: aiosqlite.Connection, alert_id: int) -> Alert | None:
        """Return one alert by id inside the caller's transaction."""
        async with conn.execute(_BY_ID, (alert_id,)) as cursor:
            row = await cursor.fetchone()
        return None if row is None else row_to_alert(row)

    async def listed(
        self,
        guild_id: int,
        *,
        owner_id: int | None = None,
        states: Collection[AlertState] = ACTIVE_STATES,
    ) -> list[Alert]:
        """Return a server's alerts (or one member's there) in ``states``, by id."""
        marks = ", ".join("?" * len(states))
        params: list[Any] = [guild_id, *sorted(s.value for s in states)]
        owner = ""
        if owner_id is not None:
            owner = " AND owner_id = ?"
            params.append(owner_id)
        query = (
            f"SELECT {ALERT_COLUMNS} FROM alerts "  # noqa: S608
            f"WHERE guild_id = ? AND state IN ({marks}){owner} ORDER BY id"
        )
        return [row_to_alert(row) for row in await self._db.fetch_all(query, params)]

    async def update(self, conn: aiosqlite.Connection, alert_id: int, **fields: object) -> Alert:
        """Set management fields of one alert inside the caller's transaction; return it."""
        allowed = {"state", "paused_reason", "snoozed_until", "cooldown_until"}
        allowed |= {"move_up_day", "move_down_day", "side"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"not an alert field a command may set: {sorted(unknown)}")
        values = {name: _column_value(value) for name, value in fields.items()}
        if fields.get("state") in ACTIVE_STATES:
            values["expiry_swept"] = 0  # active again: the expiry sweep must see it again
        assignments = ", ".join(f"{name} = :{name}" for name in values)
        query = f"UPDATE alerts SET {assignments} WHERE id = :id RETURNING {ALERT_COLUMNS}"  # noqa: S608
        async with conn.execute(query, {**values, "id": alert_id}) as cursor:
            row = await cursor.fetchone()
        if row is None:
            raise LookupError(f"alert {alert_id} vanished")
        alert = row_to_alert(row)
        self._follow([alert])
        return alert

    # ----- evaluation (inside the evaluator's transaction) ---------------------------------
    async def crossed_in_batches(
        self, conn: aiosqlite.Connection, crossings: Sequence[Crossing]
    ) -> AsyncIterator[list[Alert]]:
        """Yield, in batches, the alerts the ticks may fire or re-arm: the level kinds found
        by the in-memory index (built here first if it is not), the others by SQL."""
        if self.others_write:
            found = await self.crossed(conn, crossings)
            if found:
                yield found
            return
        if not self.levels.ready:
            await self.build_levels(conn)
        others = await self._select_crossed(conn, trigger_statements(crossings, levels=False))
        if others:
            yield others
        ids = self.levels.candidates(crossings).tolist()
        for start in range(0, len(ids), LOAD_BATCH):
            yield await self.load(conn, ids[start : start + LOAD_BATCH])

    async def crossed(
        self, conn: aiosqlite.Connection, crossings: Sequence[Crossing]
    ) -> list[Alert]:
        """Return the alerts the ticks may fire or re-arm (a superset the engine decides on),
        every kind by its SQL trigger queries."""
        return await self._select_crossed(conn, trigger_statements(crossings))

    async def _select_crossed(
        self, conn: aiosqlite.Connection, statements: list[tuple[str, list[Any]]]
    ) -> list[Alert]:
        found: dict[int, Alert] = {}
        for query, params in statements:
            async with conn.execute(query, params) as cursor:
                cursor.row_factory = None  # plain tuples: no Row object per crossed alert
                rows = await cursor.fetchall()
            for row in rows:
                alert = row_to_alert(row)
                found[alert.id] = alert  # a move_pct alert can match both directions
        return list(found.values())

    async def apply(self, conn: aiosqlite.Connection, alerts: Sequence[Alert]) -> None:
        """Write the evaluation fields of ``alerts`` inside the caller's transaction."""
        # Positional parameters: one tuple per alert rather than a dict (thousands per jump).
        # In batches: a market-wide jump's parameters take tens of milliseconds to build, and
        # the event loop gets its turn between two batches. In id order (a stable sort: an
        # alert given twice still ends as given last): the rows are then met in the table's
        # order, not scattered across it. One evaluation stamps every firing with the same
        # few moments, so each is written as text once.
        moments: dict[datetime, str] = {}

        def iso(moment: datetime | None) -> str | None:
            if moment is None:
                return None
            text = moments.get(moment)
            if text is None:
                text = moments[moment] = moment.astimezone(UTC).isoformat()
            return text

        ordered = sorted(alerts, key=_alert_id)
        for start in range(0, len(ordered), LOAD_BATCH):
            await conn.executemany(
                _APPLY,
                [
                    (
                        a.state.value,
                        a.fired_count,
                        iso(a.last_fired_at),
                        iso(a.cooldown_until),
                        None if a.move_up_day is None else a.move_up_day.isoformat(),
                        None if a.move_down_day is None else a.move_down_day.isoformat(),
                        None if a.side is None else a.side.value,
                        a.id,
                    )
                    for a in ordered[start : start + LOAD_BATCH]
                ],
            )
        self._follow(alerts)

    async def expire_due(self, conn: aiosqlite.Connection, now: datetime) -> list[Alert]:
        """Mark every active alert past its expiry as expired; return them as they were."""
        seen = await _select(conn, EXPIRE_DUE, {"now": _iso(now)})
        due = [a for a in seen if a.state in ACTIVE_STATES]
        if due:
            await conn.executemany(_EXPIRED, [(a.id,) for a in due])
            self._follow([evolve(a, state=AlertState.EXPIRED) for a in due])
        done = [(a.id,) for a in seen if a.state not in ACTIVE_STATES]
        if done:  # fired, removed: nothing to expire, and no need to look at them again
            await conn.executemany(_SWEPT, done)
        return due

    async def filing_alerts(
        self, conn: aiosqlite.Connection, symbols: Collection[str]
    ) -> list[Alert]:
        """Return the armed filing alerts of ``symbols`` (the watcher's transaction)."""
        if not symbols:
            return []
        marks = ", ".join("?" * len(symbols))
        query = (
            f"SELECT {ALERT_COLUMNS} FROM alerts INDEXED BY alerts_by_filing "  # noqa: S608
            f"WHERE kind = 'filing' AND state = 'armed' AND symbol IN ({marks}) ORDER BY id"
        )
        rows = await conn.execute_fetchall(query, sorted(symbols))
        return [row_to_alert(tuple(row)) for row in rows]

    # ----- delivery failures --------------------------------------------------------------
    async def linked(self, conn: aiosqlite.Connection, outbox_id: int) -> list[Alert]:
        """Return the alerts an outbox row reports."""
        query = f"""
            SELECT {ALERT_COLUMNS} FROM alerts
            WHERE id IN (SELECT alert_id FROM outbox_alerts WHERE outbox_id = :outbox_id)
            ORDER BY id
        """  # noqa: S608
        return await _select(conn, query, {"outbox_id": outbox_id})

    async def pause_many(
        self, conn: aiosqlite.Connection, alert_ids: Sequence[int], reason: PauseReason
    ) -> None:
        """Pause the given alerts for ``reason`` (those removed or expired stay as they are)."""
        await conn.executemany(
            "UPDATE alerts SET state = 'paused', paused_reason = ?, expiry_swept = 0 "
            "WHERE id = ? AND state NOT IN ('removed', 'expired')",
            [(reason.value, alert_id) for alert_id in alert_ids],
        )
        self._follow(await self.load(conn, alert_ids))


def _column_value(value: object) -> object:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, AlertState | PauseReason | Side):
        return value.value
    return value
