"""The armed and waiting level alerts in memory: per symbol and kind, levels sorted in numpy.

A tick's crossings are then a binary search and a mask per symbol instead of index range
queries over a million rows. The store stays the source of truth: the index is built from it
(at start-up, after a restart) and is changed only once a transaction that changed alerts
has committed (``Database.after_commit``), so a rolled-back transaction never reaches it.

Covered kinds: above and below (a price level) and move_pct (a percentage of the previous
close, the same for every tick of a day). The kinds that need history or the day's facts
keep their SQL trigger queries. The candidates are the same superset the SQL queries return;
the engine decides on the stored rows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt

from bot.alerts.model import Alert, AlertKind, AlertState

if TYPE_CHECKING:  # the store imports this module: only the type checker looks back
    from bot.store.alerts import Crossing

log = logging.getLogger(__name__)

LEVEL_KINDS: Final = frozenset({AlertKind.ABOVE, AlertKind.BELOW, AlertKind.MOVE_PCT})
# State codes in the index; a removed entry keeps its place as a tombstone until compaction.
GONE: Final = 0
ARMED: Final = 1
REARMING: Final = 2
_CODES: Final = {AlertState.ARMED: ARMED, AlertState.REARMING: REARMING}
NO_COOLDOWN: Final = -1  # microseconds since the epoch otherwise
NO_DAY: Final = 0  # a proleptic ordinal (date.toordinal) otherwise
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
# Tombstones are compacted away once they are this share of a group (and at least a few):
# compaction copies the group, so it is paid once per many removals.
_COMPACT_SHARE: Final = 0.25
_COMPACT_MIN: Final = 64

Ids = npt.NDArray[np.int64]


def micros(moment: datetime) -> int:
    """Return ``moment`` in whole microseconds since the epoch (exact, unlike a float)."""
    return (moment - _EPOCH) // _MICROSECOND


def day_code(day: date | None) -> int:
    return NO_DAY if day is None else day.toordinal()


def cooldown_code(until: datetime | None) -> int:
    return NO_COOLDOWN if until is None else micros(until)


class Entry(NamedTuple):
    """What the index keeps of one alert: enough to tell whether a tick reaches it."""

    id: int
    symbol: str
    kind: AlertKind
    level: float
    state: int  # ARMED or REARMING
    cooldown: int = NO_COOLDOWN
    up_day: int = NO_DAY
    down_day: int = NO_DAY


def entry_of(alert: Alert) -> Entry | None:
    """Return the entry ``alert`` has in the index, or None when it has none."""
    code = _CODES.get(alert.state)
    if alert.kind not in LEVEL_KINDS or code is None:
        return None
    return Entry(
        alert.id,
        alert.symbol,
        alert.kind,
        alert.level,
        code,
        cooldown_code(alert.cooldown_until),
        day_code(alert.move_up_day),
        day_code(alert.move_down_day),
    )


def group_of(rows: Sequence[Any]) -> _Group:
    """Return a group from (level, id, state) rows already sorted by level (the bulk build:
    one numpy conversion per group, no Python work per alert)."""
    table = np.array(rows, dtype=np.float64).reshape(-1, 3)  # ids are exact in a double
    count = len(table)
    return _Group.from_arrays(
        {
            "level": table[:, 0].copy(),
            "id": table[:, 1].astype(np.int64),
            "state": table[:, 2].astype(np.int8),
            "cooldown": np.full(count, NO_COOLDOWN, dtype=np.int64),
            "up_day": np.full(count, NO_DAY, dtype=np.int32),
            "down_day": np.full(count, NO_DAY, dtype=np.int32),
        }
    )


class _Group:
    """One symbol's alerts of one kind, sorted by level, as parallel arrays."""

    __slots__ = ("cooldown", "down_day", "gone", "id", "level", "state", "up_day")

    def __init__(self, entries: Sequence[Entry] = ()) -> None:
        ordered = sorted(entries, key=lambda e: e.level)
        self.level = np.array([e.level for e in ordered], dtype=np.float64)
        self.id = np.array([e.id for e in ordered], dtype=np.int64)
        self.state = np.array([e.state for e in ordered], dtype=np.int8)
        self.cooldown = np.array([e.cooldown for e in ordered], dtype=np.int64)
        self.up_day = np.array([e.up_day for e in ordered], dtype=np.int32)
        self.down_day = np.array([e.down_day for e in ordered], dtype=np.int32)
        self.gone = 0

    @classmethod
    def from_arrays(cls, columns: dict[str, npt.NDArray[Any]]) -> _Group:
        group = cls()
        for name, values in columns.items():
            setattr(group, name, values)
        return group

    def __len__(self) -> int:
        return len(self.id) - self.gone

    def find(self, level: float, alert_id: int) -> int:
        """Return the position of ``alert_id`` (at ``level``), or -1."""
        position = int(np.searchsorted(self.level, level, "left"))
        while position < len(self.level) and self.level[position] == level:
            if self.id[position] == alert_id:
                return position
            position += 1
        return -1

    def follow(self, alerts: Sequence[Alert]) -> None:
        """Take in the stored state of ``alerts`` (of this group, one each)."""
        # One float row per alert: ids, microseconds and ordinals are exact in a double.
        rows = np.array(
            [
                (
                    a.level,
                    a.id,
                    _CODES.get(a.state, GONE),
                    NO_COOLDOWN if a.cooldown_until is None else micros(a.cooldown_until),
                    NO_DAY if a.move_up_day is None else a.move_up_day.toordinal(),
                    NO_DAY if a.move_down_day is None else a.move_down_day.toordinal(),
                )
                for a in alerts
            ],
            dtype=np.float64,
        ).reshape(-1, 6)
        ids = rows[:, 1].astype(np.int64)
        states = rows[:, 2].astype(np.int8)
        at = np.searchsorted(self.level, rows[:, 0], "left")
        inside = at < len(self.id)
        hit = np.zeros(len(ids), dtype=bool)
        hit[inside] = self.id[at[inside]] == ids[inside]
        for i in np.flatnonzero(~hit):  # equal levels: the id is further along, or absent
            found = self.find(float(rows[i, 0]), int(ids[i]))
            if found >= 0:
                at[i], hit[i] = found, True
        where = at[hit]
        before = self.state[where]
        after = states[hit]
        self.gone += int(np.count_nonzero((before != GONE) & (after == GONE)))
        self.gone -= int(np.count_nonzero((before == GONE) & (after != GONE)))
        self.state[where] = after
        self.cooldown[where] = rows[hit, 3].astype(np.int64)
        self.up_day[where] = rows[hit, 4].astype(np.int32)
        self.down_day[where] = rows[hit, 5].astype(np.int32)
        new = [i for i in np.flatnonzero(~hit) if states[i] != GONE]
        entries = [e for i in new if (e := entry_of(alerts[int(i)])) is not None]
        if entries:
            self.add(entries)

    def set(self, position: int, entry: Entry) -> None:
        self.state[position] = entry.state
        self.cooldown[position] = entry.cooldown
        self.up_day[position] = entry.up_day
        self.down_day[position] = entry.down_day

    def add(self, entries: Sequence[Entry]) -> None:
        """Insert new entries at their places (one copy of each array for the lot)."""
        ordered = sorted(entries, key=lambda e: e.level)
        levels = np.array([e.level for e in ordered], dtype=np.float64)
        at = np.searchsorted(self.level, levels, "right")
        self.level = np.insert(self.level, at, levels)
        self.id = np.insert(self.id, at, [e.id for e in ordered])
        self.state = np.insert(self.state, at, [e.state for e in ordered])
        self.cooldown = np.insert(self.cooldown, at, [e.cooldown for e in ordered])
        self.up_day = np.insert(self.up_day, at, [e.up_day for e in ordered])
        self.down_day = np.insert(self.down_day, at, [e.down_day for e in ordered])

    def compact_if_worth_it(self) -> None:
        if self.gone < max(_COMPACT_MIN, _COMPACT_SHARE * len(self.id)):
            return
        keep = self.state != GONE
        for name in ("level", "id", "state", "cooldown", "up_day", "down_day"):
            setattr(self, name, getattr(self, name)[keep])
        self.gone = 0


