"""The bounds of an alert's options, each problem naming the option and what is allowed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from bot.alerts.filing_rule import ANY_FILING, FILING_LEVELS, LIKELY_DEAL, POSSIBLE_DEAL
from bot.alerts.model import (
    BENCHMARK_BASES,
    DEFAULT_EXPIRES_DAYS,
    MA_BASES,
    NO_LEVEL_KINDS,
    AlertKind,
    Basis,
)
from bot.errors import InvalidInput
from bot.format import figure, price
from bot.i18n import N_, _
from bot.market.calendar import is_crypto
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
MIN_VOLUME_MULTIPLE: Final = 1.5
MAX_VOLUME_MULTIPLE: Final = 20.0
MIN_GAP_PERCENT: Final = 0.1
MAX_GAP_PERCENT: Final = 50.0
MIN_POINTS: Final = 0.1
MAX_POINTS: Final = 100.0
# A correlation of ±1 is never crossed; levels stop short of it.
MIN_EARNINGS_DAYS: Final = 1
MAX_EARNINGS_DAYS: Final = 14
MIN_CORRELATION: Final = -0.95
MAX_CORRELATION: Final = 0.95
# What members may type for `versus`, beside the stored spellings.
VERSUS_SPELLINGS: Final = {
    "50": Basis.MA50,
    "200": Basis.MA200,
    "golden": Basis.MA50_MA200,
    "btc": Basis.BTC,
    "bitcoin": Basis.BTC,
    "nvidia": Basis.NVDA,
    **{basis.value.lower(): basis for basis in Basis},
}
MIN_SNOOZE_MINUTES: Final = 1
MAX_SNOOZE_MINUTES: Final = 7 * 24 * 60


@dataclass(frozen=True, slots=True)
class AlertOptions:
    """The options of a new alert, checked."""

    symbol: str
    kind: AlertKind
    level: float  # 0 for the kinds without a figure
    expires_days: int
    note: str | None
    basis: Basis | None = None


class QuotaExceeded(InvalidInput):
    """A member or a server has as many active alerts as the settings allow."""

    def __init__(self, scope: str, limit: int) -> None:
        if scope == "member":
            problem = _(
                "You already have {limit} active alerts in this server, the most allowed; "
                "remove one first (see /alert list).",
                limit=limit,
            )
        else:
            problem = _(
                "This server already has {limit} active alerts, the most allowed; an admin can "
                "remove some (see /alert list all:true).",
                limit=limit,
            )
        super().__init__([problem])
        self.scope = scope
        self.limit = limit


def check_new_alert(
    *,
    symbol: str,
    condition: str,
    value: float | None,
    quote: Quote | None,
    expires_days: int | None,
    note: str | None,
    versus: str | None = None,
) -> AlertOptions:
    """Check a new alert's options against the current price; raise InvalidInput listing all."""
    problems: list[str] = []
    clean_symbol = _symbol(symbol, problems)
    kind = _kind(condition, problems)
    basis = _basis(kind, versus, clean_symbol, problems)
    level = _value(kind, value, quote, clean_symbol, problems)
    days = DEFAULT_EXPIRES_DAYS if expires_days is None else expires_days
    if isinstance(days, bool) or not MIN_EXPIRES_DAYS <= days <= MAX_EXPIRES_DAYS:
        problems.append(
            _(
                "expires_days: must be a whole number of days between {low} and {high} (got {got})",
                low=MIN_EXPIRES_DAYS,
                high=MAX_EXPIRES_DAYS,
                got=expires_days,
            )
        )
    clean_note = note.strip() if note is not None else None
    if clean_note is not None and len(clean_note) > MAX_NOTE_LENGTH:
        problems.append(
            _(
                "note: must be at most {limit} characters (got {got})",
                limit=MAX_NOTE_LENGTH,
                got=len(clean_note),
            )
        )
    if problems:
        raise InvalidInput(problems)
    assert clean_symbol is not None and kind is not None and level is not None
    if clean_note is not None and not visible_text(clean_note).strip():
        clean_note = None  # only zero-width or bidi characters: it would show as nothing
    return AlertOptions(clean_symbol, kind, level, days, clean_note or None, basis)


def check_snooze_minutes(minutes: int) -> int:
    """Accept a snooze length in whole minutes, up to a week."""
    if isinstance(minutes, bool) or not MIN_SNOOZE_MINUTES <= minutes <= MAX_SNOOZE_MINUTES:
        raise InvalidInput(
            [
                _(
                    "minutes: must be a whole number between {low} and {high} (7 days) (got {got})",
                    low=MIN_SNOOZE_MINUTES,
                    high=MAX_SNOOZE_MINUTES,
                    got=minutes,
                )
            ]
        )
    return minutes


