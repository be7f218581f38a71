"""A host's valuation per megawatt: enterprise value against the capacity the ledger counts.

Pure figures from plain inputs. Every figure carries the inputs it was built from, each with
its as-of date, so a footnote can name them; a DEMO input makes the figure DEMO, and a
missing input makes it unknown (None), never a partial sum.

- EV = market cap + total debt − cash (the latest balance sheet).
- contracted MW and value: counted contracts only (binding; attributable at the host's
  share of a joint venture), as ``counting`` decides for totals.
- EV per contracted MW, EV per energised MW (counted deals whose status is energised).
- revenue per MW per year: counted leases with both a value and a term, Σ(value ÷ term) ÷
  Σ MW over those same leases.
- contracted value ÷ EV, and each tenant's share of the counted MW.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from bot.ledger.counting import attributable_mw, attributable_value, is_counted
from bot.ledger.model import Contract

ENERGISED: Final = "energized"
LEASE: Final = "lease"


@dataclass(frozen=True, slots=True)
class Input:
    """One figure a derived figure uses: what it is, its as-of date, and whether it is DEMO."""

    name: str
    as_of: str | None
    demo: bool = False


@dataclass(frozen=True, slots=True)
class Figure:
    """A derived figure (None: unknown) with every input it needs, known or not."""

    value: float | None
    inputs: tuple[Input, ...]
    missing: tuple[str, ...] = ()

    @property
    def demo(self) -> bool:
        """Tell whether any input is synthetic (the figure is then DEMO too)."""
        return any(i.demo for i in self.inputs)

    @property
    def known(self) -> bool:
        """Tell whether the figure could be computed."""
        return self.value is not None


@dataclass(frozen=True, slots=True)
class ValuationInputs:
    """What the valuation of one host is computed from."""

    symbol: str
    market_cap: float | None
    market_cap_as_of: str | None
    market_cap_demo: bool
    total_debt: float | None
    cash: float | None
    balance_sheet_as_of: str | None
    balance_sheet_demo: bool
    contracts: Sequence[Contract] = ()


@dataclass(frozen=True, slots=True)
class TenantShare:
    """One tenant's share of the host's counted MW."""

    tenant: str
    mw: float
    fraction: float


@dataclass(frozen=True, slots=True)
class Valuation:
    """Every valuation figure of one host."""

    symbol: str
    enterprise_value: Figure
    contracted_mw: Figure
    contracted_value: Figure
    energised_mw: Figure
    ev_per_contracted_mw: Figure
    ev_per_energised_mw: Figure
    revenue_per_mw_year: Figure
    value_to_ev: Figure
    tenants: tuple[TenantShare, ...] = field(default_factory=tuple)
    ledger_as_of: str | None = None


def _ratio(numerator: Figure, denominator: Figure) -> Figure:
    """Return numerator ÷ denominator, unknown when either is unknown or the divisor is 0."""
    inputs = _merge(numerator.inputs, denominator.inputs)
    missing = tuple(dict.fromkeys((*numerator.missing, *denominator.missing)))
    if numerator.value is None or denominator.value is None or denominator.value <= 0:
        if denominator.value is not None and denominator.value <= 0:
            missing = (*missing, "a non-zero divisor")
        return Figure(None, inputs, missing)
    return Figure(numerator.value / denominator.value, inputs, missing)


def _merge(*groups: tuple[Input, ...]) -> tuple[Input, ...]:
    seen: dict[str, Input] = {}
    for group in groups:
        for item in group:
            seen.setdefault(item.name, item)
    return tuple(seen.values())


def enterprise_value(inputs: ValuationInputs) -> Figure:
    """Return market cap + total debt − cash, unknown when any of the three is missing."""
    used = (
        Input("market cap", inputs.market_cap_as_of, inputs.market_cap_demo),
        Input("total debt", inputs.balance_sheet_as_of, inputs.balance_sheet_demo),
        Input("cash", inputs.balance_sheet_as_of, inputs.balance_sheet_demo),
    )
    figures = (inputs.market_cap, inputs.total_debt, inputs.cash)
    missing = tuple(i.name for i, v in zip(used, figures, strict=True) if v is None)
    if inputs.market_cap is None or inputs.total_debt is None or inputs.cash is None:
        return Figure(None, used, missing)
    return Figure(inputs.market_cap + inputs.total_debt - inputs.cash, used)


def _oldest(dates: list[str]) -> str | None:
    return min(dates) if dates else None


def _ledger_input(name: str, contracts: Sequence[Contract]) -> Input:
    """Return the ledger as an input, dated by the oldest status date it relies on."""
    return Input(name, _oldest([c.status_as_of for c in contracts if c.status_as_of]))


def _mw_sum(contracts: Sequence[Contract], name: str) -> Figure:
    measured = [(c, attributable_mw(c)) for c in contracts]
    known = [(c, m[0]) for c, m in measured if m is not None]
    if not known:
        return Figure(None, (_ledger_input(name, contracts),), (name,))
    return Figure(sum(mw for _, mw in known), (_ledger_input(name, [c for c, _ in known]),))


def revenue_per_mw_year(contracts: Sequence[Contract]) -> Figure:
    """Return Σ(value ÷ term) ÷ Σ MW over counted leases that disclose value, term and MW."""
    name = "lease value, term and MW"
    annual = 0.0
    mw = 0.0
    used: list[Contract] = []
    for contract in contracts:
        if contract.deal_kind != LEASE:
            continue
        value, measured = attributable_value(contract), attributable_mw(contract)
        term = contract.term_years
        if value is None or measured is None or not term or term <= 0 or measured[0] <= 0:
            continue
        annual += value / term
        mw += measured[0]
        used.append(contract)
    if not used:
        return Figure(None, (_ledger_input(name, contracts),), (name,))
    return Figure(annual / mw, (_ledger_input(name, used),))


def tenant_shares(contracts: Sequence[Contract]) -> tuple[TenantShare, ...]:
    """Return each tenant's share of the counted MW, largest first."""
    by_tenant: dict[str, float] = {}
    for contract in contracts:
        measured = attributable_mw(contract)
        if measured is not None and measured[0] > 0:
            tenant = contract.counterparty.strip() or "undisclosed"
            by_tenant[tenant] = by_tenant.get(tenant, 0.0) + measured[0]
    total = sum(by_tenant.values())
    if total <= 0:
        return ()
    ranked = sorted(by_tenant.items(), key=lambda item: (-item[1], item[0].lower()))
    return tuple(TenantShare(name, mw, mw / total) for name, mw in ranked)


