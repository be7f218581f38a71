"""What members type into /deals and /company, and how it maps onto the ledger's fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, overload

from discord import app_commands

from bot.errors import InvalidInput
from bot.i18n import N_, _
from bot.ledger.model import FieldValue
from bot.ledger.vocab import CONFIDENCES, DEAL_KINDS, EXACTNESSES, STATUSES
from bot.limits import AUTOCOMPLETE_CHOICES
from bot.render.contracts import HISTORY_VALUE_LIMIT, STATUS_LABELS, safe
from bot.render.leaderboard import METRIC_LABELS, Metric
from bot.symbols import MalformedSymbol, SymbolIndex, did_you_mean

# Option names are the public contract (product.md); the ledger's columns are internal.
OPTION_FIELDS: Final = {
    "host": "host_symbol",
    "counterparty": "counterparty",
    "mw_it": "mw_critical_it",
    "mw_gross": "mw_gross",
    "term_years": "term_years",
    "value_usd": "total_contract_value_usd",
    "status": "status",
    "announced": "announced_date",
    "end_customer": "end_customer",
    "gpu": "gpu_type",
    "site": "site",
    "notes": "notes",
    "confidence": "confidence",
    "status_as_of": "status_as_of",
    "kind": "deal_kind",
    "exactness": "value_exactness",
    "share_pct": "host_share_pct",
}
# Problems the ledger reports name the option the member typed.
FIELD_OPTIONS: Final = {field: option for option, field in OPTION_FIELDS.items()}
# What an edit's confirmation calls each field: words a member reads, not option keys.
FIELD_NAMES: Final = {
    "host_symbol": N_("Host"),
    "counterparty": N_("Counterparty"),
    "mw_critical_it": N_("Critical IT power (MW)"),
    "mw_gross": N_("Gross power (MW)"),
    "term_years": N_("Term (years)"),
    "total_contract_value_usd": N_("Total contract value (USD)"),
    "status": N_("Status"),
    "announced_date": N_("Announced"),
    "end_customer": N_("End customer"),
    "gpu_type": N_("GPUs"),
    "site": N_("Site"),
    "notes": N_("Notes"),
    "confidence": N_("Confidence"),
    "status_as_of": N_("Status as of"),
    "sources": N_("Sources"),
}

# Discord stops longer input in the client; the ledger checks the same limits again.
HOST_MAX: Final = 60
DATE_MAX: Final = 40  # long enough for a mistyped date to reach the check that explains it

STATUS_CHOICES: Final = [app_commands.Choice(name=STATUS_LABELS[s], value=s) for s in STATUSES]
CONFIDENCE_CHOICES: Final = [app_commands.Choice(name=c, value=c) for c in CONFIDENCES]
# Short choice names: /deals add and edit carry them twice within Discord's 4,000 characters.
KIND_SHORT: Final = {
    "lease": "lease",
    "gpu_cloud_services": "GPU cloud",
    "joint_venture": "JV",
    "acquisition_investment": "acquisition",
    "partnership_mou": "partnership/MOU",
}
KIND_CHOICES: Final = [app_commands.Choice(name=KIND_SHORT[k], value=k) for k in DEAL_KINDS]
EXACTNESS_LABELS: Final = {
    "exact": "exact",
    "approximate": "about",
    "floor": N_("more than"),
    "range": "range",
}
EXACTNESS_CHOICES: Final = [
    app_commands.Choice(name=EXACTNESS_LABELS[e], value=e) for e in EXACTNESSES if e != "range"
]
SCOPE_CHOICES: Final = [
    app_commands.Choice(name="server: this server's ledger (admins)", value="server"),
    app_commands.Choice(name="global: the ledger every server sees (bot owners)", value="global"),
]
METRIC_CHOICES: Final = [app_commands.Choice(name=METRIC_LABELS[m], value=m.value) for m in Metric]


def edit_line(name: str, old: str | None, new: str | None) -> str:
    """Return one change of an edit: "Critical IT power (MW): 50 → 60", values neutralised."""
    known = FIELD_NAMES.get(name)
    label = _(known) if known is not None else name.replace("_", " ").capitalize()
    return _(
        "{field}: {old} → {new}",
        field=label,
        old=safe(old, HISTORY_VALUE_LIMIT),
        new=safe(new, HISTORY_VALUE_LIMIT),
    )


def ledger_fields(options: Mapping[str, FieldValue]) -> dict[str, FieldValue]:
    """Map the options a member gave (None: not given) to ledger fields."""
    return {OPTION_FIELDS[name]: value for name, value in options.items() if value is not None}


def resolve_company(index: SymbolIndex, text: str, option: str) -> str:
    """Return the tracked symbol ``text`` names (symbol or alias), or raise InvalidInput."""
    try:
        symbol = index.resolve(text)
    except MalformedSymbol:
        symbol = None
    if symbol is None or symbol not in index:
        matches = index.close_matches(text)
        # Nothing alike: the list to pick from, as the autocomplete would offer it.
        hint = did_you_mean(matches) or " " + _(
            "Tracked: {symbols}.", symbols=", ".join(index.symbols())
        )
        shown = safe(text.strip(), 40)
        raise InvalidInput(
            [
                _(
                    "{option}: “{shown}” is not a tracked company; pick one from the list.{hint}",
                    option=option,
                    shown=shown,
                    hint=hint,
                )
            ]
        )
    return symbol


def company_choices(index: SymbolIndex, current: str) -> list[app_commands.Choice[str]]:
    """Return up to 25 tracked companies matching what has been typed so far."""
    return [
        app_commands.Choice(name=label, value=symbol)
        for label, symbol in index.suggest(current)
        if symbol in index
    ][:AUTOCOMPLETE_CHOICES]


@overload
def check_choice(option: str, value: str, allowed: tuple[str, ...]) -> str: ...
@overload
def check_choice(option: str, value: None, allowed: tuple[str, ...]) -> None: ...
@overload
def check_choice(option: str, value: str | None, allowed: tuple[str, ...]) -> str | None: ...
def check_choice(option: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    """Return ``value`` when it is one of ``allowed`` (the client offers only those)."""
    if value is not None and value not in allowed:
        raise InvalidInput(
            [_("{option}: must be one of: {allowed}", option=option, allowed=", ".join(allowed))]
        )
    return value
