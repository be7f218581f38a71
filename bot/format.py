"""How numbers read everywhere: money, power, percentages, prices, timestamps (no Discord).

Every helper writes for the language of the text being built (bot.i18n): English reads
"$1,234.56", "$9.7B" and "+3.4 %"; French reads "1 234,56 $US", "9,7 Md$" and "+3,4 %".
Digits are rounded once, by these helpers, for every language; the separators, currency
symbols, compact suffixes and dates are the locale's own, from Babel's CLDR data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Final, Literal

from babel.dates import format_date, format_skeleton
from babel.numbers import (
    format_compact_decimal,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
)

from bot.i18n.catalogue import N_, _, ngettext
from bot.i18n.language import Language, current, speaking

DASH = "—"  # shown for an unknown value: never a guessed number
NBSP = "\u00a0"  # keeps a number and its unit on one line in French
NNBSP = "\u202f"  # French groups thousands with this narrow no-break space
MINUS = "−"  # a true minus sign, as in −$5.00 and −1.2 %
MAX_SIGNIFICANT = 12  # digits of a price shown at most (an absurd input is echoed short)
MAX_PRICE_DIGITS = 6  # decimals shown at most when two prices must read differently
TimestampStyle = Literal["t", "T", "d", "D", "f", "F", "R"]
BASES = {"IT": N_("IT"), "gross": N_("gross")}  # what a power figure measures
COMPACT_STEPS = (1e12, 1e9, 1e6, 1e3)  # thousands to trillions, each with the locale's suffix


@dataclass(frozen=True, slots=True)
class NumberStyle:
    """How one language writes numbers, from CLDR (English keeps its house percent space)."""

    decimal: str
    group: str
    percent_gap: str
    compact: dict[float, str]
    dollar_first: bool
    dollar: str  # how the language writes the US dollar: "$", "$US"

    def digits(self, text: str) -> str:
        """Rewrite "1,234.5" (Python's own separators) with this language's separators."""
        if self.group == "," and self.decimal == ".":
            return text  # English: Python already writes them
        return text.translate(self._separators)

    @property
    def _separators(self) -> dict[int, str]:
        return _separator_table(self.group, self.decimal)


@cache
def _separator_table(group: str, decimal: str) -> dict[int, str]:
    return {ord(","): group, ord("."): decimal}


@cache
def number_style(language: Language) -> NumberStyle:
    """Return how ``language`` writes numbers (read from Babel once per language)."""
    one = format_compact_decimal(1, locale=language)  # "1": no suffix below a thousand
    compact = {
        step: format_compact_decimal(step, locale=language).removeprefix(one)
        for step in COMPACT_STEPS
    }
    return NumberStyle(
        decimal=get_decimal_symbol(language),
        group=get_group_symbol(language),
        # English: "3.4 %" has always been the house style; French CLDR puts a no-break space.
        percent_gap=" " if language == "en" else NBSP,
        compact=compact,
        dollar_first=get_currency_symbol("USD", language) == "$",
        dollar=get_currency_symbol("USD", language),
    )


def _style() -> NumberStyle:
    return number_style(current())


def _dollars(amount: str) -> str:
    """Put the dollar sign where the language does: "$1.2B" or "1,2 Md$"."""
    return f"${amount}" if _style().dollar_first else f"{amount}$"


def _currency(amount: str, currency: str) -> str:
    """Write a full amount with its currency: "$1,234.56" and "1 234,56 $US"; codes for others."""
    language = current()
    if currency == "USD" and _style().dollar_first:
        return f"${amount}"
    if currency == "USD":
        return f"{amount}{NBSP}{_style().dollar}"
    return f"{amount} {currency}" if language == "en" else f"{amount}{NBSP}{currency}"


def number(value: float | None, *, digits: int = 0) -> str:
    """Format a plain number with grouping: 12,345 and 12 345; unknown as a dash."""
    if value is None or not math.isfinite(value):
        return DASH
    return _style().digits(f"{value:,.{digits}f}")


def table_cell(text: str) -> str:
    """Make a figure safe for a monospace table: French's narrow space becomes a full one.

    Monospace fonts do not all draw the narrow no-break space at the width of a character.
    """
    return text.replace(NNBSP, NBSP)


def figure(value: float) -> str:
    """Write a figure as typed, with the language's decimal sign: 1.5 and 1,5, 2 and 2."""
    return _style().digits(f"{value:g}")


def day(moment: date) -> str:
    """Format a calendar day: "Dec 4, 2026" and "4 déc. 2026"."""
    return format_skeleton("yMMMd", moment, locale=current())


# A weekday with its date: "Mon 30 Nov 2026" and "lun. 30 nov. 2026".
WEEKDAY_PATTERNS: Final[dict[Language, str]] = {"en": "EEE dd MMM y", "fr": "EEE d MMM y"}


def weekday(moment: date) -> str:
    """Format a day with its weekday: "Mon 30 Nov 2026" and "lun. 30 nov. 2026"."""
    return format_date(moment, WEEKDAY_PATTERNS[current()], locale=current())


# A day written out in full: "Friday 04 December 2026" and "vendredi 4 décembre 2026".
LONG_PATTERNS: Final[dict[Language, str]] = {"en": "EEEE dd MMMM y", "fr": "EEEE d MMMM y"}


def long_day(moment: date) -> str:
    """Format a day in full: "Friday 04 December 2026" and "vendredi 4 décembre 2026"."""
    return format_date(moment, LONG_PATTERNS[current()], locale=current())


def month_abbreviation(moment: date) -> str:
    """Return a month's short name: "Nov" and "nov."."""
    return format_date(moment, "MMM", locale=current())


def weekday_abbreviation(moment: date) -> str:
    """Return a weekday's short name: "Mon" and "lun."."""
    return format_date(moment, "EEE", locale=current())


def short_day(moment: date) -> str:
    """Format a day without its year: "Dec 4" and "4 déc."."""
    return format_skeleton("MMMd", moment, locale=current())


def money(value: float | None, *, approx: bool = False) -> str:
    """Format dollars compactly: $1.23B, $830M, $45.6K, $950; unknown as a dash."""
    if value is None or not math.isfinite(value):
        return DASH
    sign = "-" if value < 0 else ""
    amount, suffixed = _compact(abs(value))
    if not suffixed and not _style().dollar_first:
        amount += NBSP  # "950 $", as "9,7 Md$"
    return f"{'~' if approx else ''}{sign}{_dollars(amount)}"


def _compact(magnitude: float) -> tuple[str, bool]:
    """Return a positive amount in the language's compact form, and whether it has a suffix."""
    # Three significant figures first, so 999.6M becomes $1B rather than $1000M.
    magnitude = float(f"{magnitude:.3g}")
    style = _style()
    for threshold in COMPACT_STEPS:
        if magnitude >= threshold:
            scaled = style.digits(_trim_decimals(magnitude / threshold))
            return scaled + style.compact[threshold], True
    return style.digits(f"{magnitude:,.0f}"), False


def megawatts(value: float | None, basis: Literal["IT", "gross"] | None = None) -> str:
    """Format power: 168 MW (IT), 244 MW (gross), 1.4 GW; unknown as a dash."""
    if value is None or not math.isfinite(value):
        return DASH
    style = _style()
    text = (
        f"{style.digits(_trim_decimals(value / 1000))} GW"
        if value >= 1000
        else f"{style.digits(_trim(value))} MW"
    )
    return f"{text} ({_(BASES[basis])})" if basis else text


def percent(value: float | None, *, digits: int = 1) -> str:
    """Format a change with its sign: +3.4 %, −1.2 %, 0.0 %; unknown as a dash."""
    if value is None or not math.isfinite(value):
        return DASH
    # Remembered per language, as prices are: a tick's move is written in every firing.
    return _percent(value, digits, current())


@lru_cache(maxsize=8192)
def _percent(value: float, digits: int, language: Language) -> str:
    rounded = round(value, digits)
    style = number_style(language)
    if rounded == 0:
        return f"{style.digits(f'{0:.{digits}f}')}{style.percent_gap}%"
    sign = "+" if rounded > 0 else "−"
    return f"{sign}{style.digits(f'{abs(rounded):.{digits}f}')}{style.percent_gap}%"


def price(value: float | None, currency: str | None = "USD", *, digits: int | None = None) -> str:
    """Format a price: $1,234.56 for dollars, 4 decimals below $1, code for others.

    A negative amount reads −$5.00 (the sign before the currency, a true minus). Without a
    currency only the figure is written (a table column whose heading names the currency).
    """
    if value is None or not math.isfinite(value):
        return DASH
    # Remembered per language: a market-wide jump writes each alert's level twice and each
    # tick's prices once per alert it fires, thousands of times over.
    return _price(value, currency, digits, current())


@lru_cache(maxsize=8192)
def _price(value: float, currency: str | None, digits: int | None, language: Language) -> str:
    if digits is None:
        digits = 4 if abs(value) < 1 else 2
    text = f"{abs(value):,.{digits}f}"
    # Only digits, commas and a point: the digits are what the separators leave.
    significant = text.lstrip("0.,")
    if len(significant) - significant.count(",") - significant.count(".") > MAX_SIGNIFICANT:
        text = f"{abs(value):,.{MAX_SIGNIFICANT}g}"  # 1e308 reads 1e+308, not 310 digits
    sign = MINUS if value < 0 and text.strip("0.,") else ""
    with speaking(language):
        amount = _style().digits(text)
        return f"{sign}{amount if currency is None else _currency(amount, currency)}"


def prices_apart(a: float, b: float, currency: str = "USD") -> tuple[str, str]:
    """Format two prices with the fewest decimals (up to 6) that tell them apart.

    "$7.40" and "$7.4012" would both read $7.40: they read $7.400 and $7.401. Equal prices
    stay equal.
    """
    first, second = price(a, currency), price(b, currency)
    digits = 4 if min(abs(a), abs(b)) < 1 else 2
    while first == second and a != b and digits < MAX_PRICE_DIGITS:
        digits += 1
        first, second = price(a, currency, digits=digits), price(b, currency, digits=digits)
    return first, second


def volume(value: float | None) -> str:
    """Format a share count compactly: 12.3M, 845K; unknown as a dash."""
    if value is None or not math.isfinite(value):
        return DASH
    return ("-" if value < 0 else "") + _compact(abs(value))[0]


def years(value: float | None) -> str:
    """Format a term in years: 10 y, 2.5 y; unknown as a dash."""
    if value is None or not math.isfinite(value):
        return DASH
    # French agrees with the whole part: "1,5 an", "2 ans".
    return ngettext("{years} y", "{years} y", int(value), years=_style().digits(_trim(value)))


def timestamp(moment: datetime, style: TimestampStyle = "f") -> str:
    """Render a Discord timestamp that each reader sees in their own time zone."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return f"<t:{int(moment.timestamp())}:{style}>"


def _trim_decimals(value: float) -> str:
    text = f"{value:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _trim(value: float) -> str:
    return (
        f"{value:,.1f}".rstrip("0").rstrip(".")
        if not float(value).is_integer()
        else f"{value:,.0f}"
    )


# ----- added for the price cards, the board and the charts ------------------------------------


def price_change(value: float | None, currency: str = "USD", *, level: float | None = None) -> str:
    """Format a price move with its sign: +$0.50, −$1,200.00; unknown as a dash."""
    if value is None or not math.isfinite(value):
        return DASH
    # Decimals follow the price level, as price() does: a 50-cent move on a $15 stock
    # reads +$0.50, not +$0.5000.
    reference = abs(level) if level is not None and math.isfinite(level) else abs(value)
    digits = 4 if reference < 1 else 2
    text = _currency(_style().digits(f"{abs(value):,.{digits}f}"), currency)
    if round(value, digits) == 0:
        return text
    return f"{'+' if value > 0 else '−'}{text}"


def price_range(low: float | None, high: float | None, currency: str = "USD") -> str:
    """Format a low–high span: $14.90 – $15.80; a dash unless both ends are known."""
    known = [v for v in (low, high) if v is not None and math.isfinite(v)]
    if len(known) < 2:
        return DASH
    return f"{price(low, currency)} – {price(high, currency)}"


def ratio(value: float | None) -> str:
    """Format a multiple: 1.55×, 0.08×; unknown as a dash."""
    if value is None or not math.isfinite(value):
        return DASH
    return f"{_style().digits(f'{value:.2f}')}×"


def compact_percent(value: float | None) -> str:
    """Format a change for a table column: +3.4%, −12%, 0.0% (no space; whole above 10 %)."""
    if value is None or not math.isfinite(value):
        return DASH
    digits = 0 if abs(value) >= 10 else 1
    return percent(value, digits=digits).replace(" ", "").replace(NBSP, "")
