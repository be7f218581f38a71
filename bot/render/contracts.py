"""Contracts in, embed dicts out: the ledger list, one contract in full, and watch posts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Final
from urllib.parse import quote, urlsplit

from bot.format import DASH, megawatts, money, number, timestamp, years
from bot.format import figure as typed_figure
from bot.i18n import N_, _, ngettext
from bot.ledger.changes import Change
from bot.ledger.counting import (
    STALE_MARK,
    attributable_mw,
    attributable_value,
    derived_annual,
    is_lower_bound,
    share,
    stale_reason,
)
from bot.ledger.model import Contract, HistoryEntry, Source
from bot.limits import EMBED_DESCRIPTION, EMBED_FIELD_VALUE, EMBED_TITLE
from bot.render.exposure import (
    COUNTS_NOTE,
    Exposure,
    exposures,
    power_text,
    total_money,
    uncounted_note,
    value_text,
)
from bot.render.pages import (
    Field,
    PageFrame,
    chunk_lines,
    clip,
    paginate,
    split_text,
)
from bot.text import neutralise

LEDGER_COLOUR: Final = 0xF7931A  # bitcoin orange, as /help and the board
REMOVED_COLOUR: Final = 0x99AAB5  # Discord's grey
TERMINATED_COLOUR: Final = 0xED4245  # Discord's red
# Five contracts are about one screen; each takes 400-900 of the 6,000 characters a page holds.
CONTRACTS_PER_PAGE: Final = 5
# In the list, free text is cut so seven lines of one contract stay within a 1,024 field.
LIST_TEXT_LIMIT: Final = 100
LINK_TITLE_LIMIT: Final = 90
HISTORY_VALUE_LIMIT: Final = 120  # old and new values in a history line
NAME_LIMIT: Final = 150  # counterparty in a title (Discord allows 256 for the whole title)

STATUS_LABELS: Final = {
    "announced": N_("announced"),
    "mou": N_("MOU (non-binding)"),
    "conditional": N_("conditional"),
    "signed": N_("signed"),
    "under_construction": N_("under construction"),
    "partially_energized": N_("partially energised"),
    "energized": N_("energised"),
    "terminated": N_("terminated"),
}
DEAL_KIND_LABELS: Final = {
    "lease": N_("colocation / powered-shell lease"),
    "gpu_cloud_services": N_("GPU-cloud services"),
    "joint_venture": N_("joint venture"),
    "acquisition_investment": N_("acquisition / investment"),
    "partnership_mou": N_("partnership / MOU"),
}
REVENUE_BASIS_LABELS: Final = {
    "company_stated": N_("company-stated"),
    "derived": N_("derived: value ÷ term, not company guidance"),
}
# History shows the option names members type, not the store's column names.
FIELD_LABELS: Final = {
    "host_symbol": "host",
    "mw_critical_it": "mw_it",
    "total_contract_value_usd": "value_usd",
    "announced_date": "announced",
    "gpu_type": "gpu",
    "sources": "source_url",
    "deleted_at": "removed",
    "deal_kind": "kind",
    "value_exactness": "exactness",
    "host_share_pct": "share_pct",
}
ACTION_LABELS: Final = {
    "create": N_("added"),
    "update": N_("changed"),
    "delete": N_("removed"),
    "restore": N_("restored"),
}
SHIPPED_ACTOR: Final = "ledger"
CONFIDENCE_LABELS: Final = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}
TOTALS_NOTE: Final = N_(
    "MW are critical IT where disclosed, else gross (labelled); — means not disclosed. Each "
    "total is as of the oldest status date it relies on."
)
LIST_FOOTER: Final = N_("/deals show <id> for a contract in full · not investment advice")
WATCH_FOOTER: Final = N_("Minerwatch deal watch · /deals unwatch to stop")
_LINK_UNSAFE = re.compile(r"[\s()<>\[\]\\`|\"]")


def safe(text: str | None, limit: int | None = None) -> str:
    """Show user-stored text inertly: no pings, no markdown or masked links; dash when empty."""
    if text is None or not text.strip():
        return DASH
    shown = neutralise(text)
    return shown if limit is None else clip(shown, limit)


def source_link(source: Source, title_limit: int = LINK_TITLE_LIMIT) -> str:
    """Return a markdown link to ``source``: neutralised title, http(s) target only."""
    parts = urlsplit(source.url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return _("{url} (not an http(s) link)", url=safe(source.url, 60))
    # Brackets in the title would end the link text early; show them as parentheses.
    title = (source.title or parts.hostname).replace("[", "(").replace("]", ")")
    target = _LINK_UNSAFE.sub(lambda m: quote(m.group(0), safe=""), source.url)
    return f"[{safe(title, title_limit)}]({target})"


def status_text(contract: Contract, today: date | None = None) -> str:
    """Return the status with its as-of date, marked when it may be stale (``today`` given)."""
    known = STATUS_LABELS.get(contract.status)
    label = _(known) if known is not None else safe(contract.status, 40)
    if contract.status == "terminated":
        label = f"⛔ **{label}**"
    text = _("{status} (as of {day})", status=label, day=safe(contract.status_as_of, 20))
    if today is not None and stale_reason(contract, today) is not None:
        text += f" · ⚠ {_(STALE_MARK)}"
    return text


def kind_label(contract: Contract) -> str:
    """Return what kind of deal this is, in words."""
    known = DEAL_KIND_LABELS.get(contract.deal_kind)
    return _(known) if known is not None else safe(contract.deal_kind, 40)


def share_note(contract: Contract) -> str | None:
    """Return '100 % JV; 51 % attributable' for a joint venture the host holds in part."""
    if share(contract) >= 1:
        return None
    return _("100 % JV; {share} % attributable", share=typed_figure(share(contract) * 100))


def power_of(contract: Contract) -> str:
    """Return both MW figures with their basis, a dash for the one not disclosed."""
    it, gross = contract.mw_critical_it, contract.mw_gross
    if it is None and gross is None:
        return DASH
    if gross is None:
        text = f"{megawatts(it, 'IT')} · {_('gross')} {DASH}"
    elif it is None:
        text = f"{megawatts(gross, 'gross')} · {_('IT')} {DASH}"
    else:
        text = f"{megawatts(it, 'IT')} · {megawatts(gross, 'gross')}"
    note = share_note(contract)
    power = attributable_mw(contract)
    if note and power is not None:
        text += " " + _("({note}: {figure})", note=note, figure=megawatts(power[0], power[1]))
    return text


def figure(contract: Contract, value: float | None) -> str:
    """Format one of the contract's money figures with its exactness: > $10B, ~$3B."""
    approx = contract.value_approx
    return total_money(value, approx=approx, floor=contract.value_exactness == "floor")


