"""The ledger as rows a spreadsheet reads: every figure with what it is and whether it counts.

`/deals export` attaches the CSV of a server's view; `minerwatch ledger export` writes the
global ledger as CSV or JSON. Both use the same columns and the same counting rules as the
totals the bot shows, so a reader can redo every sum: a host's contracted MW and value are the
sums of its counted_mw (per basis) and counted_value_usd.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date
from typing import Final

from bot.ledger.counting import (
    attributable_mw,
    attributable_value,
    derived_annual,
    is_ranked,
    not_counted_reason,
    stale_reason,
)
from bot.ledger.model import Contract

Cell = str | float | int | bool | None

COLUMNS: Final = (
    "id",
    "key",
    "ledger",
    "host",
    "counterparty",
    "counterparty_symbol",
    "end_customer",
    "end_customer_symbol",
    "backstop",
    "backstop_symbol",
    "deal_kind",
    "deal_type",
    "status",
    "status_as_of",
    "status_may_be_stale",
    "expected_delivery",
    "announced",
    "mw_critical_it",
    "mw_gross",
    "host_share_pct",
    "counted_mw",
    "counted_mw_basis",
    "term_years",
    "value_usd",
    "value_kind",
    "value_exactness",
    "value_high_usd",
    "optional_value_usd",
    "value_with_extensions_usd",
    "counted_value_usd",
    "counted_in_totals",
    "not_counted_because",
    "ranked",
    "annualised_usd",
    "annualised_basis",
    "confidence",
    "sources",
)
# A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is kept as text.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def contract_row(contract: Contract, today: date) -> dict[str, Cell]:
    """Return one contract as a row of COLUMNS, derived figures computed as the totals do."""
    reason = not_counted_reason(contract)
    # What the row adds to its host's totals: its attributable share when counted, else nothing.
    power = attributable_mw(contract) if reason is None else None
    value = attributable_value(contract) if reason is None else None
    stated = contract.annualised_revenue_basis == "company_stated"
    annual = contract.annualised_revenue_usd if stated else derived_annual(contract)
    return {
        "id": contract.id,
        "key": contract.key,
        "ledger": "global" if contract.is_global else "server",
        "host": contract.host_symbol,
        "counterparty": contract.counterparty,
        "counterparty_symbol": contract.counterparty_symbol,
        "end_customer": contract.end_customer,
        "end_customer_symbol": contract.end_customer_symbol,
        "backstop": contract.backstop,
        "backstop_symbol": contract.backstop_symbol,
        "deal_kind": contract.deal_kind,
        "deal_type": contract.deal_type,
        "status": contract.status,
        "status_as_of": contract.status_as_of,
        "status_may_be_stale": stale_reason(contract, today) is not None,
        "expected_delivery": contract.expected_delivery,
        "announced": contract.announced_date,
        "mw_critical_it": contract.mw_critical_it,
        "mw_gross": contract.mw_gross,
        "host_share_pct": contract.host_share_pct,
        "counted_mw": None if power is None else round(power[0], 3),
        "counted_mw_basis": None if power is None else power[1],
        "term_years": contract.term_years,
        "value_usd": contract.total_contract_value_usd,
        "value_kind": contract.value_kind,
        "value_exactness": contract.value_exactness,
        "value_high_usd": contract.value_high_usd,
        "optional_value_usd": contract.optional_value_usd,
        "value_with_extensions_usd": contract.tcv_with_extensions_usd,
        "counted_value_usd": value,
        "counted_in_totals": reason is None,
        "not_counted_because": reason,
        "ranked": is_ranked(contract),
        "annualised_usd": None if annual is None else round(annual),
        "annualised_basis": None if annual is None else ("company_stated" if stated else "derived"),
        "confidence": contract.confidence,
        "sources": " ".join(source.url for source in contract.sources),
    }


def _csv_cell(value: Cell) -> Cell:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return f"'{value}"
    return value


def contracts_csv(contracts: Sequence[Contract], today: date) -> str:
    """Return the contracts as CSV text with a header row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for contract in contracts:
        row = contract_row(contract, today)
        writer.writerow({name: _csv_cell(value) for name, value in row.items()})
    return out.getvalue()


def contracts_json(contracts: Sequence[Contract], today: date) -> str:
    """Return the contracts as a JSON document: {as_of, contracts: [row, …]}."""
    rows = [contract_row(contract, today) for contract in contracts]
    return json.dumps({"as_of": today.isoformat(), "contracts": rows}, indent=2) + "\n"
