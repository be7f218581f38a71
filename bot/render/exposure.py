"""Sum a company's visible contracts into the AI power and value the quote card and board show."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from bot.ledger.model import Contract
from bot.ledger.vocab import CONTRACTED_STATUSES
from bot.render.format import DASH, megawatts, money


@dataclass(frozen=True, slots=True)
class Exposure:
    """One host's contracted AI power and value, as one server sees the ledger."""

    symbol: str
    contracts: int = 0
    mw_it: float = 0.0
    """Critical-IT MW of the contracts that disclose it."""
    mw_gross_only: float = 0.0
    """Gross MW of the contracts that disclose only gross (the fallback)."""
    mw_unknown: int = 0
    """Contracts that disclose neither."""
    value_usd: float | None = None
    value_approx: bool = False
    value_unknown: int = 0
    as_of: str | None = None
    """The latest status date among the counted contracts (ISO, possibly partial)."""

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
    """Return each host's exposure from the binding contracts a server sees."""
    grouped: dict[str, list[Contract]] = {}
    for contract in contracts:
        if is_counted(contract):
            grouped.setdefault(contract.host_symbol, []).append(contract)
    return {symbol: _sum(symbol, items) for symbol, items in grouped.items()}


def is_counted(contract: Contract) -> bool:
    """Tell whether a contract counts as contracted (binding and not removed)."""
    return contract.status in CONTRACTED_STATUSES and contract.deleted_at is None


def uncounted_note(contracts: Iterable[Contract]) -> str:
    """Say which shown contracts the totals leave out: '1 terminated, 2 not yet binding'."""
    live = [c for c in contracts if c.deleted_at is None and not is_counted(c)]
    ended = sum(1 for c in live if c.status == "terminated")
    pending = len(live) - ended
    parts = [f"{ended} terminated"] if ended else []
    parts += [f"{pending} not yet binding"] if pending else []
    return f"{', '.join(parts)}, not counted" if parts else ""


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) and value >= 0 else None


def _sum(symbol: str, contracts: list[Contract]) -> Exposure:
    mw_it = mw_gross = 0.0
    mw_unknown = value_unknown = 0
    values: list[float] = []
    approx = False
    for contract in contracts:
        it, gross = _finite(contract.mw_critical_it), _finite(contract.mw_gross)
        if it is not None:
            mw_it += it
        elif gross is not None:
            mw_gross += gross
        else:
            mw_unknown += 1
        value = _finite(contract.total_contract_value_usd)
        if value is None:
            value_unknown += 1
        else:
            values.append(value)
            approx = approx or contract.tcv_approx
    return Exposure(
        symbol=symbol,
        contracts=len(contracts),
        mw_it=mw_it,
        mw_gross_only=mw_gross,
        mw_unknown=mw_unknown,
        value_usd=sum(values) if values else None,
        value_approx=approx,
        value_unknown=value_unknown,
        as_of=max((c.status_as_of for c in contracts if c.status_as_of), default=None),
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


def value_text(exposure: Exposure | None) -> str:
    """Format the total contract value: $9.3B, ~$5.5B when a figure is approximate."""
    if exposure is None:
        return DASH
    return money(exposure.value_usd, approx=exposure.value_approx)
