"""Filings as embeds: the card posted for a new filing, and the /filings recent list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from bot.filings.classify import items_in_words
from bot.filings.model import Filing, Level
from bot.format import timestamp
from bot.i18n import N_, _
from bot.limits import EMBED_DESCRIPTION, EMBED_FIELD_VALUE, EMBED_TITLE
from bot.render.pages import chunk_lines, clip
from bot.text import neutralise

LEVEL_COLOURS: Final = {Level.ROUTINE: 0x99AAB5, Level.POSSIBLE: 0xF1C40F, Level.LIKELY: 0x2ECC71}
LEVEL_LABELS: Final = {
    Level.ROUTINE: N_("routine"),
    Level.POSSIBLE: N_("possible AI/HPC deal"),
    Level.LIKELY: N_("likely AI/HPC deal"),
}
UNVERIFIED: Final = N_("extracted, unverified")
SOURCE_NOTE: Final = N_("SEC EDGAR · public filings, for information only; not investment advice")


def level_label(level: Level) -> str:
    """Return how a filing's level reads ("likely AI/HPC deal")."""
    return _(LEVEL_LABELS[level])


RECENT_LIMIT: Final = 15


def _times(filing: Filing) -> str:
    accepted = (
        " · " + _("accepted {when}", when=timestamp(filing.accepted, "f"))
        if filing.accepted is not None
        else ""
    )
    return _("Filed {day}{accepted}", day=filing.filed, accepted=accepted)


def filing_embed(filing: Filing) -> dict[str, Any]:
    """Return the card of one filing: company, form, items in words, times, title, link."""
    title = f"{filing.symbol} · {neutralise(filing.form, limit=20)}: {neutralise(filing.company)}"
    lines = [_times(filing)]
    if filing.items:
        items = neutralise("; ".join(items_in_words(filing.items)), limit=400)
        lines.append(_("Items: {items}", items=items))
    if filing.title:
        lines.append(neutralise(filing.title, limit=300))
    lines.append(f"[{_('Filing index')}]({filing.index_url})")
    fields: list[dict[str, Any]] = [
        {"name": _("Classification"), "value": _classification(filing), "inline": False}
    ]
    if filing.level is Level.LIKELY and filing.figures:
        figures = ", ".join(neutralise(f, limit=80) for f in filing.figures)
        fields.append(
            {
                "name": _("Figures ({unverified})", unverified=_(UNVERIFIED)),
                "value": clip(
                    _(
                        "{figures} — quoted from the filing; check it before relying on it.",
                        figures=figures,
                    ),
                    EMBED_FIELD_VALUE,
                ),
                "inline": False,
            }
        )
    return {
        "title": clip(title, EMBED_TITLE),
        "url": filing.index_url,
        "description": clip("\n".join(lines), EMBED_DESCRIPTION),
        "color": LEVEL_COLOURS[filing.level],
        "fields": fields,
        "footer": {"text": f"{filing.accession} · {_(SOURCE_NOTE)}"},
    }


def _classification(filing: Filing) -> str:
    label = level_label(filing.level)
    if not filing.phrases:
        return label
    matched = ", ".join(neutralise(p, limit=40) for p in filing.phrases)
    return clip(
        _("{label} (score {score}: {matched})", label=label, score=filing.score, matched=matched),
        EMBED_FIELD_VALUE,
    )


def recent_line(filing: Filing) -> str:
    """Return one filing as a line of /filings recent."""
    # EDGAR's text is not ours: escaped, like anything a card shows from outside.
    items = f" ({neutralise(', '.join(filing.items), limit=60)})" if filing.items else ""
    mark = "" if filing.level is Level.ROUTINE else f" · **{level_label(filing.level)}**"
    form = neutralise(filing.form, limit=20)
    return f"`{filing.symbol}` [{form}{items}]({filing.index_url}) · {filing.filed}{mark}"


def recent_embed(filings: Sequence[Filing], company: str | None) -> dict[str, Any]:
    """Return /filings recent: the latest filings found, newest first."""
    title = (
        _("Latest SEC filings: {company}", company=company) if company else _("Latest SEC filings")
    )
    if not filings:
        description = _("No filings recorded yet. New ones appear here once the watcher sees them.")
    else:
        description = chunk_lines([recent_line(f) for f in filings], EMBED_DESCRIPTION - 200)[0]
    return {
        "title": clip(title, EMBED_TITLE),
        "description": description,
        "color": LEVEL_COLOURS[Level.ROUTINE],
        "footer": {"text": _(SOURCE_NOTE)},
    }
