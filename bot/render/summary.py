"""The daily summary's own sections as embed dicts (the board and leaderboard reuse theirs)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from bot.alerts.model import Alert
from bot.format import day as day_text
from bot.format import long_day, percent, price, timestamp
from bot.i18n import N_, _
from bot.ledger.changes import Change
from bot.ledger.model import Contract
from bot.limits import EMBED_DESCRIPTION, EMBED_TITLE
from bot.market.models import DataSource, Quote
from bot.outbox.model import embed_text_length
from bot.render.alerts import describe
from bot.render.contracts import ACTION_LABELS, change_text, heading, power_of, when
from bot.render.pages import clip
from bot.render.quote import DEMO_MARK, NOT_ADVICE, colour_for, source_line

SUMMARY_COLOUR: Final = 0xF7931A  # bitcoin orange, as the board and /help
NEUTRAL_COLOUR: Final = 0x99AAB5
MOVERS_PER_SIDE: Final = 3
LINE_LIMIT: Final = 300  # one change or alert line; the section's budget bounds the rest
# What a clipped list ends with; {n} is the number of lines left out.
MORE_CHANGES: Final = N_("… and {n} more: `/deals list` shows this server's ledger")
MORE: Final = N_("… and {n} more")


@dataclass(frozen=True, slots=True)
class Mover:
    """One tracked symbol's move since the previous close."""

    symbol: str
    change_pct: float
    price: float
    stale: bool = False


@dataclass(frozen=True, slots=True)
class ContractChange:
    """A change a server's summary lists: the contract as it is now, and what happened."""

    contract: Contract
    change: Change


def market_line(label: str, quote: Quote | None) -> str:
    """Return "**BTC-USD** $91,000.00 (+1.11 %)", or say that no quote is known yet."""
    if quote is None:
        return _("**{label}** no quote yet", label=label)
    stale = " · " + _("stale") if quote.stale else ""
    return f"**{label}** {price(quote.price, quote.currency)} ({percent(quote.change_pct)}){stale}"


def header_embed(
    day: date,
    market_lines: Sequence[str],
    *,
    prices_as_of: datetime | None,
    source: DataSource,
    colour_change: float | None,
    late_for: datetime | None = None,
) -> dict[str, Any]:
    """Return the summary's first embed: the day, BTC and NVDA, and when the data is from."""
    title = _("Daily summary · {day}", day=long_day(day))
    if source is DataSource.DEMO:
        title = f"{DEMO_MARK} {title}"
    lines = list(market_lines)
    lines.append(
        _("Prices as of {when}", when=timestamp(prices_as_of, "f"))
        if prices_as_of
        else _("Prices: none yet")
    )
    if source is DataSource.DEMO:
        lines.append(_("DEMO data: synthetic prices for trying the bot, not real quotes."))
    if late_for is not None:
        lines.append(
            _(
                "Posted late: it was due {when}, while the bot was offline.",
                when=timestamp(late_for, "f"),
            )
        )
    return {
        "title": clip(title, EMBED_TITLE),
        "description": "\n".join(lines),
        "color": colour_for(colour_change),
        "footer": {"text": f"{source_line(source)} · {_(NOT_ADVICE)}"},
    }


def top_movers(movers: Sequence[Mover], per_side: int = MOVERS_PER_SIDE) -> list[Mover]:
    """Return the biggest gainers, then the biggest losers (finite moves only)."""
    usable = [m for m in movers if math.isfinite(m.change_pct)]
    gainers = sorted((m for m in usable if m.change_pct > 0), key=lambda m: -m.change_pct)
    losers = sorted((m for m in usable if m.change_pct < 0), key=lambda m: m.change_pct)
    return [*gainers[:per_side], *losers[:per_side]]


def movers_embed(movers: Sequence[Mover]) -> dict[str, Any]:
    """Return the top movers since the previous close across the tracked universe."""
    shown = top_movers(movers)
    stale = " · " + _("stale")
    lines = [
        f"{'▲' if m.change_pct > 0 else '▼'} **{m.symbol}** {percent(m.change_pct)} · "
        f"{price(m.price)}{stale if m.stale else ''}"
        for m in shown
    ]
    return {
        "title": _("Top movers · 1D"),
        "description": "\n".join(lines) or _("No moves to report: no quotes yet."),
        "color": NEUTRAL_COLOUR,
    }


