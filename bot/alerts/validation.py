"""The bounds of an alert's options, each problem naming the option and what is allowed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from bot.alerts.model import DEFAULT_EXPIRES_DAYS, AlertKind
from bot.errors import InvalidInput
from bot.format import price
from bot.market.models import Quote
from bot.market.symbols import InvalidSymbol, normalize_symbol
from bot.text import visible_text

# A level far from the price is almost always a typo (a missing or extra digit).
MIN_LEVEL_RATIO: Final = 0.1
MAX_LEVEL_RATIO: Final = 10.0
MIN_PERCENT: Final = 0.1
MAX_PERCENT: Final = 100.0
MIN_EXPIRES_DAYS: Final = 1
MAX_EXPIRES_DAYS: Final = 365
MAX_NOTE_LENGTH: Final = 200  # the column's CHECK
MIN_SNOOZE_MINUTES: Final = 1
MAX_SNOOZE_MINUTES: Final = 7 * 24 * 60


@dataclass(frozen=True, slots=True)
class AlertOptions:
    """The options of a new alert, checked."""

    symbol: str
    kind: AlertKind
    level: float
    expires_days: int
    note: str | None


class QuotaExceeded(InvalidInput):
    """A member or a server has as many active alerts as the settings allow."""

    def __init__(self, scope: str, limit: int) -> None:
        if scope == "member":
            problem = (
                f"You already have {limit} active alerts in this server, the most allowed; "
                "remove one first (see /alert list)."
            )
        else:
            problem = (
                f"This server already has {limit} active alerts, the most allowed; "
                "an admin can remove some (see /alert list all:true)."
            )
        super().__init__([problem])
        self.scope = scope
        self.limit = limit


def check_new_alert(
    *,
    symbol: str,
    condition: str,
    value: float,
    quote: Quote | None,
    expires_days: int | None,
    note: str | None,
) -> AlertOptions:
    """Check a new alert's options against the current price; raise InvalidInput listing all."""
    problems: list[str] = []
    clean_symbol = _symbol(symbol, problems)
    kind = _kind(condition, problems)
    level = _level(kind, value, quote, clean_symbol, problems)
    days = DEFAULT_EXPIRES_DAYS if expires_days is None else expires_days
    if isinstance(days, bool) or not MIN_EXPIRES_DAYS <= days <= MAX_EXPIRES_DAYS:
        problems.append(
            f"expires_days: must be a whole number of days between {MIN_EXPIRES_DAYS} and "
            f"{MAX_EXPIRES_DAYS} (got {expires_days})"
        )
    clean_note = note.strip() if note is not None else None
    if clean_note is not None and len(clean_note) > MAX_NOTE_LENGTH:
        problems.append(
            f"note: must be at most {MAX_NOTE_LENGTH} characters (got {len(clean_note)})"
        )
    if problems:
        raise InvalidInput(problems)
    assert clean_symbol is not None and kind is not None and level is not None
    if clean_note is not None and not visible_text(clean_note).strip():
        clean_note = None  # only zero-width or bidi characters: it would show as nothing
    return AlertOptions(clean_symbol, kind, level, days, clean_note or None)


def check_snooze_minutes(minutes: int) -> int:
    """Accept a snooze length in whole minutes, up to a week."""
    if isinstance(minutes, bool) or not MIN_SNOOZE_MINUTES <= minutes <= MAX_SNOOZE_MINUTES:
        raise InvalidInput(
            [
                f"minutes: must be a whole number between {MIN_SNOOZE_MINUTES} and "
                f"{MAX_SNOOZE_MINUTES} (7 days) (got {minutes})"
            ]
        )
    return minutes


def _symbol(symbol: str, problems: list[str]) -> str | None:
    try:
        return normalize_symbol(symbol)
    except InvalidSymbol:
        problems.append(f"symbol: must be a ticker such as CIFR or BTC-USD (got {symbol[:20]!r})")
        return None


def _kind(condition: str, problems: list[str]) -> AlertKind | None:
    try:
        return AlertKind(condition.strip().lower())
    except ValueError:
        choices = ", ".join(kind.value for kind in AlertKind)
        problems.append(f"condition: must be one of {choices} (got {condition[:20]!r})")
        return None


def _level(
    kind: AlertKind | None,
    value: float,
    quote: Quote | None,
    symbol: str | None,
    problems: list[str],
) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append(f"value: must be a finite number (got {value!r:.20})")
        return None
    value = float(value)
    if kind is AlertKind.MOVE_PCT:
        if not MIN_PERCENT <= value <= MAX_PERCENT:
            problems.append(
                f"value: must be a percentage between {MIN_PERCENT:g} and {MAX_PERCENT:g} "
                f"for move_pct (got {value:g})"
            )
            return None
        return value
    if kind is None or symbol is None:
        return None  # nothing to check the level against
    if quote is None or not math.isfinite(quote.price) or quote.price <= 0:
        problems.append(
            f"symbol: there is no current price for {symbol} to check the level against; "
            "try again in a minute"
        )
        return None
    if quote.symbol != symbol:
        raise ValueError(f"quote for {quote.symbol} given for an alert on {symbol}")
    low, high = quote.price * MIN_LEVEL_RATIO, quote.price * MAX_LEVEL_RATIO
    if not low <= value <= high:
        problems.append(
            f"value: must be a price between {price(low)} and {price(high)} "
            f"({MIN_LEVEL_RATIO:g}× to {MAX_LEVEL_RATIO:g}× the current {price(quote.price)}; "
            f"got {price(value)})"
        )
        return None
    return value
