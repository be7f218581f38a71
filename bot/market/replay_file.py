"""The replay CSV: parsing with line-numbered errors, and pure lookups over the parsed rows."""

from __future__ import annotations

import csv
import heapq
import io
import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bot.market.symbols import InvalidSymbol, normalize_symbol

REQUIRED = ("timestamp", "symbol", "price")
OPTIONAL = ("prev_close", "volume")
_RELATIVE = re.compile(r"^\+(\d+(?:\.\d+)?)$")


class ReplayFileError(ValueError):
    """The replay file is unusable; ``line`` is 1-based (the header is line 1, 0 = the file)."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        where = f"{path}:{line}" if line > 0 else path
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ReplayRow:
    """One price row, its timestamp resolved to aware UTC."""

    line: int
    at: datetime
    symbol: str
    price: float
    prev_close: float | None
    volume: int | None


@dataclass(frozen=True, slots=True)
class ReplayTick:
    """A symbol's row in force at some instant, with what the day looked like up to it."""

    row: ReplayRow
    previous_close: float | None
    day_high: float
    day_low: float
    day_open: float | None = None  # the day's first row: the open a gap alert compares


class ReplayTimeline:
    """Rows per symbol in time order, with the derived day context precomputed."""

    def __init__(self, rows: Sequence[ReplayRow]) -> None:
        by_symbol: dict[str, list[ReplayRow]] = {}
        for row in rows:
            by_symbol.setdefault(row.symbol, []).append(row)
        self._rows = {s: tuple(r) for s, r in sorted(by_symbol.items())}
        self._times = {s: [r.at.timestamp() for r in rs] for s, rs in self._rows.items()}
        self._ticks = {s: _derive(rs) for s, rs in self._rows.items()}

    @property
    def symbols(self) -> tuple[str, ...]:
        """Return the symbols the file holds."""
        return tuple(self._rows)

    def rows(self, symbol: str) -> tuple[ReplayRow, ...]:
        """Return ``symbol``'s rows in time order."""
        return self._rows.get(symbol, ())

    def tick_at(self, symbol: str, at: datetime) -> ReplayTick | None:
        """Return ``symbol``'s last row at or before ``at`` (None before its first row)."""
        times = self._times.get(symbol)
        if not times:
            return None
        i = bisect_right(times, at.timestamp()) - 1
        return self._ticks[symbol][i] if i >= 0 else None

    def rows_between(self, symbol: str, after: datetime, upto: datetime) -> tuple[ReplayRow, ...]:
        """Return ``symbol``'s rows with ``after`` < time <= ``upto``."""
        times = self._times.get(symbol, [])
        lo = bisect_right(times, after.timestamp())
        hi = bisect_right(times, upto.timestamp())
        return self._rows[symbol][lo:hi] if hi > lo else ()

    def rows_from(self, symbol: str, start: datetime, upto: datetime) -> tuple[ReplayRow, ...]:
        """Return ``symbol``'s rows with ``start`` <= time <= ``upto``."""
        times = self._times.get(symbol, [])
        lo = bisect_left(times, start.timestamp())
        hi = bisect_right(times, upto.timestamp())
        return self._rows[symbol][lo:hi] if hi > lo else ()

    def ticks_at(self, at: datetime) -> dict[str, ReplayTick]:
        """Return every symbol's tick in force at ``at`` (a pure back-testing lookup)."""
        found = {s: self.tick_at(s, at) for s in self._rows}
        return {s: t for s, t in found.items() if t is not None}

    def iter_ticks(self) -> Iterator[ReplayTick]:
        """Yield every row's tick across symbols in time order (for back-testing rules)."""
        streams = (iter(ticks) for ticks in self._ticks.values())
        yield from heapq.merge(*streams, key=lambda t: (t.row.at, t.row.line))


def _derive(rows: Sequence[ReplayRow]) -> tuple[ReplayTick, ...]:
    ticks: list[ReplayTick] = []
    last_before_day: float | None = None  # last price of an earlier UTC day
    day: object = None
    high = low = opening = math.nan
    last_price: float | None = None
    for row in rows:
        row_day = row.at.date()
        if row_day != day:
            last_before_day, day = last_price, row_day
            high, low, opening = row.price, row.price, row.price
        else:
            high, low = max(high, row.price), min(low, row.price)
        previous = row.prev_close if row.prev_close is not None else last_before_day
        ticks.append(
            ReplayTick(
                row=row, previous_close=previous, day_high=high, day_low=low, day_open=opening
            )
        )
        last_price = row.price
    return tuple(ticks)


