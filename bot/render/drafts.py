"""Drafts read from filings, as people see them: always marked extracted and unverified."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from bot.filings.draft_model import Draft
from bot.filings.extract import Proposal
from bot.format import megawatts, money, years
from bot.ledger.model import FieldValue
from bot.limits import EMBED_DESCRIPTION, EMBED_FOOTER, EMBED_TITLE
from bot.render.contracts import safe, source_link, when
from bot.render.pages import clip

UNVERIFIED: Final = "(extracted, unverified)"
DRAFT_COLOUR: Final = 0x99AAB5  # grey: not a ledger fact
QUOTE_LIMIT: Final = 200  # characters of one quoted phrase
NAME_LIMIT: Final = 120
DRAFT_FOOTER: Final = (
    "A draft is not a ledger fact: nothing counts until a person confirms it · "
    "not investment advice"
)
# What each quoted field is called beside its quote.
QUOTE_LABELS: Final = {
    "counterparty": "tenant",
    "end_customer": "end customer",
    "backstop": "backstop",
    "mw_critical_it": "MW critical IT",
    "mw_gross": "MW gross",
    "mw_note": "MW",
    "term_years": "term",
    "total_contract_value_usd": "value",
    "value_usd": "value",
    "mw_unstated": "MW",
    "site": "site",
    "announced_date": "announced",
}


def figure_lines(proposal: Proposal) -> list[str]:
    """Return the figures a filing states, e.g. "300 MW critical IT · 10 years · $3.2B ..."

    The first line holds the figures (MW, term, value), the second the parties and site;
    each line says the figures are extracted and unverified. Nothing stated, no line.
    """
    mw = [
        _power(quoted.value, quoted.qualifier, basis)
        for quoted, basis in (
            (proposal.mw_critical_it, "critical IT"),
            (proposal.mw_gross, "gross"),
            (proposal.mw_unstated, None),
        )
        if quoted is not None and isinstance(quoted.value, float)
    ]
    term = proposal.term_years
    value = proposal.value_usd
    figures = [
        *mw,
        *([_term(term.value)] if term is not None and isinstance(term.value, float) else []),
        *(
            [_value(value.value, value.exactness, value.high, value.qualifier)]
            if value is not None and isinstance(value.value, float)
            else []
        ),
    ]
    parties = _parties({name: q.value for name, q in proposal.quoted().items()})
    return [f"{' · '.join(part)} {UNVERIFIED}" for part in (figures, parties) if part]


def draft_lines(fields: Mapping[str, FieldValue]) -> list[str]:
    """Return a draft's figures and parties as ``figure_lines`` does, from stored fields."""
    figures = []
    for name, basis in (("mw_critical_it", "critical IT"), ("mw_gross", "gross")):
        value = fields.get(name)
        if isinstance(value, float | int):
            figures.append(_power(float(value), None, basis))
    note = fields.get("mw_note")
    if isinstance(note, str):
        figures.append(safe(note, QUOTE_LIMIT))
    term = fields.get("term_years")
    if isinstance(term, float | int):
        figures.append(_term(float(term)))
    value = fields.get("total_contract_value_usd")
    if isinstance(value, float | int):
        high = fields.get("value_high_usd")
        exactness = str(fields.get("value_exactness") or "exact")
        ceiling = "up to" if fields.get("value_kind") == "target" else None
        figures.append(
            _value(float(value), exactness, float(high) if high is not None else None, ceiling)
        )
    parties = _parties(fields)
    return [f"{' · '.join(part)} {UNVERIFIED}" for part in (figures, parties) if part]


def draft_heading(draft: Draft) -> str:
    """Return "Draft 7: CIFR ← Fluidstack Ltd." (the tenant, when the filing names one)."""
    tenant = draft.fields.get("counterparty")
    who = safe(str(tenant), NAME_LIMIT) if tenant else "tenant not stated"
    return f"Draft {draft.id}: {draft.host_symbol} ← {who}"


def draft_embed(draft: Draft, position: int, count: int) -> dict[str, Any]:
    """Return one pending draft as an embed: its filing, its figures and their quotes."""
    scope = "the global ledger" if draft.is_global else "this server's ledger"
    filing = draft.filing
    link = source_link(filing.source())
    lines = [
        f"Proposed for {scope} from {safe(filing.form, 20)} `{filing.accession}` "
        f"(filed {filing.filed_date}): {link}",
        "",
        *(draft_lines(draft.fields) or [f"No figures stated {UNVERIFIED}"]),
    ]
    known = [name for name in ("site", "announced_date") if name in draft.fields]
    lines += [
        f"{QUOTE_LABELS[name]}: {safe(str(draft.fields[name]), NAME_LIMIT)}" for name in known
    ]
    missing = [
        label
        for name, label in (
            ("counterparty", "tenant"),
            ("mw_critical_it", "MW critical IT"),
            ("term_years", "term"),
            ("total_contract_value_usd", "value"),
        )
        if name not in draft.fields
    ]
    if missing:
        lines.append(f"Not stated (left empty): {', '.join(missing)}")
    if draft.evidence:
        lines += ["", "The filing's words:"]
        lines += [
            f"• {QUOTE_LABELS.get(name, name)}: “{safe(' '.join(phrase.split()), QUOTE_LIMIT)}”"
            for name, phrase in sorted(draft.evidence.items())
        ]
    if draft.edited_by is not None and draft.edited_at is not None:
        lines.append(f"Edited by <@{draft.edited_by}> {when(draft.edited_at)}")
    return {
        "title": clip(f"{draft_heading(draft)} ({position} of {count})", EMBED_TITLE),
        "description": clip("\n".join(lines), EMBED_DESCRIPTION),
        "color": DRAFT_COLOUR,
        "footer": {"text": clip(DRAFT_FOOTER, EMBED_FOOTER)},
    }


def drafts_intro(count: int, scopes: Sequence[str]) -> str:
    """Return the line above the drafts: how many, for which ledgers."""
    where = " and ".join(scopes)
    if count == 0:
        return f"No drafts waiting for {where}."
    return (
        f"{count} draft(s) waiting for {where}, read from SEC filings. Confirm enters one into "
        "the ledger with the filing as its source; Edit corrects it first; Dismiss sets it aside."
    )


def _power(value: float | str, qualifier: str | None, basis: str | None) -> str:
    shown = megawatts(float(value))
    text = f"{shown} {basis}" if basis else f"{shown} (critical IT or gross not stated)"
    return f"{qualifier} {text}" if qualifier else text


def _term(value: float | str) -> str:
    return years(float(value)).replace(" y", " years")


def _value(value: float | str, exactness: str, high: float | None, qualifier: str | None) -> str:
    amount = money(float(value))
    if exactness == "range" and high is not None:
        return f"{amount}–{money(high)}"
    if exactness == "floor":
        return f"more than {amount}"
    if exactness == "approximate":
        return f"~{amount}"
    return f"{qualifier} {amount}" if qualifier in ("up to", "as much as") else amount


def _parties(values: Mapping[str, object]) -> list[str]:
    found = []
    for name, label in (
        ("counterparty", "with"),
        ("end_customer", "for"),
        ("backstop", "backstop"),
    ):
        value = values.get(name)
        if value:
            found.append(f"{label} {safe(str(value), NAME_LIMIT)}")
    site = values.get("site")
    if site:
        found.append(f"at {safe(str(site), NAME_LIMIT)}")
    return found
