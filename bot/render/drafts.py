"""Drafts read from filings, as people see them: always marked extracted and unverified."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from bot.filings.draft_model import Draft
from bot.filings.extract import Proposal
from bot.format import megawatts, money, years
from bot.i18n import N_, _
from bot.ledger.model import FieldValue
from bot.limits import EMBED_DESCRIPTION, EMBED_FOOTER, EMBED_TITLE
from bot.render.contracts import safe, source_link, when
from bot.render.pages import clip

UNVERIFIED: Final = N_("(extracted, unverified)")
DRAFT_COLOUR: Final = 0x99AAB5  # grey: not a ledger fact
QUOTE_LIMIT: Final = 200  # characters of one quoted phrase
NAME_LIMIT: Final = 120
DRAFT_FOOTER: Final = N_(
    "A draft is not a ledger fact: nothing counts until a person confirms it · "
    "not investment advice"
)
# What each quoted field is called beside its quote.
QUOTE_LABELS: Final = {
    "counterparty": N_("tenant"),
    "end_customer": N_("end customer"),
    "backstop": N_("backstop"),
    "mw_critical_it": N_("MW critical IT"),
    "mw_gross": N_("MW gross"),
    "mw_note": N_("MW"),
    "term_years": N_("term"),
    "total_contract_value_usd": N_("value"),
    "value_usd": N_("value"),
    "mw_unstated": N_("MW"),
    "site": N_("site"),
    "announced_date": N_("announced"),
}
# The power's basis beside a figure, and the words a filing puts before an amount.
BASES: Final = {"critical IT": N_("critical IT"), "gross": N_("gross")}
QUALIFIERS: Final = {"up to": N_("up to"), "as much as": N_("as much as")}
UP_TO: Final = "up to"
BASIS_IT: Final = "critical IT"


def quote_label(name: str) -> str:
    """Return what a quoted field is called, in the current language."""
    label = QUOTE_LABELS.get(name)
    return _(label) if label is not None else name


def figure_lines(proposal: Proposal) -> list[str]:
    """Return the figures a filing states, e.g. "300 MW critical IT · 10 years · $3.2B ..."

    The first line holds the figures (MW, term, value), the second the parties and site;
    each line says the figures are extracted and unverified. Nothing stated, no line.
    """
    mw = [
        _power(quoted.value, quoted.qualifier, basis)
        for quoted, basis in (
            (proposal.mw_critical_it, BASIS_IT),
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
    return [f"{' · '.join(part)} {_(UNVERIFIED)}" for part in (figures, parties) if part]


def draft_lines(fields: Mapping[str, FieldValue]) -> list[str]:
    """Return a draft's figures and parties as ``figure_lines`` does, from stored fields."""
    figures = []
    for name, basis in (("mw_critical_it", BASIS_IT), ("mw_gross", "gross")):
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
        ceiling = UP_TO if fields.get("value_kind") == "target" else None
        figures.append(
            _value(float(value), exactness, float(high) if high is not None else None, ceiling)
        )
    parties = _parties(fields)
    return [f"{' · '.join(part)} {_(UNVERIFIED)}" for part in (figures, parties) if part]


def draft_heading(draft: Draft) -> str:
    """Return "Draft 7: CIFR ← Fluidstack Ltd." (the tenant, when the filing names one)."""
    tenant = draft.fields.get("counterparty")
    who = safe(str(tenant), NAME_LIMIT) if tenant else _("tenant not stated")
    return _("Draft {id}: {host} ← {tenant}", id=draft.id, host=draft.host_symbol, tenant=who)


def draft_embed(draft: Draft, position: int, count: int) -> dict[str, Any]:
    """Return one pending draft as an embed: its filing, its figures and their quotes."""
    scope = _("the global ledger") if draft.is_global else _("this server's ledger")
    filing = draft.filing
    link = source_link(filing.source())
    lines = [
        _(
            "Proposed for {scope} from {form} `{accession}` (filed {day}): {link}",
            scope=scope,
            form=safe(filing.form, 20),
            accession=filing.accession,
            day=filing.filed_date,
            link=link,
        ),
        "",
        *(
            draft_lines(draft.fields)
            or [_("No figures stated {unverified}", unverified=_(UNVERIFIED))]
        ),
    ]
    known = [name for name in ("site", "announced_date") if name in draft.fields]
    lines += [f"{quote_label(name)}: {safe(str(draft.fields[name]), NAME_LIMIT)}" for name in known]
    missing = [
        quote_label(name)
        for name in ("counterparty", "mw_critical_it", "term_years", "total_contract_value_usd")
        if name not in draft.fields
    ]
    if missing:
        lines.append(_("Not stated (left empty): {fields}", fields=", ".join(missing)))
    if draft.evidence:
        lines += ["", _("The filing's words:")]
        lines += [
            f"• {quote_label(name)}: “{safe(' '.join(phrase.split()), QUOTE_LIMIT)}”"
            for name, phrase in sorted(draft.evidence.items())
        ]
    if draft.edited_by is not None and draft.edited_at is not None:
        lines.append(
            _("Edited by <@{who}> {when}", who=draft.edited_by, when=when(draft.edited_at))
        )
    title = _(
        "{heading} ({position} of {count})",
        heading=draft_heading(draft),
        position=position,
        count=count,
    )
    return {
        "title": clip(title, EMBED_TITLE),
        "description": clip("\n".join(lines), EMBED_DESCRIPTION),
        "color": DRAFT_COLOUR,
        "footer": {"text": clip(_(DRAFT_FOOTER), EMBED_FOOTER)},
    }


def drafts_intro(count: int, scopes: Sequence[str]) -> str:
    """Return the line above the drafts: how many, for which ledgers."""
    where = _(" and ").join(scopes)
    if count == 0:
        return _("No drafts waiting for {where}.", where=where)
    return _(
        "{n} draft(s) waiting for {where}, read from SEC filings. Confirm enters one into the "
        "ledger with the filing as its source; Edit corrects it first; Dismiss sets it aside.",
        n=count,
        where=where,
    )


def _power(value: float | str, qualifier: str | None, basis: str | None) -> str:
    shown = megawatts(float(value))
    known = BASES.get(basis or "")
    if basis:
        text = f"{shown} {_(known) if known is not None else basis}"
    else:
        text = _("{power} (critical IT or gross not stated)", power=shown)
    return f"{_qualifier(qualifier)} {text}" if qualifier else text


def _qualifier(words: str | None) -> str:
    """Return the words a filing puts before a figure ("up to"), in the current language."""
    known = QUALIFIERS.get(words or "")
    return _(known) if known is not None else (words or "")


def _term(value: float | str) -> str:
    return years(float(value)).replace(" y", " years")


def _value(value: float | str, exactness: str, high: float | None, qualifier: str | None) -> str:
    amount = money(float(value))
    if exactness == "range" and high is not None:
        return f"{amount}–{money(high)}"
    if exactness == "floor":
        return _("more than {amount}", amount=amount)
    if exactness == "approximate":
        return f"~{amount}"
    return f"{_qualifier(qualifier)} {amount}" if qualifier in QUALIFIERS else amount


def _parties(values: Mapping[str, object]) -> list[str]:
    found = []
    for name, template in (
        ("counterparty", N_("with {name}")),
        ("end_customer", N_("for {name}")),
        ("backstop", N_("backstop {name}")),
        ("site", N_("at {name}")),
    ):
        value = values.get(name)
        if value:
            found.append(_(template, name=safe(str(value), NAME_LIMIT)))
    return found
