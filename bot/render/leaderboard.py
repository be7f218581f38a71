"""Rank hosts by contracted MW, contract value or value / market cap, and deals by $/MW/yr."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, Literal

from bot.ledger.model import Contract
from bot.render.contracts import LEDGER_COLOUR, safe
from bot.render.exposure import Exposure, exposures, is_counted, power_text, value_text
from bot.render.format import megawatts, money, ratio, timestamp, years
from bot.render.pages import DESCRIPTION_LIMIT, clip

# Twenty rows read at a glance; the rest are counted, not listed (and stay within 4,096).
LEADERBOARD_ROWS: Final = 20
COUNTERPARTY_LIMIT: Final = 40
FOOTER: Final = (
    "Signed deals only (announced, MOU, conditional, terminated left out) · not investment advice"
)


class Metric(StrEnum):
    """What the leaderboard ranks."""

    MW = "mw"
    VALUE = "value"
    VALUE_TO_MARKET_CAP = "value_to_market_cap"
    USD_PER_MW_YEAR = "usd_per_mw_year"


METRIC_LABELS: Final = {
    Metric.MW: "contracted MW",
    Metric.VALUE: "total contract value",
    Metric.VALUE_TO_MARKET_CAP: "contract value / market cap",
    Metric.USD_PER_MW_YEAR: "$ per MW per year",
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
) -> dict[str, Any]:
    """Return the leaderboard for ``metric`` over the contracts one server sees."""
    live = [c for c in contracts if is_counted(c)]
    sums = sorted(exposures(live).values(), key=lambda e: e.symbol)
    if metric is Metric.MW:
        board = _by_mw(sums)
    elif metric is Metric.VALUE:
        board = _by_value(sums)
    elif metric is Metric.VALUE_TO_MARKET_CAP:
        board = _by_value_to_cap(sums, caps or {})
    else:
        board = _by_price_per_mw(live)
    shown = board.lines[:rows]
    if len(board.lines) > rows:
        shown.append(f"… and {len(board.lines) - rows} more")
    if not shown:
        shown = ["Nothing to rank: no contract discloses the figures this ranking needs."]
    description = "\n".join([*shown, "", *board.notes]).strip()
    return {
        "title": f"Leaderboard · {METRIC_LABELS[metric]}",
        "description": clip(description, DESCRIPTION_LIMIT),
        "color": LEDGER_COLOUR,
        "footer": {"text": FOOTER},
    }


def _ranked(items: list[tuple[float, str]]) -> list[str]:
    items.sort(key=lambda item: -item[0])
    return [f"{rank}. {text}" for rank, (_, text) in enumerate(items, start=1)]


def _undisclosed(symbols: list[str], what: str) -> list[str]:
    return [f"No {what} disclosed: {', '.join(symbols)}."] if symbols else []


def _by_mw(sums: list[Exposure]) -> Board:
    ranked = [(e.mw_total, f"**{e.symbol}** {power_text(e)}") for e in sums if e.mw_total]
    missing = [e.symbol for e in sums if not e.mw_total]
    notes = [
        "Critical IT MW where disclosed, else gross MW (labelled): the two are not the same "
        "measure, gross is the larger.",
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
        "Total contract value over each initial term, as the host states it (~ approximate).",
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
    notes = ["Contract value over each initial term divided by today's market cap."]
    if used:
        oldest = min(cap.as_of for cap in used)
        notes.append(f"Market caps from the latest quotes, the oldest as of {timestamp(oldest)}.")
    if any(cap.demo for cap in used):
        notes.append("[DEMO] marks synthetic prices, not market data.")
    if without_cap:
        notes.append(f"No market cap available yet: {', '.join(without_cap)} (left out).")
    return Board(_ranked(ranked), notes)


def _by_price_per_mw(contracts: Sequence[Contract]) -> Board:
    ranked: list[tuple[float, str]] = []
    skipped = 0
    for c in contracts:
        value, term = c.total_contract_value_usd, c.term_years
        basis: Literal["IT", "gross"] = "IT" if c.mw_critical_it else "gross"
        mw = c.mw_critical_it or c.mw_gross
        if not (value and term and mw) or not all(map(math.isfinite, (value, term, mw))):
            skipped += 1
            continue
        per_mw_year = value / term / mw
        text = (
            f"**{c.host_symbol}** ← {safe(c.counterparty, COUNTERPARTY_LIMIT)} (#{c.id}) · "
            f"{money(per_mw_year)}/MW/yr · {money(value, approx=c.tcv_approx)} over "
            f"{years(term)} on {megawatts(mw, basis)}"
        )
        ranked.append((per_mw_year, text))
    notes = [
        "Derived: total contract value ÷ term ÷ MW, for deals that disclose all three; ignores "
        "ramp-up and escalators. Per gross MW reads lower than per critical-IT MW.",
    ]
    if skipped:
        notes.append(f"{skipped} deal(s) left out: value, term or MW not disclosed.")
    return Board(_ranked(ranked), notes)
