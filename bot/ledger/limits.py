"""Bounds on contract figures and text, shared by the shipped-ledger check and user edits."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Final

from bot.text import visible_text

MAX_MW: Final = 10_000.0  # the largest single campuses announced are a few GW
MAX_TERM_YEARS: Final = 99.0
MAX_USD: Final = 1e13  # ten trillion dollars: beyond any contract, catches unit mistakes
MAX_URL_LENGTH: Final = 2_048
MAX_NAME_LENGTH: Final = 200  # counterparty, end customer, site
MAX_TEXT_LENGTH: Final = 1_000  # notes and other free text
# A contract's figures: each at least 0 and at most its bound, in its unit. The shipped
# ledger's check and members' edits hold figures to this one table.
CONTRACT_NUMBER_LIMITS: Final[dict[str, tuple[float, str]]] = {
    "mw_critical_it": (MAX_MW, "MW"),
    "mw_gross": (MAX_MW, "MW"),
    "term_years": (MAX_TERM_YEARS, "years"),
    "total_contract_value_usd": (MAX_USD, "USD"),
    "tcv_with_extensions_usd": (MAX_USD, "USD"),
    "value_high_usd": (MAX_USD, "USD"),
    "optional_value_usd": (MAX_USD, "USD"),
    "host_share_pct": (100.0, "%"),
    "annualised_revenue_usd": (MAX_USD, "USD"),
}
# Dates before the first hosting deals or far in the future are typing mistakes.
EARLIEST_DATE: Final = date(2000, 1, 1)
LATEST_DATE: Final = date(2100, 12, 31)

# Control (Cc), format (Cf: zero-width, bidi), surrogate, private-use and unassigned code
# points, and line/paragraph separators: none of them shows as what it is.
_HIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a value: which field, and what is allowed."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def check_number(
    field: str, value: float | None, low: float, high: float, unit: str
) -> Problem | None:
    """Accept a finite number within [low, high], or None (unknown)."""
    if value is None:
        return None
    if isinstance(value, bool) or not math.isfinite(value):
        return Problem(
            field, f"must be a number between {low:,.0f} and {high:,.0f} {unit}".rstrip()
        )
    if not low <= value <= high:
        return Problem(
            field, f"must be between {low:,.0f} and {high:,.0f} {unit} (got {value:,.6g})".rstrip()
        )
    return None


def parse_day(value: str) -> date | None:
    """Parse a strict YYYY-MM-DD date within the plausible range, else None."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return None
    return parsed if EARLIEST_DATE <= parsed <= LATEST_DATE else None


def check_day(field: str, value: str | None, *, partial: bool = False) -> Problem | None:
    """Accept YYYY-MM-DD (or YYYY-MM / YYYY when ``partial``) between 2000 and 2100."""
    if value is None:
        return None
    if partial and _PARTIAL_DATE.match(value) and len(value) < 10:
        year = int(value[:4])
        month_ok = len(value) == 4 or 1 <= int(value[5:7]) <= 12
        if EARLIEST_DATE.year <= year <= LATEST_DATE.year and month_ok:
            return None
    if parse_day(value) is None:
        shape = "YYYY-MM-DD (or YYYY-MM, YYYY)" if partial else "YYYY-MM-DD"
        return Problem(
            field, f"must be a date as {shape} between 2000 and 2100 (got {value!r:.40})"
        )
    return None


def check_url(field: str, value: str) -> Problem | None:
    """Accept an http(s) URL of at most 2,048 characters with a host."""
    if len(value) > MAX_URL_LENGTH:
        return Problem(field, f"must be at most {MAX_URL_LENGTH:,} characters")
    # An invisible or control character (a bidi override, a zero-width space, a newline)
    # can make a link show one address and lead to another; real links percent-encode them.
    if any(unicodedata.category(ch) in _HIDDEN_CATEGORIES for ch in value):
        return Problem(field, "must not contain invisible or control characters")
    if not re.fullmatch(r"https?://[^\s/?#]+\.[^\s/?#]+([/?#]\S*)?", value, flags=re.IGNORECASE):
        return Problem(field, "must be an http:// or https:// link to a web page")
    return None


def check_text(field: str, value: str | None, max_length: int) -> Problem | None:
    """Accept text that is not blank and not longer than ``max_length``."""
    if value is None:
        return None
    if not visible_text(value).strip():  # zero-width characters alone show as nothing
        return Problem(field, "must not be blank")
    if len(value) > max_length:
        return Problem(field, f"must be at most {max_length:,} characters (got {len(value):,})")
    return None
