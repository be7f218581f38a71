"""What a draft is: a proposal read from a filing, waiting for a person (plain data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.ledger.model import FieldValue, Source

# The contract fields a draft proposes (the ledger's names); the rest stays for the ledger.
DRAFT_FIELDS: Final = (
    "counterparty",
    "end_customer",
    "backstop",
    "mw_critical_it",
    "mw_gross",
    "mw_note",
    "term_years",
    "total_contract_value_usd",
    "value_kind",
    "value_exactness",
    "value_high_usd",
    "site",
    "announced_date",
)
DRAFT_STATES: Final = ("pending", "confirmed", "dismissed")
SOURCE_KIND: Final = "sec_filing"


@dataclass(frozen=True, slots=True)
class FilingRef:
    """The filing a draft was read from, as EDGAR names it."""

    accession: str  # 0001234567-26-000123
    cik: str
    form: str  # 8-K, 6-K, ...
    filed_date: str  # YYYY-MM-DD
    url: str  # the filing index (or the document) on EDGAR
    title: str | None = None
    accepted_at: str | None = None

    def source(self) -> Source:
        """The ledger source this filing becomes once a draft is confirmed."""
        return Source(self.url, self.title or self.label, self.filed_date, SOURCE_KIND)

    @property
    def label(self) -> str:
        """How history and lists name the filing: 'SEC 8-K 0001234567-26-000123, filed …'."""
        return f"SEC {self.form} {self.accession}, filed {self.filed_date}"


@dataclass(frozen=True, slots=True)
class Draft:
    """One proposal of a filing for one ledger (global or a server's)."""

    id: int
    guild_id: int | None  # None: for the global ledger
    filing: FilingRef
    proposal_index: int
    host_symbol: str
    fields: dict[str, FieldValue]
    """The proposed contract fields that are known; an unknown one is absent, never guessed."""
    evidence: dict[str, str]
    """The words each extracted field was read from (edited fields keep no quote)."""
    state: str
    created_at: str
    contract_id: int | None = None
    decided_by: int | None = None
    decided_at: str | None = None
    edited_by: int | None = None
    edited_at: str | None = None

    @property
    def is_global(self) -> bool:
        return self.guild_id is None

    def contract_fields(self) -> dict[str, FieldValue]:
        """The fields the contract gets on confirmation (the host and every known value)."""
        return {"host_symbol": self.host_symbol, **self.fields}
