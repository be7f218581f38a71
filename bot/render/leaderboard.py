"""Rank hosts by contracted MW, contract value or value / market cap, and deals by $/MW/yr."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from bot.format import megawatts, money, ratio, timestamp, years
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
FOOTER: Final = (
    "Binding leases, GPU-cloud services and JVs (at the host's share), medium confidence or "
    "better · not investment advice"
)
# $/MW/yr compares prices of one kind of deal: a GPU-cloud price includes the GPUs, a lease
# does not, so each kind gets its own table.
PRICED_KINDS: Final = {
    "lease": "Colocation / powered-shell leases",
    "gpu_cloud_services": "GPU-cloud services (the price includes the GPUs)",
    "joint_venture": "Joint ventures (whole deal)",
}


class Metric(StrEnum):
    """What the leaderboard ranks."""

    MW = "mw"
    VALUE = "value"
    VALUE_TO_MARKET_CAP = "value_to_market_cap"
    USD_PER_MW_YEAR = "usd_per_mw_year"
    EV_PER_MW = "ev_per_mw"


METRIC_LABELS: Final = {
    Metric.MW: "contracted MW",
    Metric.VALUE: "total contract value",
    Metric.VALUE_TO_MARKET_CAP: "contract value / market cap",
    Metric.USD_PER_MW_YEAR: "$ per MW per year",
    Metric.EV_PER_MW: "EV per contracted MW (cheapest first)",
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
        shown = ["Nothing to rank: no contract discloses the figures this ranking needs."]
    notes = [*board.notes, *_common_notes(contracts, ranked)]
    description = "\n".join([*shown, "", *notes]).strip()
    return {
        "title": f"Leaderboard · {METRIC_LABELS[metric]}",
        "description": clip(description, EMBED_DESCRIPTION),
        "color": LEDGER_COLOUR,
        "footer": {"text": FOOTER},
    }


def _cut(lines: list[str], rows: int) -> list[str]:
    shown = lines[:rows]
    if len(lines) > rows:
        shown.append(f"… and {len(lines) - rows} more")
    return shown


def _common_notes(contracts: Sequence[Contract], ranked: Sequence[Contract]) -> list[str]:
    """Say what the ranking leaves out and how old the statuses it relies on are."""
    notes = []
    low = sum(1 for c in contracts if is_counted(c) and not is_ranked(c))
    if low:
        notes.append(
            f"{low} deal(s) below medium confidence are listed in /deals list, not ranked."
        )
    oldest = oldest_as_of(ranked)
    if oldest:
        notes.append(f"Statuses as of {oldest} at the oldest.")
    return notes


def _ranked(items: list[tuple[float, str]]) -> list[str]:
    items.sort(key=lambda item: -item[0])
    return [f"{rank}. {text}" for rank, (_, text) in enumerate(items, start=1)]


def _undisclosed(symbols: list[str], what: str) -> list[str]:
    return [f"No {what} disclosed: {', '.join(symbols)}."] if symbols else []


def _by_mw(sums: list[Exposure]) -> Board:
    ranked = [(e.mw_total, f"**{e.symbol}** {power_text(e)}") for e in sums if e.mw_total]
    missing = [e.symbol for e in sums if not e.mw_total]
    notes = [
        "Counts binding leases, GPU-cloud services and joint ventures at the host's share "
        "(a JV at its ownership share). Critical IT MW where disclosed, else gross MW "
        "(labelled): the two are not the same measure, gross is the larger.",
        *_undisclosed(missing, "MW"),
    ]
    return Board(_ranked([(mw, text) for mw, text in ranked if mw is not None]), notes)


def _by_value(sums: list[Exposure]) -> Board:
    ranked = []
    for e in sums:
        if e.value_usd:
            extra = f" (+{e.value_unknown} undisclosed)" if e.value_unknown else ""
            deals = f"{e.contracts} deal{'s' if e.contracts != 1 else ''}"
            ranked.append((e.value_usd, f"**{e.symbol}** {value_text(e)} · {deals}{extra}"))
    missing = [e.symbol for e in sums if not e.value_usd]
    notes = [
        "Firm contract value over each initial term, as the host states it, at the host's "
        "share of a JV; acquisitions, targets, options and extensions are never counted "
        "(~ approximate, > a floor counted at the floor).",
        *_undisclosed(missing, "contract value"),
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
        marks = "".join((" [DEMO]" if cap.demo else "", " [stale]" if cap.stale else ""))
        text = (
            f"**{e.symbol}** {ratio(e.value_usd / cap.value)} · {value_text(e)} / "
            f"{money(cap.value)} market cap{marks}"
        )
        ranked.append((e.value_usd / cap.value, text))
    notes = [
        "Firm contract value over each initial term (the host's share of a JV; acquisitions, "
        "targets, options and extensions never counted) divided by today's market cap."
    ]
    if used:
        oldest = min(cap.as_of for cap in used)
        notes.append(f"Market caps from the latest quotes, the oldest as of {timestamp(oldest)}.")
    if any(cap.demo for cap in used):
        notes.append("[DEMO] marks synthetic prices, not market data.")
    if without_cap:
        notes.append(f"No market cap available yet: {', '.join(without_cap)} (left out).")
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
            text = (
                f"**{c.host_symbol}** ← {safe(c.counterparty, COUNTERPARTY_LIMIT)} (#{c.id}) · "
                f"{figure(c, price[0])}/MW/yr · {figure(c, value)} over "
                f"{years(term)} on {megawatts(mw, price[1])}"
            )
            ranked.append((price[0], text))
        if ranked:
            if lines:
                lines.append("")
            lines.append(f"__{PRICED_KINDS[kind]}__")
            lines += _cut(_ranked(ranked), rows)
    notes = [
        "Derived: total contract value ÷ term ÷ MW of the whole deal, for deals that disclose "
        "all three; ignores ramp-up and escalators. One table per kind of deal: a GPU-cloud "
        "price includes the GPUs, a lease does not. Per gross MW reads lower than per "
        "critical-IT MW.",
    ]
    if skipped:
        notes.append(f"{skipped} deal(s) left out: value, term or MW not disclosed.")
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
            f"{rank}. **{v.symbol}** {money(fig.value)}/MW{demo} · EV "
            f"{money(v.enterprise_value.value)} on {megawatts(v.contracted_mw.value)} contracted"
        )
    unknown = [v for v in valuations if v.ev_per_contracted_mw.value is None]
    notes = [
        "EV = market cap + total debt − cash (the latest balance sheet); contracted MW: "
        "binding deals at the host's share, as the totals count them. Lowest first.",
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
            f"Market caps as of {caps[0]}"
            + (f" to {caps[-1]}" if len(caps) > 1 else "")
            + "; balance sheets as of "
            + (
                sheets[0] + (f" to {sheets[-1]}" if len(sheets) > 1 else "")
                if sheets
                else "unknown"
            )
            + "."
        )
    if any(v.ev_per_contracted_mw.demo for v in known):
        notes.append("[DEMO] marks figures built on synthetic prices or balance sheets.")
    if unknown:
        listed = ", ".join(
            f"{v.symbol} (no {', '.join(v.ev_per_contracted_mw.missing) or 'figure'})"
            for v in unknown
        )
        notes.append(f"Unknown, left out: {listed}.")
    return Board(lines, notes)