def contract_value(contract: Contract) -> str:
    """Return the value as what it is (firm, floor, range, price paid, target), options apart."""
    value = contract.total_contract_value_usd
    if contract.value_exactness == "range" and value is not None:
        text = f"{money(value)}–{money(contract.value_high_usd)}"
    else:
        text = figure(contract, value)
    if value is not None and contract.value_kind == "purchase_price":
        text += " " + _("purchase price (not contract revenue)")
    elif value is not None and contract.value_kind == "target":
        text += " " + _("target (not a contract)")
    elif value is not None and contract.optional_value_usd is not None:
        text += " " + _("firm")
    if contract.optional_value_usd is not None:
        optional = money(contract.optional_value_usd, approx=contract.value_approx)
        text += " · " + _(
            "optional purchase of up to {optional} more, not counted", optional=optional
        )
    if contract.tcv_with_extensions_usd is not None:
        extended = money(contract.tcv_with_extensions_usd, approx=contract.value_approx)
        text += " " + _("({extended} with extensions, not counted)", extended=extended)
    note = share_note(contract)
    attributable = attributable_value(contract)
    if note and attributable is not None:
        text += " " + _("({note}: {figure})", note=note, figure=figure(contract, attributable))
    return text


def revenue_of(contract: Contract) -> str:
    """Return annualised revenue: company-stated as stored, else derived as value ÷ term."""
    stated = contract.annualised_revenue_usd
    if stated is not None and contract.annualised_revenue_basis == "company_stated":
        if contract.value_kind == "target":
            return _(
                "{amount}/yr (company-stated target, not a contract; not counted)",
                amount=money(stated),
            )
        basis = _(REVENUE_BASIS_LABELS["company_stated"])
        return _("{amount}/yr ({basis})", amount=money(stated), basis=basis)
    annual = derived_annual(contract)
    if annual is None:
        return DASH
    shown = total_money(annual, approx=contract.value_approx, floor=is_lower_bound(contract))
    return _("{amount}/yr ({basis})", amount=shown, basis=_(REVENUE_BASIS_LABELS["derived"]))


