"""The shipped ledger file (bot/data/ledger.yaml): its shape, loading and sanity check."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.ledger.consistency import consistency_problems
from bot.ledger.limits import (
    CONTRACT_NUMBER_LIMITS,
    MAX_MW,
    MAX_NAME_LENGTH,
    MAX_TEXT_LENGTH,
    Problem,
    check_day,
    check_number,
    check_text,
    check_url,
)
from bot.ledger.vocab import (
    CompanyKind,
    Confidence,
    DealKind,
    DealType,
    Exactness,
    Provenance,
    RevenueBasis,
    Status,
    ValueKind,
)
from bot.market.symbols import MAX_SYMBOL_LENGTH


class _Record(BaseModel):
    # A typo in the shipped file must fail loudly, not vanish.
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRecord(_Record):
    """A page that supports a figure."""

    url: str
    title: str | None = None
    date: str | None = None
    kind: str | None = None


class DatedFlag(_Record):
    """A yes/no fact with its as-of date."""

    value: bool | None
    as_of: str | None = None
    note: str | None = None


class PowerPortfolio(_Record):
    """A company's total power, with what the figure measures."""

    mw: float | None = None
    basis: str | None = None
    approx: bool = False
    as_of: str | None = None
    note: str | None = None


class SiteRecord(_Record):
    """One power site of a company."""

    name: str
    location: str | None = None
    power_mw: float | None = None
    mw_basis: str | None = None
    note: str | None = None
    as_of: str | None = None
    confidence: Confidence | None = None
    provenance: Provenance | None = None


class CompanyRecord(_Record):
    """A tracked company as shipped."""

    symbol: str = Field(min_length=1, max_length=MAX_SYMBOL_LENGTH)
    name: str
    former_name: str | None = None
    exchange: str | None = None
    kind: CompanyKind
    hq: str | None = None
    hq_provenance: Provenance | None = None
    still_mines_btc: DatedFlag | None = None
    power_portfolio: PowerPortfolio | None = None
    aliases: list[str] = []
    tracked_on_board: bool = False
    listed: bool = True  # False: a private company, never priced
    # SEC's Central Index Key (digits); None: not known, so its filings are not watched.
    cik: str | None = Field(default=None, pattern=r"^[0-9]{1,10}$")

    @field_validator("cik")
    @classmethod
    def _cik_without_padding(cls, value: str | None) -> str | None:
        # EDGAR pads CIKs to ten digits in file names; the store keeps the number itself.
        return None if value is None else (value.lstrip("0") or None)

    sites: list[SiteRecord] = []
    sources: list[SourceRecord] = []
    as_of: str | None = None
    confidence: Confidence | None = None
    provenance: Provenance | None = None


class ContractRecord(_Record):
    """A contract of the global ledger as shipped; ``key`` is its stable id."""

    key: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")
    host: str
    counterparty: str
    end_customer: str | None = None
    backstop: str | None = None
    deal_type: DealType | None = None
    deal_kind: DealKind
    announced_date: str | None = None
    mw_critical_it: float | None = None
    mw_gross: float | None = None
    mw_note: str | None = None
    term_years: float | None = None
    extension_options: str | None = None
    total_contract_value_usd: float | None = None
    value_kind: ValueKind = "contracted_revenue"
    value_exactness: Exactness = "exact"
    value_high_usd: float | None = None
    optional_value_usd: float | None = None
    tcv_with_extensions_usd: float | None = None
    host_share_pct: float | None = None
    annualised_revenue_usd: float | None = None
    annualised_revenue_basis: RevenueBasis | None = None
    annualised_revenue_note: str | None = None
    gpu_type: str | None = None
    gpu_count: int | None = None
    site: str | None = None
    site_location: str | None = None
    expected_delivery: str | None = None
    status: Status
    status_as_of: str
    status_note: str | None = None
    sources: list[SourceRecord]
    confidence: Confidence
    provenance: Provenance | None = None
    post_article: bool | None = None
    notes: str | None = None
    counterparty_symbol: str | None = None
    end_customer_symbol: str | None = None
    backstop_symbol: str | None = None


class LedgerFile(_Record):
    """The whole shipped ledger."""

    schema_version: int
    as_of: str
    companies: list[CompanyRecord]
    contracts: list[ContractRecord]


