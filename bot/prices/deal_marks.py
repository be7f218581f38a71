"""Which ledger deals a company's price chart marks, and the short label each one gets."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Final

from bot.format import megawatts
from bot.ledger.model import Contract
from bot.render.price_chart import DealMark

# Words that add nothing on a chart label ("Fluidstack Ltd." reads "Fluidstack").
LEGAL_WORDS: Final = frozenset(
    {"inc", "inc.", "ltd", "ltd.", "llc", "corp", "corp.", "corporation", "plc", "co", "co."}
)
LABEL_LIMIT: Final = 24  # characters of a party's name on the chart


def party_label(name: str) -> str:
    """Return a short name for a counterparty: "Amazon Web Services (AMZN)" reads "AWS".

    A name of three or more capitalised words reads as its initials; an unnamed tenant as
    "Unnamed tenant"; anything else as its first two words, legal suffixes dropped.
    """
    plain = re.sub(r"\s*\([^)]*\)", "", name).replace(",", " ")
    words = [w for w in plain.split() if w.lower() not in LEGAL_WORDS]
    if not words:
        return name.strip()[:LABEL_LIMIT]
    if len(words) >= 3 and all(w[0].isupper() for w in words):
        return "".join(w[0] for w in words)
    if words[0].lower() == "unnamed":
        return f"Unnamed {words[-1]}"
    return " ".join(words[:2])[:LABEL_LIMIT]


def deal_label(contract: Contract) -> str:
    """Return "AWS 300 MW" (critical IT when known, else gross), or the name alone."""
    mw = contract.mw_critical_it if contract.mw_critical_it is not None else contract.mw_gross
    name = party_label(contract.counterparty)
    return f"{name} {megawatts(mw)}" if mw is not None else name


def deal_marks(contracts: Sequence[Contract], symbol: str) -> tuple[DealMark, ...]:
    """Return the announcement of every deal ``symbol`` hosts, oldest first.

    A deal without a valid announcement date is left out: its day is unknown.
    """
    marks = []
    for contract in contracts:
        if contract.host_symbol != symbol or contract.deleted_at is not None:
            continue
        try:
            day = date.fromisoformat(contract.announced_date or "")
        except ValueError:
            continue
        marks.append(DealMark(day, deal_label(contract)))
    return tuple(sorted(marks, key=lambda m: (m.day, m.label)))