def gpus_of(contract: Contract, limit: int | None = None) -> str:
    """Return the GPU type and count as disclosed."""
    count = (
        ngettext("{n} GPU", "{n} GPUs", contract.gpu_count, n=number(contract.gpu_count))
        if contract.gpu_count is not None
        else None
    )
    if contract.gpu_type is None:
        return count or DASH
    kind = safe(contract.gpu_type, limit)
    return f"{kind} ({count})" if count else kind


def site_of(contract: Contract, limit: int | None = None) -> str:
    """Return the site and its location."""
    if contract.site is None and contract.site_location is None:
        return DASH
    if contract.site is None:
        return safe(contract.site_location, limit)
    site = safe(contract.site, limit)
    if contract.site_location is None:
        return site
    return f"{site} ({safe(contract.site_location, limit)})"


def heading(contract: Contract) -> str:
    """Return '#12 · CIFR ← Fluidstack' with markers for terminated, removed and server rows."""
    text = f"#{contract.id} · {contract.host_symbol} ← {safe(contract.counterparty, NAME_LIMIT)}"
    if contract.status == "terminated":
        text += " · ⛔ " + _("terminated")
    if contract.deleted_at is not None:
        text += " · " + _("removed")
    if not contract.is_global:
        text += " · " + _("this server's entry")
    return text


def summary_lines(
    contract: Contract, limit: int = LIST_TEXT_LIMIT, today: date | None = None
) -> list[str]:
    """Return the lines that describe a contract in a list (without its source)."""
    return [
        _(
            "**Status** {status} · **confidence** {confidence} · **kind** {kind}",
            status=status_text(contract, today),
            confidence=confidence_of(contract),
            kind=kind_label(contract),
        ),
        _("**MW** {power}", power=power_of(contract)),
        _(
            "**Term** {term} · **value** {value}",
            term=years(contract.term_years),
            value=contract_value(contract),
        ),
        _("**Annualised** {revenue}", revenue=revenue_of(contract)),
        _(
            "**End customer** {customer} · **backstop** {backstop}",
            customer=safe(contract.end_customer, limit),
            backstop=safe(contract.backstop, limit),
        ),
        _(
            "**GPUs** {gpus} · **site** {site}",
            gpus=gpus_of(contract, limit),
            site=site_of(contract, limit),
        ),
    ]


def confidence_of(contract: Contract) -> str:
    """Return the confidence in words (the ledger's vocabulary, translated on display)."""
    return confidence_word(contract.confidence)


def confidence_word(confidence: str | None) -> str:
    """Return a ledger confidence (high, medium, low) in the reader's language."""
    known = CONFIDENCE_LABELS.get(confidence or "")
    return _(known) if known is not None else safe(confidence, 20)


def source_line(contract: Contract, budget: int) -> str:
    """Return the first source as a link within ``budget`` characters, and how many more."""
    if not contract.sources:
        return _("**Source** {dash} (none recorded)", dash=DASH)
    first = contract.sources[0]
    more = len(contract.sources) - 1
    suffix = f" · {safe(first.date, 20)}" if first.date else ""
    if more:
        suffix += " " + _("(+{n} more in `/deals show {id}`)", n=more, id=contract.id)
    line = _link_within(first, budget, _("**Source**") + " ", suffix)
    if line is not None:
        return line
    # A link longer than the field itself: name the site, the full link is in /deals show.
    host = urlsplit(first.url).hostname or "link"
    return _(
        "**Source** {site} (link too long to show here: `/deals show {id}`)",
        site=safe(host, 60),
        id=contract.id,
    )


def contract_field(contract: Contract, today: date | None = None) -> Field:
    """Return one contract as a list field: every key figure, its status date and source."""
    lines = summary_lines(contract, today=today)
    body = "\n".join(lines)
    # The source is what makes a figure checkable: it gets whatever room the rest leaves.
    return Field(
        heading(contract), f"{body}\n{source_line(contract, EMBED_FIELD_VALUE - len(body) - 1)}"
    )