class LevelIndex:
    """Armed and re-arming level alerts by symbol and kind; not ``ready`` until built."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, AlertKind], _Group] = {}
        self.ready = False

    # ----- building ------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget everything: the index must be built again before it is used."""
        self._groups = {}
        self.ready = False

    def load(self, entries: Iterable[Entry]) -> None:
        """Replace the contents with ``entries`` (the store's, read in one transaction)."""
        by_key: dict[tuple[str, AlertKind], list[Entry]] = {}
        for entry in entries:
            by_key.setdefault((entry.symbol, entry.kind), []).append(entry)
        self._groups = {key: _Group(group) for key, group in by_key.items()}
        self.ready = True

    def install(self, groups: dict[tuple[str, AlertKind], _Group], extras: Iterable[Entry]) -> None:
        """Replace the contents with ``groups`` (``group_of`` the store's rows), then give
        the few alerts with a cooldown or a day already fired theirs (``extras``)."""
        for entry in extras:
            group = groups.get((entry.symbol, entry.kind))
            position = -1 if group is None else group.find(entry.level, entry.id)
            if group is None or position < 0:
                raise LookupError(f"alert {entry.id} is not among the store's level alerts")
            group.set(position, entry)
        self._groups = groups
        self.ready = True

    # ----- following the store ---------------------------------------------------------------
    def follow(self, alerts: Iterable[Alert]) -> None:
        """Take in the committed state of ``alerts`` (any kind or state: others are ignored)."""
        if not self.ready:
            return  # the next build reads the store, this change included
        try:
            self._follow(alerts)
        except Exception:
            # An index that may disagree with the store must not be used: rebuild it.
            log.exception("the alert level index failed to follow a change; rebuilding it")
            self.clear()

    def _follow(self, alerts: Iterable[Alert]) -> None:
        # Vectorised per group: a market-wide jump commits thousands of changes at once, and
        # this runs on the event loop right after the commit.
        by_key: dict[tuple[str, AlertKind], dict[int, Alert]] = {}
        for alert in alerts:
            if alert.kind in LEVEL_KINDS:
                by_key.setdefault((alert.symbol, alert.kind), {})[alert.id] = alert
        for key, latest in by_key.items():
            group = self._groups.get(key)
            if group is None:
                group = self._groups[key] = _Group()
            group.follow(list(latest.values()))
            group.compact_if_worth_it()

    # ----- finding ---------------------------------------------------------------------------
    def candidates(self, crossings: Sequence[Crossing]) -> Ids:
        """Return the ids of the alerts ``crossings`` may fire or re-arm, ascending."""
        found: list[Ids] = []
        for c in crossings:
            found += self._crossed(c)
        if not found:
            return np.empty(0, dtype=np.int64)
        return np.unique(np.concatenate(found))

    def _crossed(self, c: Crossing) -> list[Ids]:
        found: list[Ids] = []
        now = micros(c.now)
        above = self._groups.get((c.symbol, AlertKind.ABOVE))
        if above is not None:
            # Armed under the new high have crossed (a touch is not a crossing); re-arming at
            # or over the low are back on the near side, past the band after a cooldown.
            end = int(np.searchsorted(above.level, c.high, "left"))
            found.append(above.id[:end][above.state[:end] == ARMED])
            start = int(np.searchsorted(above.level, c.low, "left"))
            found.append(_rearmed(above, slice(start, None), now, 1.0 - c.hysteresis, c.low, 1))
        below = self._groups.get((c.symbol, AlertKind.BELOW))
        if below is not None:
            start = int(np.searchsorted(below.level, c.low, "right"))
            found.append(below.id[start:][below.state[start:] == ARMED])
            end = int(np.searchsorted(below.level, c.high, "right"))
            found.append(_rearmed(below, slice(0, end), now, 1.0 + c.hysteresis, c.high, -1))
        move = self._groups.get((c.symbol, AlertKind.MOVE_PCT))
        if move is not None:
            today = c.day.toordinal()
            for reached, days in ((c.up_move, move.up_day), (c.down_move, move.down_day)):
                if reached is None or reached <= 0:
                    continue
                end = int(np.searchsorted(move.level, reached, "right"))
                due = (move.state[:end] == ARMED) & (days[:end] != today)
                found.append(move.id[:end][due])
        return found

    # ----- inspecting (tests, /status) ------------------------------------------------------
    def __len__(self) -> int:
        return sum(len(group) for group in self._groups.values())

    def entries(self) -> set[Entry]:
        """Return every live entry (for comparing with the store)."""
        found: set[Entry] = set()
        for (symbol, kind), g in self._groups.items():
            for i in np.flatnonzero(g.state != GONE):
                found.add(
                    Entry(
                        int(g.id[i]),
                        symbol,
                        kind,
                        float(g.level[i]),
                        int(g.state[i]),
                        int(g.cooldown[i]),
                        int(g.up_day[i]),
                        int(g.down_day[i]),
                    )
                )
        return found

    def sorted_everywhere(self) -> bool:
        """Tell whether every group's levels are in order (what the searches rely on)."""
        return all(bool(np.all(g.level[:-1] <= g.level[1:])) for g in self._groups.values())


def _rearmed(group: _Group, span: slice, now: int, factor: float, bound: float, sign: int) -> Ids:
    """Return the re-arming alerts of ``span`` back on the near side: at once when new or
    resumed, after a firing only once the cooldown is over and the price is past the band
    (``level * factor`` at or over ``bound`` for above, at or under it for below)."""
    waiting = group.state[span] == REARMING
    cooldown = group.cooldown[span]
    banded = group.level[span] * factor
    past = banded >= bound if sign > 0 else banded <= bound
    ready = (cooldown == NO_COOLDOWN) | ((cooldown <= now) & past)
    found: Ids = group.id[span][waiting & ready]
    return found
