"""Sum a company's visible contracts into the AI power and value the cards, lists and board show.

What counts is decided in bot.ledger.counting; this module adds the counted rows up (at the
host's attributable share) and formats the totals with the marks that say what they are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Final

from bot.format import DASH, megawatts, money
from bot.i18n import N_, _, ngettext
from bot.ledger.counting import (
    attributable_mw,
    attributable_value,
    is_counted,
    is_lower_bound,
    not_counted_reason,
    oldest_as_of,
    share,
)
from bot.ledger.model import Contract

__all__ = [
    "Exposure",
    "acquisitions",
    "exposures",
    "is_counted",
    "partnerships",
    "power_text",
    "total_money",
    "uncounted_note",
    "value_text",
]

# What every total counts, said once and shown under each one.
COUNTS_NOTE = N_(
    "Totals count binding leases, GPU-cloud services and joint ventures (at the host's "
    "share); acquisitions, partnerships, MOUs, targets, options, extensions and deals not "
    "yet binding or terminated are listed, not counted. > marks a floor counted at the "
    "floor; ~ an approximate figure."
)


def _terminated(n: int) -> str:
    return ngettext("{n} terminated", "{n} terminated", n)


def _not_binding(n: int) -> str:
    return ngettext("{n} not yet binding", "{n} not yet binding", n)


def acquisitions(n: int) -> str:
    """Count acquisitions and investments: "2 acquisitions / investments"."""
    return ngettext("{n} acquisition / investment", "{n} acquisitions / investments", n)


def partnerships(n: int) -> str:
    """Count partnerships and MOUs: "1 partnership / MOU"."""
    return ngettext("{n} partnership / MOU", "{n} partnerships / MOUs", n)


def _target(n: int) -> str:
    return ngettext("{n} target", "{n} targets", n)


# Why shown deals are left out of the totals, in the order the note lists them.
UNCOUNTED: Final = {
    "terminated": _terminated,
    "not yet binding": _not_binding,
    "acquisition / investment": acquisitions,
    "partnership / MOU": partnerships,
    "target": _target,
}


@dataclass(frozen=True, slots=True)
class Exposure:
    """One host's contracted AI power and value, as one server sees the ledger."""

    symbol: str
    contracts: int = 0
    mw_it: float = 0.0
    """Attributable critical-IT MW of the contracts that disclose it."""
    mw_gross_only: float = 0.0
    """Attributable gross MW of the contracts that disclose only gross (the fallback)."""
    mw_unknown: int = 0
    """Contracts that disclose neither."""
    value_usd: float | None = None
    value_approx: bool = False
    value_floor: bool = False
    """Some counted value is a floor (or a range's low end): the total is at least this."""
    value_unknown: int = 0
    partial_share: int = 0
    """Counted joint ventures of which only the host's share is in the total."""
    low_confidence: int = 0
    """Counted contracts below medium confidence."""
    as_of: str | None = None
    """The oldest status date among the counted contracts (ISO, possibly partial)."""

    @property
    def mw_total(self) -> float | None:
        """Return IT MW plus the gross fallback, or None when no contract gives any MW."""
        if self.contracts == 0 or self.contracts == self.mw_unknown:
            return None
        return self.mw_it + self.mw_gross_only

    @property
    def uses_gross(self) -> bool:
        """Tell whether some of the total is gross MW (critical IT undisclosed)."""
        return self.mw_gross_only > 0


def exposures(contracts: Iterable[Contract]) -> dict[str, Exposure]:
    """Return each host's exposure from the counted contracts a server sees."""
    grouped: dict[str, list[Contract]] = {}
    for contract in contracts:
        if is_counted(contract):
            grouped.setdefault(contract.host_symbol, []).append(contract)
    return {symbol: sum_contracts(symbol, items) for symbol, items in grouped.items()}


def uncounted_note(contracts: Iterable[Contract]) -> str:
    """Say which shown contracts the totals leave out: '1 terminated, 1 target, not counted'."""
    reasons = Counter(
        reason
        for c in contracts
        if c.deleted_at is None and (reason := not_counted_reason(c)) is not None
    )
    parts = [count(reasons[reason]) for reason, count in UNCOUNTED.items() if reasons.get(reason)]
    return _("{reasons}, not counted", reasons=", ".join(parts)) if parts else ""


def sum_contracts(symbol: str, contracts: list[Contract], *, at_share: bool = True) -> Exposure:
    """Add up counted contracts at the host's attributable share (callers pass counted ones).

    ``at_share=False`` sums whole deals: what a tenant commits to, whoever owns the host side.
    """
    if not at_share:
        contracts = [replace(c, host_share_pct=None) for c in contracts]
    mw_it = mw_gross = 0.0
    mw_unknown = value_unknown = 0
    values: list[float] = []
    approx = floor = False
    for contract in contracts:
        power = attributable_mw(contract)
        if power is None:
            mw_unknown += 1
        elif power[1] == "IT":
            mw_it += power[0]
        else:
            mw_gross += power[0]
        value = attributable_value(contract)
        if value is None:
            value_unknown += 1
        else:
            values.append(value)
            approx = approx or contract.value_approx
            floor = floor or is_lower_bound(contract)
    return Exposure(
        symbol=symbol,
        contracts=len(contracts),
        mw_it=mw_it,
        mw_gross_only=mw_gross,
        mw_unknown=mw_unknown,
        value_usd=sum(values) if values else None,
        value_approx=approx,
        value_floor=floor,
        value_unknown=value_unknown,
        partial_share=sum(1 for c in contracts if share(c) < 1),
        low_confidence=sum(1 for c in contracts if c.confidence == "low"),
        as_of=oldest_as_of(contracts),
    )


def power_text(exposure: Exposure | None) -> str:
    """Format contracted power with its basis: 544 MW (IT), or 207 MW (IT) + 300 MW (gross)."""
    if exposure is None or exposure.mw_total is None:
        return DASH
    if exposure.mw_gross_only == 0:
        return megawatts(exposure.mw_it, "IT")
    if exposure.mw_it == 0:
        return megawatts(exposure.mw_gross_only, "gross")
    return f"{megawatts(exposure.mw_it, 'IT')} + {megawatts(exposure.mw_gross_only, 'gross')}"


def total_money(value: float | None, *, approx: bool = False, floor: bool = False) -> str:
    """Format a money figure with its marks: '> $10B' for a floor, '~$5.5B' approximate."""
    text = money(value, approx=approx)
    return f"> {text}" if floor and value is not None else text


def value_text(exposure: Exposure | None) -> str:
    """Format the total contract value: $9.3B, ~$5.5B approximate, > $10B with a floor."""
    if exposure is None:
        return DASH
    return total_money(exposure.value_usd, approx=exposure.value_approx, floor=exposure.value_floor)