def totals_line(exposure: Exposure, not_counted: str) -> str:
    """Return one company's totals: counted deals, attributable MW, value, oldest as-of."""
    if not exposure.contracts:
        return f"**{exposure.symbol}** · {_('no deal counted')}" + (
            f" · {not_counted}" if not_counted else ""
        )
    deals = ngettext("{n} deal", "{n} deals", exposure.contracts)
    value = value_text(exposure)
    if exposure.value_unknown:
        value += " " + ngettext("(+{n} undisclosed)", "(+{n} undisclosed)", exposure.value_unknown)
    line = f"**{exposure.symbol}** · {deals} · {power_text(exposure)} · {value}"
    line += "".join(f" · {extra}" for extra in exposure_notes(exposure))
    if not_counted:
        line += f" · {not_counted}"
    return line


def exposure_notes(exposure: Exposure) -> list[str]:
    """Return what a total relies on: JV shares, low-confidence rows, the oldest as-of."""
    notes = []
    if exposure.partial_share:
        notes.append(
            ngettext(
                "{n} JV at the host's share", "{n} JVs at the host's share", exposure.partial_share
            )
        )
    if exposure.low_confidence:
        notes.append(_("incl. {n} low-confidence", n=exposure.low_confidence))
    if exposure.contracts:
        notes.append(_("as of {day} (oldest)", day=safe(exposure.as_of, 20)))
    return notes


def totals_lines(contracts: Sequence[Contract]) -> list[str]:
    """Return per-host totals of the binding contracts among those shown."""
    sums = exposures(contracts)
    hosts = sorted({c.host_symbol for c in contracts})
    return [
        totals_line(
            sums.get(host, Exposure(host)),
            uncounted_note(c for c in contracts if c.host_symbol == host),
        )
        for host in hosts
    ]


def contract_list_pages(
    contracts: Sequence[Contract],
    *,
    title: str | None = None,
    scope_note: str = "",
    today: date | None = None,
) -> list[dict[str, Any]]:
    """Return the list as pages: totals per company first, then each contract."""
    head = [scope_note] if scope_note else []
    totals_note = f"{_(COUNTS_NOTE)} {_(TOTALS_NOTE)}"
    description = "\n".join([*head, totals_note, "", *totals_lines(contracts)])
    frame = PageFrame(
        title=title if title is not None else _("AI hosting contracts"),
        colour=LEDGER_COLOUR,
        description=clip(description, EMBED_DESCRIPTION),
        continued=scope_note,
        footer=_(LIST_FOOTER),
    )
    fields = [contract_field(contract, today) for contract in contracts]
    return paginate(frame, fields, per_page=CONTRACTS_PER_PAGE)


# ----- one contract in full ---------------------------------------------------------------


def detail_lines(contract: Contract, today: date | None = None) -> list[str]:
    """Return every short fact of a contract, one per line."""
    scope = _("global ledger") if contract.is_global else _("this server's ledger")
    origin = (
        _("shipped with the bot")
        if contract.origin == "seed"
        else _("added by {who}", who=who(contract.created_by, None))
    )
    lines = [
        _("**Ledger** {scope} · {origin}", scope=scope, origin=origin),
        _("**Status** {status}", status=status_text(contract, today)),
    ]
    reason = stale_reason(contract, today) if today is not None else None
    if reason is not None:
        lines.append(f"⚠ **{_(STALE_MARK)}**: {reason}.")
    if contract.deleted_at is not None:
        lines.append(_("**Removed** {when}", when=when(contract.deleted_at)))
    deal_type = (contract.deal_type or "").replace("_", " ") or None
    lines += [
        _(
            "**Kind** {kind} · **deal type** {deal_type} · **announced** {announced}",
            kind=kind_label(contract),
            deal_type=safe(deal_type, 40),
            announced=safe(contract.announced_date, 20),
        ),
        _("**MW** {power}", power=power_of(contract)),
        _(
            "**Term** {term} · **extension options** {options}",
            term=years(contract.term_years),
            options=safe(contract.extension_options, 200),
        ),
        _("**Total contract value** {value}", value=contract_value(contract)),
        _("**Annualised revenue** {revenue}", revenue=revenue_of(contract)),
        _("**GPUs** {gpus}", gpus=gpus_of(contract, 300)),
        _("**Site** {site}", site=site_of(contract, 300)),
        _("**Expected delivery** {delivery}", delivery=safe(contract.expected_delivery, 300)),
        _("**End customer** {customer}", customer=safe(contract.end_customer, 300)),
        _(
            "**Confidence** {confidence} · **provenance** {provenance}",
            confidence=confidence_of(contract),
            provenance=safe(contract.provenance, 30),
        ),
    ]
    return lines


