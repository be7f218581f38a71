"""Compose the daily summary: plain inputs in, embed dicts and the chart PNG out (pure).

The shared part (board, movers, leaderboard, chart) is composed once per run and reused for
every server; a server's message adds its header, its contract changes and its alerts, and
is fitted within Discord's limits for one message (10 embeds, 6,000 characters of text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from bot.i18n import N_, _
from bot.limits import EMBED_TOTAL, EMBEDS_PER_MESSAGE
from bot.market.models import DataSource
from bot.outbox.model import OutboxFile, Payload
from bot.render.board import board_pages, sort_rows
from bot.render.chart import ChartRequest, NotEnoughHistory, Series, render_chart
from bot.render.hashprice import hashprice_short
from bot.render.leaderboard import Metric, leaderboard_embed
from bot.render.pages import clip
from bot.render.summary import (
    alerts_embed,
    changes_embed,
    chart_embed,
    header_embed,
    market_line,
    movers_embed,
    total_text,
)
from bot.summary.data import CHART_PERIOD, ChartInputs, ServerInputs, SharedInputs

CHART_FILENAME: Final = "miners-1mo.png"
CHART_TITLE: Final = N_("Miners vs BTC and NVDA · 1 month, normalised")
MINERS_LABEL: Final = N_("Miners (equal weight)")
LEADERBOARD_ROWS: Final = (10, 5)  # tried in turn until the shared part fits its budget
# The shared part may use this much of the 6,000; the rest is the server's own sections.
SHARED_BUDGET: Final = 4_300
MAX_BOARD_PAGES: Final = 2
# Characters kept free of the 6,000 so rounding in the fitting never tips a message over.
SAFETY: Final = 50
# A miner joins the index only if its history covers the index's first day.
MIN_INDEX_MEMBERS: Final = 2


@dataclass(frozen=True, slots=True)
class SharedParts:
    """The rendered part every server's summary shows alike."""

    board: tuple[dict[str, Any], ...]
    movers: dict[str, Any]
    leaderboard: dict[str, Any]
    market_lines: tuple[str, ...]
    colour_change: float | None
    prices_as_of: datetime | None
    source: DataSource
    chart: OutboxFile | None
    chart_notes: tuple[str, ...]
    chart_as_of: date | None


@dataclass(frozen=True, slots=True)
class ComposedSummary:
    """One server's summary message: the payload and the files it carries."""

    payload: Payload
    files: tuple[OutboxFile, ...]


