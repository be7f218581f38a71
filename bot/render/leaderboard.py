"""Rank hosts by contracted MW, contract value or value / market cap, and deals by $/MW/yr."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from bot.format import megawatts, money, ratio, timestamp, years
from bot.i18n import N_, _, ngettext
from bot.ledger.counting import is_counted, is_ranked, oldest_as_of, per_mw_year
from bot.ledger.model import Contract
from bot.ledger.valuation import Valuation
from bot.limits import EMBED_DESCRIPTION
from bot.render.contracts import LEDGER_COLOUR, figure, safe
from bot.render.exposure import Exposure, exposures, power_text, value_text
from bot.render.pages import clip

# Twenty rows read at a glance; the rest are counted, not listed (and stay within 4,096).
LEADERBOARD_ROWS: Final = 20
COUNTERPARTY_LIMIT: Final = 40
FOOTER: Final = N_(
    "Binding leases, GPU-cloud services and JVs (at the host's share), medium confidence or "
    "better · not investment advice"
)
# $/MW/yr compares prices of one kind of deal: a GPU-cloud price includes the GPUs, a lease
# does not, so each kind gets its own table.
PRICED_KINDS: Final = {
    "lease": N_("Colocation / powered-shell leases"),
    "gpu_cloud_services": N_("GPU-cloud services (the price includes the GPUs)"),
    "joint_venture": N_("Joint ventures (whole deal)"),
}


class Metric(StrEnum):
    """What the leaderboard ranks."""

    MW = "mw"
    VALUE = "value"
    VALUE_TO_MARKET_CAP = "value_to_market_cap"
    USD_PER_MW_YEAR = "usd_per_mw_year"
    EV_PER_MW = "ev_per_mw"


METRIC_LABELS: Final = {
    Metric.MW: N_("contracted MW"),
    Metric.VALUE: N_("total contract value"),
    Metric.VALUE_TO_MARKET_CAP: N_("contract value / market cap"),
    Metric.USD_PER_MW_YEAR: N_("$ per MW per year"),
    Metric.EV_PER_MW: N_("EV per contracted MW (cheapest first)"),
}


@dataclass(frozen=True, slots=True)
class MarketCap:
    """A company's market cap from the latest cached quote."""

    value: float
    as_of: datetime
    demo: bool = False
    stale: bool = False


@dataclass(frozen=True, slots=True)
class Board:
    """The ranked lines and the notes below them."""

    lines: list[str]
    notes: list[str]


def leaderboard_embed(
    metric: Metric,
    contracts: Sequence[Contract],
    caps: Mapping[str, MarketCap | None] | None = None,
    *,
    rows: int = LEADERBOARD_ROWS,
    valuations: Sequence[Valuation] = (),
) -> dict[str, Any]:
    """Return the leaderboard for ``metric`` over the contracts one server sees."""
    ranked = [c for c in contracts if is_ranked(c)]
    sums = sorted(exposures(ranked).values(), key=lambda e: e.symbol)
    if metric is Metric.USD_PER_MW_YEAR:
        board = _by_price_per_mw(ranked, rows)
        shown = board.lines
    elif metric is Metric.EV_PER_MW:
        board = _by_ev_per_mw(valuations)
        shown = _cut(board.lines, rows)
    else:
        if metric is Metric.MW:
            board = _by_mw(sums)
        elif metric is Metric.VALUE:
            board = _by_value(sums)
        else:
            board = _by_value_to_cap(sums, caps or {})
        shown = _cut(board.lines, rows)
    if not shown:
        shown = [_("Nothing to rank: no contract discloses the figures this ranking needs.")]
    notes = [*board.notes, *_common_notes(contracts, ranked)]
    description = "\n".join([*shown, "", *notes]).strip()
    return {
        "title": _("Leaderboard · {metric}", metric=_(METRIC_LABELS[metric])),
        "description": clip(description, EMBED_DESCRIPTION),
        "color": LEDGER_COLOUR,
        "footer": {"text": _(FOOTER)},
    }


def _cut(lines: list[str], rows: int) -> list[str]:
    shown = lines[:rows]
    if len(lines) > rows:
        shown.append(_("… and {n} more", n=len(lines) - rows))
    return shown