def note_fields(contract: Contract) -> list[Field]:
    """Return the long free-text facts (backstop and notes), each in its own field."""
    notes = (
        (_("Backstop"), contract.backstop),
        (_("About the MW"), contract.mw_note),
        (_("About the status"), contract.status_note),
        (_("About the revenue"), contract.annualised_revenue_note),
        (_("Notes"), contract.notes),
    )
    # Escaping can double a 1,000-character note: it continues in further fields, never cut.
    return [
        Field(name if i == 0 else _("{name} (continued)", name=name), piece)
        for name, text in notes
        if text
        for i, piece in enumerate(split_text(safe(text)))
    ]


def _link_within(source: Source, budget: int, before: str, after: str) -> str | None:
    """Return ``before``, the source's link and ``after`` within ``budget`` (None: no fit)."""
    for title_limit in (LINK_TITLE_LIMIT, 30):
        line = f"{before}{source_link(source, title_limit)}{after}"
        if len(line) <= budget:
            return line
    return None


def source_entry(source: Source, budget: int = EMBED_FIELD_VALUE) -> str:
    """Return '• [title](url) · date · kind' within ``budget``; the site's name if it cannot."""
    kind = source.kind.replace("_", " ") if source.kind else None  # press_release → press release
    extra = "".join(f" · {safe(part, 30)}" for part in (source.date, kind) if part)
    line = _link_within(source, budget, "• ", extra)
    if line is not None:
        return line
    # A cut link would point somewhere else: name the site rather than show half a URL.
    host = urlsplit(source.url).hostname or "link"
    shown = _("{site} (link too long for Discord to show)", site=safe(host, 60))
    return f"• {shown}{extra}"


def sources_fields(sources: Sequence[Source]) -> list[Field]:
    """Return every source as a link with its date and kind, in as many fields as needed."""
    lines = [source_entry(source) for source in sources] or [_("{dash} (none recorded)", dash=DASH)]
    blocks = chunk_lines(lines)
    return [
        Field(_("Sources") if i == 0 else _("Sources (continued)"), block)
        for i, block in enumerate(blocks)
    ]


def change_text(entry: HistoryEntry) -> str:
    """Return what one history entry did: 'added', or '`mw_it`: 168 → 170'."""
    if entry.action == "update" and entry.field is not None:
        return field_change(entry.field, entry.old_value, entry.new_value)
    if entry.action == "create" and entry.new_value:
        # Added from a filing's draft: the history names the filing beside the confirmer.
        return _("added from {filing}", filing=safe(entry.new_value, HISTORY_VALUE_LIMIT))
    label = ACTION_LABELS.get(entry.action)
    return _(label) if label is not None else safe(entry.action, 20)


def field_change(name: str, old: str | None, new: str | None) -> str:
    """Return '`mw_it`: 168 → 170' with the option name members type and neutralised values."""
    label = FIELD_LABELS.get(name, name)
    return f"`{label}`: {safe(old, HISTORY_VALUE_LIMIT)} → {safe(new, HISTORY_VALUE_LIMIT)}"


def history_line(entry: HistoryEntry) -> str:
    """Return one change: when, who, and what (field: old → new)."""
    return f"{when(entry.at)} · {who(entry.actor_id, entry.actor_label)} · {change_text(entry)}"


def history_fields(history: Sequence[HistoryEntry]) -> list[Field]:
    """Return the whole history, oldest first, in as many fields as it needs."""
    lines = [history_line(entry) for entry in history] or [
        _("{dash} (no changes recorded)", dash=DASH)
    ]
    name = ngettext("History ({n} change)", "History ({n} changes)", len(history))
    return [
        Field(name if i == 0 else _("History (continued)"), block)
        for i, block in enumerate(chunk_lines(lines))
    ]


