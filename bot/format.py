"""How numbers read everywhere: money, power, percentages, prices, timestamps (no Discord)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Literal

DASH = "—"  # shown for an unknown value: never a guessed number
MINUS = "−"  # a true minus sign, as in −$5.00 and −1.2 %
MAX_SIGNIFICANT = 12  # digits of a price shown at most (an absurd input is echoed short)
MAX_PRICE_DIGITS = 6  # decimals shown at most when two prices must read differently
TimestampStyle = Literal["t", "T", "d", "D", "f", "F", "R"]


def money(value: float | None, *, approx: bool = False) -> str:
    """Format dollars compactly: $1.23B, $830M, $45.6K, $950; unknown as a dash."""
    if value is None or not math.isfinite(value):
        return DASH
    sign = "-" if value < 0 else ""
    # Three significant figures first, so 999.6M becomes $1B rather than $1000M.
    magnitude = float(f"{abs(value):.3g}")
    for threshold, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if magnitude >= threshold:
            return f"{'~' if approx else ''}{sign}${_trim_decimals(magnitude / threshold)}{suffix}"
    return f"{'~' if approx else ''}{sign}${magnitude:,.0f}"


def megawatts(value: float | None, basis: Literal["IT", "gross"] | None = None) -> str:
    """Format power: 168 MW (IT), 244 MW (gross), 1.4 GW; unknown as a dash."""
    if value is None or not math.isfinite(value):
        return DASH
    text = f"{_trim_decimals(value / 1000)} GW" if value >= 1000 else f"{_trim(value)} MW"
    return f"{text} ({basis})" if basis else text


def percent(value: float | None, *, digits: int = 1) -> str:
    """Format a change with its sign: +3.4 %, −1.2 %, 0.0 %; unknown as a dash."""
    if value is None or not math.isfinite(value):
        return DASH
    rounded = round(value, digits)
    if rounded == 0:
        return f"{0:.{digits}f} %"
    sign = "+" if rounded > 0 else "−"
    return f"{sign}{abs(rounded):.{digits}f} %"


def price(value: float | None, currency: str = "USD", *, digits: int | None = None) -> str:
    """Format a price: $1,234.56 for dollars, 4 decimals below $1, code for others.

    A negative amount reads −$5.00 (the sign before the currency, a true minus).
    """
    if value is None or not math.isfinite(value):
        return DASH
    if digits is None:
        digits = 4 if abs(value) < 1 else 2
    text = f"{abs(value):,.{digits}f}"
    if sum(c.isdigit() for c in text.lstrip("0.,")) > MAX_SIGNIFICANT:
        text = f"{abs(value):,.{MAX_SIGNIFICANT}g}"  # 1e308 reads 1e+308, not 310 digits
    sign = MINUS if value < 0 and text.strip("0.,") else ""
    return f"{sign}${text}" if currency == "USD" else f"{sign}{text} {currency}"


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
    return money(value).removeprefix("$")


def years(value: float | None) -> str:
    """Format a term in years: 10 y, 2.5 y; unknown as a dash."""
    if value is None or not math.isfinite(value):
        return DASH
    return f"{_trim(value)} y"


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
    text = f"{abs(value):,.{digits}f}"
    text = f"${text}" if currency == "USD" else f"{text} {currency}"
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
    return f"{value:.2f}×"


def compact_percent(value: float | None) -> str:
    """Format a change for a table column: +3.4%, −12%, 0.0% (no space; whole above 10 %)."""
    if value is None or not math.isfinite(value):
        return DASH
    digits = 0 if abs(value) >= 10 else 1
    return percent(value, digits=digits).replace(" ", "")