def _common_notes(contracts: Sequence[Contract], ranked: Sequence[Contract]) -> list[str]:
    """Say what the ranking leaves out and how old the statuses it relies on are."""
    notes = []
    low = sum(1 for c in contracts if is_counted(c) and not is_ranked(c))
    if low:
        notes.append(
            ngettext(
                "{n} deal below medium confidence is listed in /deals list, not ranked.",
                "{n} deals below medium confidence are listed in /deals list, not ranked.",
                low,
            )
        )
    oldest = oldest_as_of(ranked)
    if oldest:
        notes.append(_("Statuses as of {day} at the oldest.", day=oldest))
    return notes


def _ranked(items: list[tuple[float, str]]) -> list[str]:
    items.sort(key=lambda item: -item[0])
    return [f"{rank}. {text}" for rank, (_, text) in enumerate(items, start=1)]


def _undisclosed(symbols: list[str], template: str) -> list[str]:
    return [_(template, symbols=", ".join(symbols))] if symbols else []


def _by_mw(sums: list[Exposure]) -> Board:
    ranked = [(e.mw_total, f"**{e.symbol}** {power_text(e)}") for e in sums if e.mw_total]
    missing = [e.symbol for e in sums if not e.mw_total]
    notes = [
        _(
            "Counts binding leases, GPU-cloud services and joint ventures at the host's share "
            "(a JV at its ownership share). Critical IT MW where disclosed, else gross MW "
            "(labelled): the two are not the same measure, gross is the larger."
        ),
        *_undisclosed(missing, N_("No MW disclosed: {symbols}.")),
    ]
    return Board(_ranked([(mw, text) for mw, text in ranked if mw is not None]), notes)


def _by_value(sums: list[Exposure]) -> Board:
    ranked = []
    for e in sums:
        if e.value_usd:
            extra = (
                " " + ngettext("(+{n} undisclosed)", "(+{n} undisclosed)", e.value_unknown)
                if e.value_unknown
                else ""
            )
            deals = ngettext("{n} deal", "{n} deals", e.contracts)
            ranked.append((e.value_usd, f"**{e.symbol}** {value_text(e)} · {deals}{extra}"))
    missing = [e.symbol for e in sums if not e.value_usd]
    notes = [
        _(
            "Firm contract value over each initial term, as the host states it, at the host's "
            "share of a JV; acquisitions, targets, options and extensions are never counted "
            "(~ approximate, > a floor counted at the floor)."
        ),
        *_undisclosed(missing, N_("No contract value disclosed: {symbols}.")),
    ]
    return Board(_ranked(ranked), notes)


def _by_value_to_cap(sums: list[Exposure], caps: Mapping[str, MarketCap | None]) -> Board:
    ranked: list[tuple[float, str]] = []
    without_cap: list[str] = []
    used: list[MarketCap] = []
    for e in sums:
        if not e.value_usd:
            continue
        cap = caps.get(e.symbol)
        if cap is None or not math.isfinite(cap.value) or cap.value <= 0:
            without_cap.append(e.symbol)
            continue
        used.append(cap)
        marks = "".join((" [DEMO]" if cap.demo else "", " " + _("[stale]") if cap.stale else ""))
        text = _(
            "**{symbol}** {ratio} · {value} / {cap} market cap{marks}",
            symbol=e.symbol,
            ratio=ratio(e.value_usd / cap.value),
            value=value_text(e),
            cap=money(cap.value),
            marks=marks,
        )
        ranked.append((e.value_usd / cap.value, text))
    notes = [
        _(
            "Firm contract value over each initial term (the host's share of a JV; "
            "acquisitions, targets, options and extensions never counted) divided by today's "
            "market cap."
        )
    ]
    if used:
        oldest = min(cap.as_of for cap in used)
        notes.append(
            _(
                "Market caps from the latest quotes, the oldest as of {when}.",
                when=timestamp(oldest),
            )
        )
    if any(cap.demo for cap in used):
        notes.append(_("[DEMO] marks synthetic prices, not market data."))
    if without_cap:
        notes.append(
            _("No market cap available yet: {symbols} (left out).", symbols=", ".join(without_cap))
        )
    return Board(_ranked(ranked), notes)


