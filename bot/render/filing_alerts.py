"""A filing alert's post: the member's alert that went off, with the filing's card."""

from __future__ import annotations

from typing import Any

from bot.alerts.filing_rule import FilingFiring, filing_level_name
from bot.i18n import _
from bot.limits import EMBED_FIELD_VALUE, EMBED_TITLE
from bot.render.alerts import NOT_ADVICE
from bot.render.filings import LEVEL_COLOURS, level_label
from bot.render.pages import clip
from bot.text import neutralise


def filing_alert_embed(firing: FilingFiring) -> dict[str, Any]:
    """Render one filing alert firing: what was filed, how it reads, and the alert's terms."""
    alert, filing = firing.alert, firing.filing
    form = neutralise(filing.form, limit=20)
    title = _(
        "New SEC filing by {symbol}: {form} ({level})",
        symbol=alert.symbol,
        form=form,
        level=level_label(filing.level),
    )
    company = neutralise(filing.company)
    lines = [_("{company} · filed {day}", company=company, day=filing.filed)]
    if filing.title:
        lines.append(neutralise(filing.title, limit=300))
    lines.append(f"[{_('Filing index')}]({filing.index_url})")
    fields: list[dict[str, Any]] = [
        {
            "name": _("Condition"),
            "value": _("new SEC filing, {level}", level=filing_level_name(alert.level)),
            "inline": True,
        }
    ]
    if alert.note:
        note = neutralise(alert.note, limit=EMBED_FIELD_VALUE)
        fields.append({"name": _("Note"), "value": note})
    footer = [_("Alert #{number}", number=alert.id)]
    if alert.repeat:
        footer.append(_("repeats"))
    footer.append(_("SEC EDGAR, classified automatically"))
    footer.append(_(NOT_ADVICE))
    return {
        "title": clip(title, EMBED_TITLE),
        "url": filing.index_url,
        "description": "\n".join(lines),
        "color": LEVEL_COLOURS[filing.level],
        "fields": fields,
        "footer": {"text": " · ".join(footer)},
        "timestamp": filing.found_at.isoformat(),
    }