def _symbol(symbol: str, problems: list[str]) -> str | None:
    try:
        return normalize_symbol(symbol)
    except InvalidSymbol:
        problems.append(
            _("symbol: must be a ticker such as CIFR or BTC-USD (got {got})", got=repr(symbol[:20]))
        )
        return None


def _kind(condition: str, problems: list[str]) -> AlertKind | None:
    try:
        return AlertKind(condition.strip().lower())
    except ValueError:
        choices = ", ".join(kind.value for kind in AlertKind)
        problems.append(
            _(
                "condition: must be one of {choices} (got {got})",
                choices=choices,
                got=repr(condition[:20]),
            )
        )
        return None


def _basis(
    kind: AlertKind | None, versus: str | None, symbol: str | None, problems: list[str]
) -> Basis | None:
    """Check `versus`: an average for ma_cross, a benchmark for relative, nothing otherwise."""
    wanted = (
        MA_BASES
        if kind is AlertKind.MA_CROSS
        else BENCHMARK_BASES
        if kind in (AlertKind.RELATIVE, AlertKind.CORRELATION)
        else frozenset()
    )
    if kind is None:
        return None
    text = (versus or "").strip()
    if not wanted:
        if text:
            problems.append(
                _(
                    "versus: only ma_cross, relative and correlation take it (got {got})",
                    got=repr(text[:20]),
                )
            )
        return None
    choices = ", ".join(sorted(b.value for b in wanted))
    basis = VERSUS_SPELLINGS.get(text.lower())
    if basis is None or basis not in wanted:
        shown = repr(text[:20]) if text else _("nothing")
        problems.append(
            _(
                "versus: {kind} needs one of {choices} (got {got})",
                kind=kind.value,
                choices=choices,
                got=shown,
            )
        )
        return None
    if basis.value == symbol:
        problems.append(
            _("versus: {symbol} cannot be compared with itself; choose another", symbol=symbol)
        )
        return None
    return basis


def _value(
    kind: AlertKind | None,
    value: float | None,
    quote: Quote | None,
    symbol: str | None,
    problems: list[str],
) -> float | None:
    """Check `value` for the kinds beyond price levels; the level kinds go on to _level."""
    if kind in NO_LEVEL_KINDS:
        if value is not None:
            problems.append(
                _(
                    "value: {kind} takes no value; leave it out (got {got})",
                    kind=kind,
                    got=f"{value!r:.20}",
                )
            )
            return None
        return 0.0
    if kind is AlertKind.FILING:
        return _filing_level(value, symbol, problems)
    if kind is AlertKind.EARNINGS and symbol is not None and is_crypto(symbol):
        problems.append(
            _("symbol: {symbol} is not a company and has no earnings dates", symbol=symbol)
        )
        return None
    if kind is AlertKind.GAP and symbol is not None and is_crypto(symbol):
        problems.append(
            _(
                "symbol: {symbol} trades around the clock and has no opening gap; gap alerts "
                "are for listed shares",
                symbol=symbol,
            )
        )
        return None
    if value is None:
        if kind is not None:
            problems.append(
                _("value: {kind} needs a value ({what})", kind=kind, what=_value_needed(kind))
            )
        return None
    bounds = _BOUNDS.get(kind) if kind is not None else None
    if bounds is None:
        return _level(kind, value, quote, symbol, problems)
    low, high, what = bounds
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append(_("value: must be a finite number (got {got})", got=f"{value!r:.20}"))
        return None
    whole = kind is not AlertKind.EARNINGS or float(value).is_integer()
    if not low <= value <= high or not whole:
        problems.append(
            _(
                "value: must be {what} between {low} and {high} for {kind} (got {got})",
                what=_(what),
                low=figure(low),
                high=figure(high),
                kind=kind,
                got=figure(value),
            )
        )
        return None
    return float(value)