def _by_price_per_mw(contracts: Sequence[Contract], rows: int) -> Board:
    """Rank deals by derived $/MW/yr, one table per deal kind, never across kinds."""
    lines: list[str] = []
    skipped = 0
    for kind in PRICED_KINDS:
        ranked: list[tuple[float, str]] = []
        for c in (c for c in contracts if c.deal_kind == kind):
            price = per_mw_year(c)
            value, term = c.total_contract_value_usd, c.term_years
            if price is None or value is None or term is None:
                skipped += 1
                continue
            mw = c.mw_critical_it if price[1] == "IT" else c.mw_gross
            text = _(
                "**{host}** ← {counterparty} (#{id}) · {price}/MW/yr · {value} over {term} on "
                "{power}",
                host=c.host_symbol,
                counterparty=safe(c.counterparty, COUNTERPARTY_LIMIT),
                id=c.id,
                price=figure(c, price[0]),
                value=figure(c, value),
                term=years(term),
                power=megawatts(mw, price[1]),
            )
            ranked.append((price[0], text))
        if ranked:
            if lines:
                lines.append("")
            lines.append(f"__{_(PRICED_KINDS[kind])}__")
            lines += _cut(_ranked(ranked), rows)
    notes = [
        _(
            "Derived: total contract value ÷ term ÷ MW of the whole deal, for deals that "
            "disclose all three; ignores ramp-up and escalators. One table per kind of deal: a "
            "GPU-cloud price includes the GPUs, a lease does not. Per gross MW reads lower "
            "than per critical-IT MW."
        ),
    ]
    if skipped:
        notes.append(
            ngettext(
                "{n} deal left out: value, term or MW not disclosed.",
                "{n} deals left out: value, term or MW not disclosed.",
                skipped,
            )
        )
    return Board(lines, notes)


def _by_ev_per_mw(valuations: Sequence[Valuation]) -> Board:
    """Rank hosts by EV per contracted MW, lowest first: the cheapest megawatts."""
    known = [v for v in valuations if v.ev_per_contracted_mw.value is not None]
    known.sort(key=lambda v: (v.ev_per_contracted_mw.value or 0.0, v.symbol))
    lines = []
    for rank, v in enumerate(known, start=1):
        fig = v.ev_per_contracted_mw
        demo = " [DEMO]" if fig.demo else ""
        lines.append(
            _(
                "{rank}. **{symbol}** {per_mw}/MW{demo} · EV {ev} on {power} contracted",
                rank=rank,
                symbol=v.symbol,
                per_mw=money(fig.value),
                demo=demo,
                ev=money(v.enterprise_value.value),
                power=megawatts(v.contracted_mw.value),
            )
        )
    unknown = [v for v in valuations if v.ev_per_contracted_mw.value is None]
    notes = [
        _(
            "EV = market cap + total debt − cash (the latest balance sheet); contracted MW: "
            "binding deals at the host's share, as the totals count them. Lowest first."
        ),
    ]
    caps = sorted(
        {
            i.as_of
            for v in known
            for i in v.enterprise_value.inputs
            if i.name == "market cap" and i.as_of
        }
    )
    sheets = sorted(
        {
            i.as_of
            for v in known
            for i in v.enterprise_value.inputs
            if i.name == "total debt" and i.as_of
        }
    )
    if caps:
        notes.append(
            _(
                "Market caps as of {caps}; balance sheets as of {sheets}.",
                caps=_span(caps),
                sheets=_span(sheets) if sheets else _("unknown"),
            )
        )
    if any(v.ev_per_contracted_mw.demo for v in known):
        notes.append(_("[DEMO] marks figures built on synthetic prices or balance sheets."))
    if unknown:
        listed = ", ".join(
            _(
                "{symbol} (no {missing})",
                symbol=v.symbol,
                missing=", ".join(v.ev_per_contracted_mw.missing) or _("figure"),
            )
            for v in unknown
        )
        notes.append(_("Unknown, left out: {symbols}.", symbols=listed))
    return Board(lines, notes)


def _span(days: list[str]) -> str:
    """Return "2026-11-02" or "2026-11-02 to 2026-11-25" (the first and last of sorted days)."""
    if len(days) == 1:
        return days[0]
    return _("{first} to {last}", first=days[0], last=days[-1])
