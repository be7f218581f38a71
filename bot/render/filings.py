"""Filings as embeds: the card posted for a new filing, and the /filings recent list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from bot.filings.classify import items_in_words
from bot.filings.model import Filing, Level
from bot.format import timestamp
from bot.limits import EMBED_DESCRIPTION, EMBED_FIELD_VALUE, EMBED_TITLE
from bot.render.pages import chunk_lines, clip
from bot.text import neutralise

LEVEL_COLOURS: Final = {Level.ROUTINE: 0x99AAB5, Level.POSSIBLE: 0xF1C40F, Level.LIKELY: 0x2ECC71}
LEVEL_LABELS: Final = {
    Level.ROUTINE: "routine",
    Level.POSSIBLE: "possible AI/HPC deal",
    Level.LIKELY: "likely AI/HPC deal",
}
UNVERIFIED: Final = "extracted, unverified"
SOURCE_NOTE: Final = "SEC EDGAR · public filings, for information only; not investment advice"
RECENT_LIMIT: Final = 15


def _times(filing: Filing) -> str:
    accepted = (
        f" · accepted {timestamp(filing.accepted, 'f')}" if filing.accepted is not None else ""
    )
    return f"Filed {filing.filed}{accepted}"


def filing_embed(filing: Filing) -> dict[str, Any]:
    """Return the card of one filing: company, form, items in words, times, title, link."""
    title = f"{filing.symbol} · {neutralise(filing.form, limit=20)}: {neutralise(filing.company)}"
    lines = [_times(filing)]
    if filing.items:
        lines.append("Items: " + neutralise("; ".join(items_in_words(filing.items)), limit=400))
    if filing.title:
        lines.append(neutralise(filing.title, limit=300))
    lines.append(f"[Filing index]({filing.index_url})")
    fields: list[dict[str, Any]] = [
        {"name": "Classification", "value": _classification(filing), "inline": False}
    ]
    if filing.level is Level.LIKELY and filing.figures:
        figures = ", ".join(neutralise(f, limit=80) for f in filing.figures)
        fields.append(
            {
                "name": f"Figures ({UNVERIFIED})",
                "value": clip(
                    f"{figures} — quoted from the filing; check it before relying on it.",
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
        "footer": {"text": f"{filing.accession} · {SOURCE_NOTE}"},
    }


def _classification(filing: Filing) -> str:
    label = LEVEL_LABELS[filing.level]
    if not filing.phrases:
        return label
    matched = ", ".join(neutralise(p, limit=40) for p in filing.phrases)
    return clip(f"{label} (score {filing.score}: {matched})", EMBED_FIELD_VALUE)


def recent_line(filing: Filing) -> str:
    """Return one filing as a line of /filings recent."""
    # EDGAR's text is not ours: escaped, like anything a card shows from outside.
    items = f" ({neutralise(', '.join(filing.items), limit=60)})" if filing.items else ""
    mark = "" if filing.level is Level.ROUTINE else f" · **{LEVEL_LABELS[filing.level]}**"
    form = neutralise(filing.form, limit=20)
    return f"`{filing.symbol}` [{form}{items}]({filing.index_url}) · {filing.filed}{mark}"


def recent_embed(filings: Sequence[Filing], company: str | None) -> dict[str, Any]:
    """Return /filings recent: the latest filings found, newest first."""
    title = f"Latest SEC filings: {company}" if company else "Latest SEC filings"
    if not filings:
        description = "No filings recorded yet. New ones appear here once the watcher sees them."
    else:
        description = chunk_lines([recent_line(f) for f in filings], EMBED_DESCRIPTION - 200)[0]
    return {
        "title": clip(title, EMBED_TITLE),
        "description": description,
        "color": LEVEL_COLOURS[Level.ROUTINE],
        "footer": {"text": SOURCE_NOTE},
    }
