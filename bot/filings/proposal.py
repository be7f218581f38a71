"""What reading a filing gives: values with their words, and the deals they make up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.ledger.model import FieldValue
from bot.ledger.vocab import Exactness, ValueKind

# A ceiling ("up to $9 billion") is a figure the company hopes to reach: a target.
CEILINGS: Final = ("up to", "as much as")


@dataclass(frozen=True, slots=True)
class Quoted:
    """One value read from a text, with the exact words it came from.

    ``exactness`` uses the ledger's vocabulary ("approximately" → approximate, "more than" →
    floor, "$3 to $3.5 billion" → range with ``high``); ``qualifier`` is the word as written.
    """

    value: str | float
    phrase: str
    exactness: Exactness = "exact"
    qualifier: str | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class Proposal:
    """One deal a text describes: the figures it states, each with its source phrase."""

    host: str
    counterparty: Quoted | None = None
    end_customer: Quoted | None = None
    backstop: Quoted | None = None
    mw_critical_it: Quoted | None = None
    mw_gross: Quoted | None = None
    mw_unstated: Quoted | None = None
    """MW whose basis (critical IT or gross) the text does not say: kept apart, unassigned."""
    term_years: Quoted | None = None
    value_usd: Quoted | None = None
    site: Quoted | None = None
    announced_date: Quoted | None = None

    @property
    def value_kind(self) -> ValueKind:
        """A ceiling ("up to") is a target; any other stated value is contracted revenue."""
        if self.value_usd is not None and self.value_usd.qualifier in CEILINGS:
            return "target"
        return "contracted_revenue"

    def quoted(self) -> dict[str, Quoted]:
        """Return every value the text states, by proposal field."""
        found: dict[str, Quoted] = {}
        for name in PROPOSAL_FIELDS:
            value = getattr(self, name)
            if value is not None:
                found[name] = value
        return found

    def contract_fields(self) -> dict[str, FieldValue]:
        """Return the stated values as contract fields (the ledger's names); nothing guessed."""
        fields: dict[str, FieldValue] = {"host_symbol": self.host}
        for name in ("counterparty", "end_customer", "backstop", "site", "announced_date"):
            value = getattr(self, name)
            if value is not None:
                fields[name] = str(value.value)
        for name in ("mw_critical_it", "mw_gross", "term_years"):
            value = getattr(self, name)
            if value is not None:
                fields[name] = float(value.value)
        if self.mw_unstated is not None:
            fields["mw_note"] = f"{self.mw_unstated.phrase} (critical IT or gross not stated)"
        if self.value_usd is not None:
            fields["total_contract_value_usd"] = float(self.value_usd.value)
            fields["value_exactness"] = self.value_usd.exactness
            fields["value_kind"] = self.value_kind
            if self.value_usd.high is not None:
                fields["value_high_usd"] = self.value_usd.high
        return fields


PROPOSAL_FIELDS: Final = (
    "counterparty",
    "end_customer",
    "backstop",
    "mw_critical_it",
    "mw_gross",
    "mw_unstated",
    "term_years",
    "value_usd",
    "site",
    "announced_date",
)
PARTY_FIELDS: Final = ("counterparty", "end_customer", "backstop")
FIGURE_FIELDS: Final = ("mw_critical_it", "mw_gross", "mw_unstated", "term_years", "value_usd")


@dataclass(frozen=True, slots=True)
class Mention:
    """One value found in the text: which field, where, and its sentence and paragraph."""

    field: str
    start: int
    quoted: Quoted
    sentence: int = 0
    paragraph: int = 0