def _filing_level(value: float | None, symbol: str | None, problems: list[str]) -> float | None:
    """Check a filing alert's level: 0 any filing, 1 possible or likely deals, 2 likely only."""
    if symbol is not None and is_crypto(symbol):
        problems.append(
            _("symbol: {symbol} is not a company and files nothing with the SEC", symbol=symbol)
        )
        return None
    if value is None:
        return float(ANY_FILING)
    valid = isinstance(value, int | float) and not isinstance(value, bool)
    if not valid or not math.isfinite(value) or value not in FILING_LEVELS:
        shown = f"{value:g}" if valid and math.isfinite(value) else f"{value!r:.20}"
        problems.append(
            _(
                "value: must be {any} (any new filing), {possible} (a possible or likely AI/HPC "
                "deal) or {likely} (a likely deal only) for filing, between {any} and {likely} "
                "(got {got})",
                any=ANY_FILING,
                possible=POSSIBLE_DEAL,
                likely=LIKELY_DEAL,
                got=shown,
            )
        )
        return None
    return float(value)


_BOUNDS: Final[dict[AlertKind, tuple[float, float, str]]] = {
    AlertKind.VOLUME: (MIN_VOLUME_MULTIPLE, MAX_VOLUME_MULTIPLE, N_("a multiple of the average")),
    AlertKind.GAP: (MIN_GAP_PERCENT, MAX_GAP_PERCENT, N_("a percentage")),
    AlertKind.RELATIVE: (MIN_POINTS, MAX_POINTS, N_("percentage points")),
    AlertKind.CORRELATION: (MIN_CORRELATION, MAX_CORRELATION, N_("a correlation")),
    AlertKind.EARNINGS: (MIN_EARNINGS_DAYS, MAX_EARNINGS_DAYS, N_("a whole number of days")),
}
# What a kind's value is, with its bounds ({low} to {high}) where it has some.
_VALUE_NEEDED: Final[dict[AlertKind, tuple[str, float, float]]] = {
    AlertKind.ABOVE: (N_("the price level"), 0, 0),
    AlertKind.BELOW: (N_("the price level"), 0, 0),
    AlertKind.MOVE_PCT: (N_("a percentage, {low} to {high}"), MIN_PERCENT, MAX_PERCENT),
    AlertKind.VOLUME: (
        N_("the multiple, {low} to {high}"),
        MIN_VOLUME_MULTIPLE,
        MAX_VOLUME_MULTIPLE,
    ),
    AlertKind.GAP: (N_("a percentage, {low} to {high}"), MIN_GAP_PERCENT, MAX_GAP_PERCENT),
    AlertKind.RELATIVE: (N_("percentage points, {low} to {high}"), MIN_POINTS, MAX_POINTS),
    AlertKind.CORRELATION: (N_("the level, {low} to {high}"), MIN_CORRELATION, MAX_CORRELATION),
    AlertKind.EARNINGS: (
        N_("days of notice, {low} to {high}"),
        MIN_EARNINGS_DAYS,
        MAX_EARNINGS_DAYS,
    ),
}


def _value_needed(kind: AlertKind) -> str:
    """Say what a kind's value is, with its bounds, in the current language."""
    what, low, high = _VALUE_NEEDED[kind]
    return _(what, low=figure(low), high=figure(high))


def _level(
    kind: AlertKind | None,
    value: float,
    quote: Quote | None,
    symbol: str | None,
    problems: list[str],
) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append(_("value: must be a finite number (got {got})", got=f"{value!r:.20}"))
        return None
    value = float(value)
    if kind is AlertKind.MOVE_PCT:
        if not MIN_PERCENT <= value <= MAX_PERCENT:
            problems.append(
                _(
                    "value: must be a percentage between {low} and {high} for move_pct (got {got})",
                    low=figure(MIN_PERCENT),
                    high=figure(MAX_PERCENT),
                    got=figure(value),
                )
            )
            return None
        return value
    if kind is None or symbol is None:
        return None  # nothing to check the level against
    if quote is None or not math.isfinite(quote.price) or quote.price <= 0:
        problems.append(
            _(
                "symbol: there is no current price for {symbol} to check the level against; "
                "try again in a minute",
                symbol=symbol,
            )
        )
        return None
    if quote.symbol != symbol:
        raise ValueError(f"quote for {quote.symbol} given for an alert on {symbol}")
    low, high = quote.price * MIN_LEVEL_RATIO, quote.price * MAX_LEVEL_RATIO
    if not low <= value <= high:
        problems.append(
            _(
                "value: must be a price between {low} and {high} ({low_ratio}× to "
                "{high_ratio}× the current {current}; got {got})",
                low=price(low),
                high=price(high),
                low_ratio=figure(MIN_LEVEL_RATIO),
                high_ratio=figure(MAX_LEVEL_RATIO),
                current=price(quote.price),
                got=price(value),
            )
        )
        return None
    return value
