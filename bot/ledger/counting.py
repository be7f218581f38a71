"""What a contract contributes to totals and rankings, and whether its status may be stale.

One place decides it, for shipped and members' rows alike:
- counted: a binding (signed or later) lease, GPU-cloud services contract or joint venture
  whose figure is contracted revenue. Acquisitions and investments (a price paid),
  partnerships and MOUs, targets, announced, conditional and terminated deals are listed,
  never counted. Optional purchases and extensions are never counted.
- attributable: a joint venture counts at the host's ownership share, MW and value alike.
- a floor ("more than") counts at the floor, a range at its low end; both show with ">".
- ranked: counted and at least `medium` confidence.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Final, Literal

from bot.i18n import N_, _
from bot.ledger.model import Contract
from bot.ledger.vocab import CONTRACTED_STATUSES, COUNTED_KINDS, RANKED_CONFIDENCES

STALE_AFTER: Final = timedelta(days=180)
STALE_MARK: Final = N_("status may be stale")  # translated where shown
# Statuses after which nothing is due any more.
SETTLED_STATUSES: Final = frozenset({"energized", "terminated"})

Basis = Literal["IT", "gross"]


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) and value >= 0 else None


def is_counted(contract: Contract) -> bool:
    """Tell whether a contract counts towards contracted MW and value."""
    return not_counted_reason(contract) is None


def not_counted_reason(contract: Contract) -> str | None:
    """Return why a live contract is left out of totals ('terminated', 'a target'), or None."""
    if contract.deleted_at is not None:
        return "removed"
    if contract.status == "terminated":
        return "terminated"
    if contract.deal_kind == "acquisition_investment" or contract.value_kind == "purchase_price":
        return "acquisition / investment"  # a price paid is never contract revenue
    if contract.deal_kind == "partnership_mou" or contract.deal_kind not in COUNTED_KINDS:
        return "partnership / MOU"
    if contract.value_kind == "target":
        return "target"
    if contract.status not in CONTRACTED_STATUSES:
        return "not yet binding"
    return None


def is_ranked(contract: Contract) -> bool:
    """Tell whether a contract may stand in a ranking (counted, medium confidence or better)."""
    return is_counted(contract) and contract.confidence in RANKED_CONFIDENCES


def share(contract: Contract) -> float:
    """Return the host's share of the deal as a fraction (1.0 unless a joint venture says)."""
    pct = _finite(contract.host_share_pct)
    return 1.0 if pct is None or pct == 0 else min(pct, 100.0) / 100


def attributable_mw(contract: Contract) -> tuple[float, Basis] | None:
    """Return the host's MW (critical IT, else gross) at its share, or None if undisclosed."""
    it, gross = _finite(contract.mw_critical_it), _finite(contract.mw_gross)
    if it is not None:
        return it * share(contract), "IT"
    if gross is not None:
        return gross * share(contract), "gross"
    return None


def attributable_value(contract: Contract) -> float | None:
    """Return the host's share of the firm contract value (a floor or a range's low end)."""
    value = _finite(contract.total_contract_value_usd)
    return None if value is None else value * share(contract)


def is_lower_bound(contract: Contract) -> bool:
    """Tell whether the value is a floor or a range's low end (shown with '>')."""
    return contract.value_exactness in ("floor", "range")


def derived_annual(contract: Contract) -> float | None:
    """Return value ÷ term when both are known (the derived annualised revenue), else None."""
    value, term = _finite(contract.total_contract_value_usd), _finite(contract.term_years)
    if value is None or not term:
        return None
    # A term too short to divide by (1e-300 years, a typo) leaves the figure unknown, not infinite.
    annual = value / term
    return annual if math.isfinite(annual) else None


def per_mw_year(contract: Contract) -> tuple[float, Basis] | None:
    """Return value ÷ term ÷ MW (of the whole deal) with the MW basis, when all are known."""
    annual = derived_annual(contract)
    it, gross = _finite(contract.mw_critical_it), _finite(contract.mw_gross)
    if annual is None:
        return None
    bases: tuple[tuple[float | None, Basis], ...] = ((it, "IT"), (gross, "gross"))
    for mw, basis in bases:
        if mw:
            per_mw = annual / mw
            return (per_mw, basis) if math.isfinite(per_mw) else None
    return None