def miners_index(series: Sequence[Series], label: str = MINERS_LABEL) -> Series:
    """Return an equal-weight index of ``series`` (100 on its first day), as one series.

    The index starts on the first day at least half the series have a close; a series that
    starts later is left out rather than entering mid-way with a jump.
    """
    usable = sorted((s for s in series if len(s) >= 2), key=lambda s: s.dates[0])
    if len(usable) < MIN_INDEX_MEMBERS:
        return Series(label, (), ())
    start = usable[(len(usable) - 1) // 2].dates[0]
    members = [s for s in usable if s.dates[0] <= start]
    days = sorted({d for s in members for d in s.dates if d >= start})
    sums = [0.0] * len(days)
    for member in members:
        closes = dict(zip(member.dates, member.closes, strict=True))
        base = _close_on_or_before(member, start)
        last = base
        for position, day in enumerate(days):
            last = closes.get(day, last)  # no trade that day: the last close holds
            sums[position] += last / base
    return Series(label, tuple(days), tuple(100.0 * total / len(members) for total in sums))


def _close_on_or_before(series: Series, day: date) -> float:
    pairs = zip(reversed(series.dates), reversed(series.closes), strict=True)
    return next(close for when, close in pairs if when <= day)


def chart_request(chart: ChartInputs) -> ChartRequest:
    """Return the summary chart: the miners' index against BTC and NVDA over a month."""
    index = miners_index(chart.miners, _(MINERS_LABEL))
    return ChartRequest(
        main=index,
        compare=chart.benchmarks,
        correlate=chart.benchmarks,
        period=CHART_PERIOD,
        start=chart.start,
        as_of=index.dates[-1] if index.dates else chart.start,
        source=chart.source,
    )


@dataclass(frozen=True, slots=True)
class SummaryChart:
    """The rendered chart (None when it could not be drawn), its notes and its last day."""

    file: OutboxFile | None
    notes: tuple[str, ...] = ()
    as_of: date | None = None


def render_summary_chart(chart: ChartInputs | None) -> SummaryChart:
    """Render the chart PNG (CPU-bound), or say why there is none."""
    if chart is None:
        return SummaryChart(None, (_("Daily price history could not be read in time."),))
    request = chart_request(chart)
    try:
        image = render_chart(request)
    except NotEnoughHistory:
        return SummaryChart(None)
    return SummaryChart(OutboxFile(CHART_FILENAME, image.png), image.notes, request.as_of)


def _hashprice_line(inputs: SharedInputs) -> list[str]:
    """Return the header's hashprice line (none when no network data is configured)."""
    if not inputs.with_hashprice:
        return []
    return [_("**Hashprice** {hashprice}", hashprice=hashprice_short(inputs.hashprice))]


def compose_shared(inputs: SharedInputs, chart: SummaryChart) -> SharedParts:
    """Render the part every server shares around an already rendered chart."""
    rows = sort_rows(inputs.rows, "change")
    board = board_pages(rows, inputs.context, rows_per_page=max(1, len(rows)))[:MAX_BOARD_PAGES]
    movers = movers_embed(inputs.movers)
    leaderboard: dict[str, Any] = {}
    for count in LEADERBOARD_ROWS:
        leaderboard = leaderboard_embed(Metric.MW, inputs.contracts, rows=count)
        if total_text([*board, movers, leaderboard]) <= SHARED_BUDGET:
            break
    if total_text([*board, movers, leaderboard]) > SHARED_BUDGET:
        board = board[:1]  # the other pages stay a /board away
    btc = inputs.btc
    return SharedParts(
        board=tuple(board),
        movers=movers,
        leaderboard=leaderboard,
        market_lines=(
            market_line("BTC-USD", btc),
            market_line("NVDA", inputs.nvda),
            *_hashprice_line(inputs),
        ),
        colour_change=None if btc is None else btc.change_pct,
        prices_as_of=inputs.context.prices_as_of,
        source=inputs.context.source,
        chart=chart.file,
        chart_notes=chart.notes,
        chart_as_of=chart.as_of,
    )


def compose_summary(
    shared: SharedParts, server: ServerInputs, *, day: date, late_for: datetime | None = None
) -> ComposedSummary:
    """Compose one server's summary message within Discord's limits for one message."""
    header = header_embed(
        day,
        shared.market_lines,
        prices_as_of=shared.prices_as_of,
        source=shared.source,
        colour_change=shared.colour_change,
        late_for=late_for,
    )
    chart = chart_embed(
        CHART_FILENAME if shared.chart is not None else None,
        _(CHART_TITLE),
        shared.chart_notes,
        as_of=shared.chart_as_of,
    )
    fixed = [header, *shared.board, shared.movers, shared.leaderboard, chart]
    changes_budget, alerts_budget = _split_budget(
        EMBED_TOTAL - SAFETY - total_text(fixed),
        changes_embed(server.changes, since=server.since, budget=EMBED_TOTAL),
        alerts_embed(server.alerts, budget=EMBED_TOTAL),
    )
    changes = changes_embed(server.changes, since=server.since, budget=changes_budget)
    alerts = alerts_embed(server.alerts, budget=alerts_budget)
    ordered = [header, *shared.board, shared.movers, changes, alerts, shared.leaderboard, chart]
    embeds = _fit(ordered)
    payload: Payload = {
        "content": "",
        "embeds": embeds,
        "allowed_mentions": {"users": []},  # alert owners are named, never pinged
    }
    files = (shared.chart,) if shared.chart is not None else ()
    return ComposedSummary(payload, files)


def _split_budget(budget: int, changes: dict[str, Any], alerts: dict[str, Any]) -> tuple[int, int]:
    """Share ``budget`` between the two sections: each its half, the unused half to the other."""
    need_changes, need_alerts = total_text([changes]), total_text([alerts])
    half = budget // 2
    if need_alerts <= half:
        return budget - need_alerts, need_alerts
    if need_changes <= half:
        return need_changes, budget - need_changes
    return half, budget - half


def _fit(embeds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Clip the longest descriptions until the message is within Discord's limits."""
    # Copies: the shared embeds are the same dicts in every server's message.
    embeds = [dict(embed) for embed in embeds[:EMBEDS_PER_MESSAGE]]
    while (excess := total_text(embeds) - EMBED_TOTAL) > 0:
        # A table in a code block is clipped last: cut, it would lose its closing fence.
        longest = max(
            embeds,
            key=lambda e: ("```" not in e.get("description", ""), len(e.get("description", ""))),
        )
        text = longest.get("description", "")
        if not text:
            break  # nothing left to clip (cannot happen with the bounded titles and footers)
        longest["description"] = clip(text, max(1, len(text) - excess - SAFETY))
    return embeds