def contract_detail_pages(
    contract: Contract, history: Sequence[HistoryEntry], today: date | None = None
) -> list[dict[str, Any]]:
    """Return one contract in full with every change in its history, as pages."""
    colour = LEDGER_COLOUR
    if contract.status == "terminated":
        colour = TERMINATED_COLOUR
    if contract.deleted_at is not None:
        colour = REMOVED_COLOUR
    frame = PageFrame(
        title=heading(contract),
        colour=colour,
        description="\n".join(detail_lines(contract, today)),
        continued=_("Contract #{id}, continued.", id=contract.id),
        footer=_("Unknown figures show as — · not investment advice"),
    )
    fields = [*note_fields(contract), *sources_fields(contract.sources), *history_fields(history)]
    return paginate(frame, fields)


def who(actor_id: int | None, label: str | None) -> str:
    """Return a member mention (rendered, never pinged) or 'ledger' for shipped updates."""
    if actor_id is not None:
        return f"<@{actor_id}>"
    if label == SHIPPED_ACTOR or label is None:
        return _("the shipped ledger")
    return safe(label, 40)


def when(stamp: str) -> str:
    """Return a stored ISO time as a Discord timestamp (raw text when it is not a time)."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return safe(stamp, 40)
    if moment.tzinfo is None:
        return safe(stamp, 40)
    return timestamp(moment, "f")


# ----- watch posts ------------------------------------------------------------------------


def watch_embed(contract: Contract, change: Change) -> dict[str, Any]:
    """Return the post for a watched channel: what happened to which contract, by whom."""
    action = _action(change.action)
    scope = _("the global ledger") if contract.is_global else _("this server's ledger")
    first = change.entries[0]
    by = who(first.actor_id, first.actor_label)
    intro = _(
        "Contract {action} in {scope} by {by}, {when}.",
        action=action,
        scope=scope,
        by=by,
        when=when(change.at),
    )
    if change.action == "create":
        body = [*summary_lines(contract)]
        body.append(source_line(contract, EMBED_FIELD_VALUE))
    else:
        body = [change_text(entry) for entry in change.entries if entry.action == "update"]
    lines = [intro, "", *body, "", _("`/deals show {id}` for the full record.", id=contract.id)]
    colour = REMOVED_COLOUR if change.action == "delete" else LEDGER_COLOUR
    # Title (256) + description (4,096) + footer stay under the 6,000 a message may carry.
    return {
        "title": clip(
            _("Contract {action}: {heading}", action=action, heading=heading(contract)),
            EMBED_TITLE,
        ),
        "description": _fit_lines(lines, EMBED_DESCRIPTION),
        "color": colour,
        "footer": {"text": _(WATCH_FOOTER)},
    }


def seed_update_embed(changes: Sequence[tuple[Contract, Change]]) -> dict[str, Any]:
    """Return the one post a watched channel gets when a newer shipped ledger is applied."""
    counts = {
        action: sum(1 for _, change in changes if change.action == action)
        for action in ("create", "update", "delete", "restore")
    }
    summary = ", ".join(
        f"{counts[action]} {_action(action)}" for action in counts if counts[action]
    )
    intro = _(
        "A newer ledger shipped with Minerwatch was applied {when}: {summary}. Corrections "
        "made by the bot's owners are kept; every change is in the contract's history.",
        when=when(changes[0][1].at),
        summary=summary,
    )
    lines = [intro, ""]
    for contract, change in changes:
        head = f"• {_action(change.action)} {heading(contract)}"
        fields = [
            FIELD_LABELS.get(entry.field, entry.field)
            for entry in change.entries
            if entry.action == "update" and entry.field is not None
        ]
        if change.action == "update" and fields:
            head += f": {', '.join(dict.fromkeys(fields))}"
        lines.append(head)
    lines += ["", _("`/deals show <id>` for a contract in full, with its history.")]
    return {
        "title": clip(_("Shipped ledger updated: {summary}", summary=summary), EMBED_TITLE),
        "description": _fit_lines(lines, EMBED_DESCRIPTION),
        "color": LEDGER_COLOUR,
        "footer": {"text": _(WATCH_FOOTER)},
    }


def _action(action: str) -> str:
    """Return what happened to a contract in words ("added"), the raw action if unknown."""
    label = ACTION_LABELS.get(action)
    return _(label) if label is not None else action


def _fit_lines(lines: Sequence[str], limit: int) -> str:
    """Join lines within ``limit``, replacing what does not fit with a count of what is left."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        if used + len(line) + 1 > limit - 60:
            kept.append(ngettext("… and {n} more line", "… and {n} more lines", len(lines) - index))
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)