def utc_day_start(at: datetime) -> datetime:
    """Return midnight UTC of ``at``'s UTC day."""
    return datetime.combine(at.astimezone(UTC).date(), time(0), UTC)


def load_replay(path: Path, *, started_at: datetime) -> ReplayTimeline:
    """Read and validate the replay CSV at ``path``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReplayFileError(str(path), 0, f"cannot read the file: {exc}") from exc
    return parse_replay(text, path=str(path), started_at=started_at)


def parse_replay(text: str, *, path: str, started_at: datetime) -> ReplayTimeline:
    """Parse replay CSV ``text``; relative "+SECONDS" times count from ``started_at``."""
    if started_at.tzinfo is None:
        raise ValueError("started_at must be timezone-aware")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise ReplayFileError(path, 1, f"empty file: expected the header {','.join(REQUIRED)}")
    columns = _columns(path, [h.strip() for h in header])
    rows: list[ReplayRow] = []
    last_at: dict[str, tuple[datetime, int]] = {}
    for fields in reader:
        line = reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue  # blank lines (a trailing newline) carry nothing
        if len(fields) != len(columns):
            raise ReplayFileError(path, line, f"expected {len(columns)} fields, got {len(fields)}")
        values = dict(zip(columns, (f.strip() for f in fields), strict=True))
        row = _row(path, line, values, started_at)
        previous = last_at.get(row.symbol)
        if previous is not None and row.at <= previous[0]:
            raise ReplayFileError(
                path,
                line,
                f"{row.symbol} at {row.at.isoformat()} is not after its previous row "
                f"(line {previous[1]}, {previous[0].isoformat()}): rows must be in time order",
            )
        last_at[row.symbol] = (row.at, line)
        rows.append(row)
    if not rows:
        raise ReplayFileError(path, 1, "no data rows after the header")
    return ReplayTimeline(rows)


def _columns(path: str, header: list[str]) -> list[str]:
    known = set(REQUIRED) | set(OPTIONAL)
    for name in header:
        if name not in known:
            allowed = ", ".join(REQUIRED + OPTIONAL)
            raise ReplayFileError(path, 1, f"unknown column {name!r} (allowed: {allowed})")
    if len(set(header)) != len(header):
        raise ReplayFileError(path, 1, "a column is named twice")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ReplayFileError(path, 1, f"missing column(s): {', '.join(missing)}")
    return header


def _row(path: str, line: int, values: dict[str, str], started_at: datetime) -> ReplayRow:
    try:
        symbol = normalize_symbol(values["symbol"])
    except InvalidSymbol as exc:
        raise ReplayFileError(path, line, str(exc)) from None
    return ReplayRow(
        line=line,
        at=_timestamp(path, line, values["timestamp"], started_at),
        symbol=symbol,
        price=_price(path, line, "price", values["price"]),
        prev_close=_price(path, line, "prev_close", values["prev_close"])
        if values.get("prev_close")
        else None,
        volume=_volume(path, line, values["volume"]) if values.get("volume") else None,
    )


def _timestamp(path: str, line: int, text: str, started_at: datetime) -> datetime:
    relative = _RELATIVE.match(text)
    if relative:
        return (started_at + timedelta(seconds=float(relative.group(1)))).astimezone(UTC)
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ReplayFileError(
            path, line, f"bad timestamp {text!r}: use ISO-8601 with an offset or +SECONDS"
        ) from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise ReplayFileError(
            path, line, f"timestamp {text!r} has no UTC offset (add Z or +00:00, or use +SECONDS)"
        )
    return at.astimezone(UTC)


def _price(path: str, line: int, column: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ReplayFileError(path, line, f"{column} {text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise ReplayFileError(path, line, f"{column} must be a finite number above 0, got {text!r}")
    return value


def _volume(path: str, line: int, text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise ReplayFileError(path, line, f"volume {text!r} is not a number") from None
    if not math.isfinite(value) or value < 0 or value != int(value):
        raise ReplayFileError(path, line, f"volume must be a whole number >= 0, got {text!r}")
    return int(value)