def change_line(item: ContractChange) -> str:
    """Return one contract change as a line: what happened to which contract, and when."""
    contract, change = item.contract, item.change
    label = ACTION_LABELS.get(change.action)
    action = (_(label) if label is not None else change.action).capitalize()
    line = f"**{action}** {heading(contract)}"
    if change.action == "create":
        line += f" · {power_of(contract)}"
    else:
        details = [change_text(e) for e in change.entries if e.action == "update"]
        if details:
            line += " · " + "; ".join(details)
    return clip(f"{line} · {when(change.at)}", LINE_LIMIT)


def changes_embed(
    changes: Sequence[ContractChange], *, since: datetime | None, budget: int
) -> dict[str, Any]:
    """Return the contracts added or changed since the previous summary, within ``budget``."""
    # Discord draws <t:…> markup in descriptions but prints it raw in titles, so the
    # moment the section starts from leads the description instead.
    title = _("Contracts added or changed since the last summary")
    lead = _("Since {when}", when=timestamp(since, "f")) if since is not None else None
    lines = [change_line(item) for item in changes]
    more = _(MORE_CHANGES)
    return section_embed(title, lines, budget, more, lead=lead)


def alert_line(alert: Alert) -> str:
    """Return one fired alert: "#12 CIFR above $12.00 · <@owner> · <t:…:R>"."""
    fired = f" · {timestamp(alert.last_fired_at, 'R')}" if alert.last_fired_at else ""
    return clip(f"{describe(alert)} · <@{alert.owner_id}>{fired}", LINE_LIMIT)


def alerts_embed(alerts: Sequence[Alert], *, budget: int) -> dict[str, Any]:
    """Return this server's alerts that fired in the last 24 hours, within ``budget``."""
    lines = [alert_line(alert) for alert in alerts]
    return section_embed(_("Alerts fired in the last 24 hours"), lines, budget, _(MORE))


def section_embed(
    title: str, lines: Sequence[str], budget: int, more: str, *, lead: str | None = None
) -> dict[str, Any]:
    """Return a titled list whose embed text (title and description) fits ``budget``.

    The embed is measured exactly as Discord counts it (``total_text``), so a section given
    the budget its whole list needs shows the whole list. ``lead`` opens the description.
    """
    head = f"{lead}\n" if lead else ""
    body = lines_within(lines, budget - len(title) - len(head), more) if lines else _("None.")
    return {"title": title, "description": head + body, "color": SUMMARY_COLOUR}


def chart_embed(
    filename: str | None, title: str, notes: Sequence[str], *, as_of: date | None
) -> dict[str, Any]:
    """Return the embed that shows the chart attachment (or says why there is none)."""
    lines = list(notes)
    if filename is None:
        lines.insert(0, _("No chart today: not enough daily price history yet."))
    closes = _("Daily closes to {day}", day=day_text(as_of)) + " · " if as_of else ""
    embed: dict[str, Any] = {
        "title": clip(title, EMBED_TITLE),
        "color": SUMMARY_COLOUR,
        "footer": {"text": closes + _(NOT_ADVICE)},
    }
    if lines:
        embed["description"] = clip("\n".join(lines), 1_000)
    if filename is not None:
        embed["image"] = {"url": f"attachment://{filename}"}
    return embed


def lines_within(lines: Sequence[str], limit: int, more: str) -> str:
    """Join the most leading ``lines`` that fit in ``limit`` characters; count the rest.

    The result never exceeds ``limit`` (nor a description's 4,096). Every line is shown when
    they all fit; otherwise the longest prefix that fits together with ``more`` (a template
    with ``{n}``, the number of lines left out) is shown. If not even ``more`` fits, the
    result is empty.
    """
    limit = max(0, min(limit, EMBED_DESCRIPTION))
    whole = "\n".join(lines)
    if len(whole) <= limit:
        return whole
    best: int | None = None  # the most lines that fit with the count of the others
    prefix = 0  # length of the first `kept` lines joined with newlines
    for kept in range(len(lines)):
        tail = more.format(n=len(lines) - kept)
        if prefix + (1 if kept else 0) + len(tail) <= limit:
            best = kept
        prefix += len(lines[kept]) + (1 if kept else 0)
        if prefix > limit:
            break  # longer prefixes only grow: none of them fits either
    if best is None:
        return ""
    return "\n".join([*lines[:best], more.format(n=len(lines) - best)])


def total_text(embeds: Sequence[dict[str, Any]]) -> int:
    """Return the embed characters of a message (Discord allows 6,000 in all)."""
    return sum(embed_text_length(embed) for embed in embeds)