def valuation(inputs: ValuationInputs) -> Valuation:
    """Return every valuation figure of ``inputs.symbol``'s hosted, counted contracts."""
    counted = [
        c
        for c in inputs.contracts
        if c.host_symbol == inputs.symbol and c.deleted_at is None and is_counted(c)
    ]
    ev = enterprise_value(inputs)
    contracted_mw = _mw_sum(counted, "contracted MW")
    values = [(c, attributable_value(c)) for c in counted]
    valued = [c for c, v in values if v is not None]
    contracted_value = (
        Figure(
            sum(v for _, v in values if v is not None),
            (_ledger_input("contract value", valued),),
        )
        if valued
        else Figure(None, (_ledger_input("contract value", counted),), ("contract value",))
    )
    energised = _mw_sum([c for c in counted if c.status == ENERGISED], "energised MW")
    return Valuation(
        symbol=inputs.symbol,
        enterprise_value=ev,
        contracted_mw=contracted_mw,
        contracted_value=contracted_value,
        energised_mw=energised,
        ev_per_contracted_mw=_ratio(ev, contracted_mw),
        ev_per_energised_mw=_ratio(ev, energised),
        revenue_per_mw_year=revenue_per_mw_year(counted),
        value_to_ev=_ratio(contracted_value, ev),
        tenants=tenant_shares(counted),
        ledger_as_of=_oldest([c.status_as_of for c in counted if c.status_as_of]),
    )


__all__ = [
    "Figure",
    "Input",
    "TenantShare",
    "Valuation",
    "ValuationInputs",
    "enterprise_value",
    "revenue_per_mw_year",
    "tenant_shares",
    "valuation",
]
