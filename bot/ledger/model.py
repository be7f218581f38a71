"""Read models of the ledger as the store returns them (plain data, no Discord)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

# Contract columns that carry facts; history and seeding compare exactly these.
CONTRACT_FIELDS: Final = (
    "host_symbol",
    "counterparty",
    "end_customer",
    "backstop",
    "deal_type",
    "deal_kind",
    "announced_date",
    "mw_critical_it",
    "mw_gross",
    "mw_note",
    "term_years",
    "extension_options",
    "total_contract_value_usd",
    "value_kind",
    "value_exactness",
    "value_high_usd",
    "optional_value_usd",
    "tcv_with_extensions_usd",
    "host_share_pct",
    "annualised_revenue_usd",
    "annualised_revenue_basis",
    "annualised_revenue_note",
    "gpu_type",
    "gpu_count",
    "site",
    "site_location",
    "expected_delivery",
    "status",
    "status_as_of",
    "status_note",
    "confidence",
    "provenance",
    "post_article",
    "notes",
    "counterparty_symbol",
    "end_customer_symbol",
    "backstop_symbol",
)

FieldValue = str | float | int | bool | None


@dataclass(frozen=True, slots=True)
class Source:
    """A page that supports a figure."""

    url: str
    title: str | None = None
    date: str | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class Contract:
    """One contract as a server sees it."""

    id: int
    key: str | None
    guild_id: int | None  # None: the global ledger
    origin: str
    host_symbol: str
    counterparty: str
    status: str
    status_as_of: str
    confidence: str
    end_customer: str | None = None
    backstop: str | None = None
    deal_type: str | None = None
    deal_kind: str = "lease"
    announced_date: str | None = None
    mw_critical_it: float | None = None
    mw_gross: float | None = None
    mw_note: str | None = None
    term_years: float | None = None
    extension_options: str | None = None
    total_contract_value_usd: float | None = None
    value_kind: str = "contracted_revenue"
    value_exactness: str = "exact"
    value_high_usd: float | None = None
    optional_value_usd: float | None = None
    tcv_with_extensions_usd: float | None = None
    host_share_pct: float | None = None
    """The host's share of a joint venture in percent; None: the host holds all of it."""
    annualised_revenue_usd: float | None = None
    annualised_revenue_basis: str | None = None
    annualised_revenue_note: str | None = None
    gpu_type: str | None = None
    gpu_count: int | None = None
    site: str | None = None
    site_location: str | None = None
    expected_delivery: str | None = None
    status_note: str | None = None
    provenance: str | None = None
    post_article: bool | None = None
    notes: str | None = None
    counterparty_symbol: str | None = None
    end_customer_symbol: str | None = None
    backstop_symbol: str | None = None
    created_by: int | None = None
    created_at: str = ""
    updated_at: str = ""
    deleted_at: str | None = None
    sources: tuple[Source, ...] = field(default_factory=tuple)

    @property
    def is_global(self) -> bool:
        """Whether the contract belongs to the global ledger."""
        return self.guild_id is None

    @property
    def value_approx(self) -> bool:
        """Whether the contract value is approximate (shown with ~)."""
        return self.value_exactness == "approximate"


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One recorded change to a contract."""

    contract_id: int
    at: str
    actor_id: int | None
    actor_label: str
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None


@dataclass(frozen=True, slots=True)
class Site:
    """A power site of a company."""

    name: str
    location: str | None
    power_mw: float | None
    mw_basis: str | None
    note: str | None
    as_of: str | None
    confidence: str | None


@dataclass(frozen=True, slots=True)
class Company:
    """A tracked company's profile."""

    symbol: str
    name: str
    kind: str
    former_name: str | None = None
    exchange: str | None = None
    hq: str | None = None
    still_mines_btc: bool | None = None
    still_mines_btc_as_of: str | None = None
    power_mw: float | None = None
    power_basis: str | None = None
    power_approx: bool = False
    power_as_of: str | None = None
    power_note: str | None = None
    on_board: bool = False
    listed: bool = True
    """False for a private company: no share price, never polled."""
    cik: str | None = None
    """SEC's Central Index Key; None when unknown (its filings are then not watched)."""
    as_of: str | None = None
    confidence: str | None = None
    aliases: tuple[str, ...] = ()
    sites: tuple[Site, ...] = ()
    sources: tuple[Source, ...] = ()