# ----- freshness ------------------------------------------------------------------------------

_MONTHS: Final = {
    name.lower(): number for number, name in enumerate(calendar.month_name) if name
} | {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
_PERIOD_END: Final = {  # (month, day) a period ends on
    "q1": (3, 31),
    "q2": (6, 30),
    "q3": (9, 30),
    "q4": (12, 31),
    "h1": (6, 30),
    "h2": (12, 31),
    "early": (4, 30),
    "mid": (8, 31),
    "late": (12, 31),
    "end": (12, 31),
}
_DATE = re.compile(r"\b(\d{4})-(\d{2})(?:-(\d{2}))?\b")
_WORD_YEAR = re.compile(
    r"\b(q[1-4]|h[12]|early|mid|late|end|[a-z]{3,9})?[\s-]*(?:of\s+)?(\d{4})\b", re.IGNORECASE
)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def period_end(text: str | None) -> date | None:
    """Return the last day of the period a date names: '2025-11' → 2025-11-30, '2025' → 12-31."""
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text.strip())
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        if day is not None:
            return date(int(year), int(month), int(day))
        if month is not None:
            return _month_end(int(year), int(month))
        return date(int(year), 12, 31)
    except ValueError:
        return None


def delivery_due(text: str | None) -> date | None:
    """Return when an expected delivery was due: the end of the latest period the text names.

    The field is free text ("H2 2026", "Phase 1 in July 2026, completion in Q4 2026",
    "2026-09-30"); a text naming no year gives None (nothing can be said to have passed).
    """
    if not text:
        return None
    found: list[date] = []
    for year, month, day in _DATE.findall(text):
        end = period_end(f"{year}-{month}" + (f"-{day}" if day else ""))
        if end is not None:
            found.append(end)
    stripped = _DATE.sub(" ", text)
    for word, year_text in _WORD_YEAR.findall(stripped):
        year = int(year_text)
        if not 2000 <= year <= 2100:
            continue
        key = word.lower()
        if key in _PERIOD_END:
            month, day = _PERIOD_END[key]
            found.append(date(year, month, day))
        elif key in _MONTHS:
            found.append(_month_end(year, _MONTHS[key]))
        else:
            found.append(date(year, 12, 31))
    return max(found, default=None)


def stale_reason(contract: Contract, today: date) -> str | None:
    """Say why a live contract's status may be stale, or None when it is fresh enough.

    Stale: its expected delivery has passed without a status change since, or its status was
    last confirmed more than 180 days ago. Settled deals (energised, terminated) never are.
    """
    if contract.deleted_at is not None or contract.status in SETTLED_STATUSES:
        return None
    confirmed = period_end(contract.status_as_of)
    due = delivery_due(contract.expected_delivery)
    if due is not None and due < today and (confirmed is None or confirmed <= due):
        return _(
            "expected delivery ({day}) has passed without a status change", day=due.isoformat()
        )
    if confirmed is None or today - confirmed > STALE_AFTER:
        return _(
            "status last confirmed {day}",
            day=contract.status_as_of or _("on an unknown date"),
        )
    return None


def period_start(text: str | None) -> date | None:
    """Return the first day of the period a date names: '2025-11' → 2025-11-01."""
    end = period_end(text)
    if end is None or text is None:
        return None
    parts = text.strip().split("-")
    if len(parts) == 1:
        return date(end.year, 1, 1)
    if len(parts) == 2:
        return date(end.year, end.month, 1)
    return end


def oldest_date(dates: Iterable[str | None]) -> str | None:
    """Return the oldest of partial ISO dates ('2025' counts from its start), or None."""
    known = [d for d in dates if d]
    return min(known, key=lambda d: (period_start(d) or date.min, len(d)), default=None)


def oldest_as_of(contracts: Iterable[Contract]) -> str | None:
    """Return the oldest status date among ``contracts``."""
    return oldest_date(c.status_as_of for c in contracts)