class LedgerFileError(Exception):
    """The shipped ledger cannot be read or does not have the expected shape."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(f"{path}: " + "; ".join(problems))
        self.path = path
        self.problems = problems


def load_ledger(path: Path) -> LedgerFile:
    """Read and parse the ledger file, raising LedgerFileError with every shape problem."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LedgerFileError(path, [f"cannot read: {exc}"]) from exc
    try:
        return LedgerFile.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in err['loc'])}: {err['msg']}" for err in exc.errors()
        ]
        raise LedgerFileError(path, problems) from exc


def check_ledger(ledger: LedgerFile) -> list[Problem]:
    """List every rule the ledger breaks: sources, as-of dates, bounds, references, duplicates."""
    problems: list[Problem] = []
    symbols = [company.symbol for company in ledger.companies]
    for symbol, count in Counter(symbols).items():
        if count > 1:
            problems.append(Problem(f"companies.{symbol}", "listed more than once"))
    aliases = Counter(alias for company in ledger.companies for alias in company.aliases)
    for alias, count in aliases.items():
        if count > 1:
            problems.append(Problem(f"aliases.{alias}", "names more than one company"))
        if alias != alias.lower().strip() or not alias:
            problems.append(Problem(f"aliases.{alias}", "must be lowercase and not blank"))
    for company in ledger.companies:
        where = f"companies.{company.symbol}"
        problems.extend(_company_problems(where, company))
    keys = Counter(contract.key for contract in ledger.contracts)
    for key, count in keys.items():
        if count > 1:
            problems.append(Problem(f"contracts.{key}", "key used more than once"))
    known = set(symbols)
    for contract in ledger.contracts:
        where = f"contracts.{contract.key}"
        if contract.host not in known:
            problems.append(Problem(f"{where}.host", f"{contract.host} is not a listed company"))
        for role in ("counterparty_symbol", "end_customer_symbol", "backstop_symbol"):
            party = getattr(contract, role)
            if party is not None and party not in known:
                problems.append(Problem(f"{where}.{role}", f"{party} is not a company listed"))
        problems.extend(contract_problems(where, contract))
    return problems


def _company_problems(where: str, company: CompanyRecord) -> list[Problem]:
    found: list[Problem | None] = [check_text(f"{where}.name", company.name, MAX_NAME_LENGTH)]
    found += [check_url(f"{where}.sources.{i}.url", s.url) for i, s in enumerate(company.sources)]
    for i, site in enumerate(company.sites):
        found.append(check_number(f"{where}.sites.{i}.power_mw", site.power_mw, 0, MAX_MW, "MW"))
    if company.power_portfolio is not None:
        found.append(
            check_number(f"{where}.power_portfolio.mw", company.power_portfolio.mw, 0, MAX_MW, "MW")
        )
    return [problem for problem in found if problem is not None]


def contract_problems(where: str, contract: ContractRecord) -> list[Problem]:
    """Check one shipped contract's figures, dates, texts and sources."""
    found: list[Problem | None] = [
        check_text(f"{where}.counterparty", contract.counterparty, MAX_NAME_LENGTH),
        check_text(f"{where}.end_customer", contract.end_customer, MAX_TEXT_LENGTH),
        check_text(f"{where}.notes", contract.notes, MAX_TEXT_LENGTH),
        *(
            check_number(f"{where}.{name}", getattr(contract, name), 0, high, unit)
            for name, (high, unit) in CONTRACT_NUMBER_LIMITS.items()
        ),
        check_day(f"{where}.announced_date", contract.announced_date, partial=True),
        check_day(f"{where}.status_as_of", contract.status_as_of, partial=True),
    ]
    if contract.gpu_count is not None and contract.gpu_count < 0:
        found.append(Problem(f"{where}.gpu_count", "must not be negative"))
    if not contract.sources:
        found.append(Problem(f"{where}.sources", "every contract needs at least one source link"))
    for i, source in enumerate(contract.sources):
        found.append(check_url(f"{where}.sources.{i}.url", source.url))
        found.append(check_day(f"{where}.sources.{i}.date", source.date, partial=True))
    if contract.host_share_pct is not None and contract.host_share_pct == 0:
        found.append(Problem(f"{where}.host_share_pct", "must be more than 0 %"))
    fields = contract.model_dump(exclude={"key", "host", "sources"})
    found += [Problem(f"{where}.{p.field}", p.message) for p in consistency_problems(fields)]
    if contract.annualised_revenue_usd is not None and contract.annualised_revenue_basis is None:
        found.append(
            Problem(
                f"{where}.annualised_revenue_basis",
                "say whether the figure is company_stated or derived",
            )
        )
    return [problem for problem in found if problem is not None]
