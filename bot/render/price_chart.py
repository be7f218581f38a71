"""The /chart price image (candles or a line, with volume): bars in, a Figure and PNG out.

matplotlib's object-oriented API only (a Figure with its own Agg canvas, styling set per
artist), as in render/chart.py: pyplot and rcParams are process-wide state, unsafe in the
worker threads charts render in. Candles are two collections (wicks and bodies), not one
patch per bar, which keeps a year of candles well under the render budget.

Bars are plotted against their index, not their time: nights, weekends and holidays take
no room, and the tick labels name the bar's New York date or time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final, Literal, get_args
from zoneinfo import ZoneInfo

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from bot.format import MINUS, month_abbreviation, volume, weekday_abbreviation
from bot.i18n import N_, _
from bot.market.models import DataSource
from bot.render.chart import (
    BACKGROUND,
    GRID,
    MUTED,
    PERIOD_LABELS,
    TEXT,
    change_text,
    draw_footer,
    render_png,
    two_panels,
)

Style = Literal["compare", "candles", "line"]
STYLES: Final[tuple[Style, ...]] = get_args(Style)
STYLE_LABELS: Final[dict[Style, str]] = {
    "compare": N_("compare: performance vs BTC and NVDA, correlation"),
    "candles": N_("candles: price with volume, averages, deals"),
    "line": N_("line: price with volume"),
}
ChartPeriod = Literal["1d", "5d", "1mo", "3mo", "6mo", "1y", "ytd"]
CHART_PERIODS: Final[tuple[ChartPeriod, ...]] = get_args(ChartPeriod)
CHART_PERIOD_LABELS: Final[dict[ChartPeriod, str]] = {
    p: N_("1 day") if p == "1d" else PERIOD_LABELS[p] for p in CHART_PERIODS
}
MOVING_AVERAGES: Final = (20, 50)  # sessions
NEW_YORK: Final = ZoneInfo("America/New_York")
MIN_BARS: Final = 2
MAX_TICKS: Final = 9

UP: Final = "#23a55a"
DOWN: Final = "#f23f43"
LINE: Final = "#00b0f4"
AVERAGE_COLOURS: Final = {20: "#fee75c", 50: "#eb459e"}
DEAL: Final = "#c9cdfb"
EXTENDED: Final = "#5865f2"
BODY_WIDTH: Final = 0.7


@dataclass(frozen=True, slots=True)
class PriceBar:
    """One bar as drawn: ``at`` is its aware start (a daily bar: its session date, midnight)."""

    at: datetime
    open: float
    high: float
    low: float
    close: float
    volume: int
    extended: bool = False
    """Pre- or post-market (shaded)."""


@dataclass(frozen=True, slots=True)
class DealMark:
    """A deal announcement to mark on the time axis: "AWS 300 MW" on its day."""

    day: date
    label: str


@dataclass(frozen=True, slots=True)
class PriceChartRequest:
    """Everything a candle or line chart shows."""

    symbol: str
    style: Literal["candles", "line"]
    period: ChartPeriod
    bars: tuple[PriceBar, ...]
    """Oldest first; the bars before ``shown_from`` only feed the moving averages."""
    shown_from: int
    intraday: bool
    bar_label: str
    """What one bar is, for the footer: "daily", "5-minute"."""
    currency: str
    source: DataSource
    as_of: datetime
    deals: tuple[DealMark, ...] = ()
    stale: bool = False
    reference: float | None = None
    """The close the move is measured from, when known (1d: the previous session's close)."""

    @property
    def shown(self) -> tuple[PriceBar, ...]:
        """Return the bars the chart draws."""
        return self.bars[self.shown_from :]


@dataclass(frozen=True, slots=True)
class PriceChartImage:
    """A rendered price chart and the notes to say next to it."""

    png: bytes
    notes: tuple[str, ...]


def period_change(request: PriceChartRequest) -> float | None:
    """Return the % move over the chart: from its reference close, else the close before it,
    else its first open, to its last close."""
    shown = request.shown
    if not shown:
        return None
    base = request.reference
    if base is None:
        base = request.bars[request.shown_from - 1].close if request.shown_from else shown[0].open
    return (shown[-1].close / base - 1.0) * 100.0 if base > 0 else None


def moving_average(closes: np.ndarray, window: int) -> np.ndarray:
    """Return the trailing ``window``-bar mean of ``closes`` (NaN until there are enough)."""
    result = np.full(len(closes), np.nan)
    if len(closes) >= window:
        sums = np.cumsum(np.insert(closes, 0, 0.0))
        result[window - 1 :] = (sums[window:] - sums[:-window]) / window
    return result


def signed(text: str) -> str:
    """Return ``text`` with every ASCII hyphen-minus before a digit made a true minus."""
    return "".join(
        MINUS if c == "-" and i + 1 < len(text) and text[i + 1].isdigit() else c
        for i, c in enumerate(text)
    )


def price_tick(value: float, _position: float | None = None) -> str:
    """Return a price axis label: 12.50, 0.0412, −3.00 (a true minus)."""
    digits = 4 if 0 < abs(value) < 1 else 2
    return signed(f"{value:,.{digits}f}")


def volume_tick(value: float, _position: float | None = None) -> str:
    """Return a volume axis label: 0, 850K, 12.5M."""
    return "0" if value <= 0 else volume(value)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(NEW_YORK)


def tick_positions(request: PriceChartRequest) -> tuple[list[int], list[str]]:
    """Return where the time axis is labelled and what each label says.

    Every label names its own day (or hour), so no separate offset label can contradict it:
    1d labels whole hours, 5d each session's day, 1mo each week's first session, longer
    periods each month's first session (with the year on January and the first label).
    """
    times = [_local(b.at) for b in request.shown]
    if not times:
        return [], []
    if request.period == "1d":
        marks = [i for i, t in enumerate(times) if i == 0 or t.hour != times[i - 1].hour]
        labels = [f"{times[i]:%H:%M}" for i in marks]
    elif request.intraday:
        marks = [i for i, t in enumerate(times) if i == 0 or t.date() != times[i - 1].date()]
        labels = [
            f"{weekday_abbreviation(times[i])} {times[i].day} {month_abbreviation(times[i])}"
            for i in marks
        ]
    elif request.period == "1mo" or len(times) <= 30:
        marks = [
            i
            for i, t in enumerate(times)
            if i == 0 or t.isocalendar()[:2] != times[i - 1].isocalendar()[:2]
        ]
        labels = [f"{times[i].day} {month_abbreviation(times[i])}" for i in marks]
    else:
        marks = [i for i, t in enumerate(times) if i == 0 or t.month != times[i - 1].month]
        labels = [
            f"{month_abbreviation(times[i])} {times[i].year}"
            if n == 0 or times[i].month == 1
            else month_abbreviation(times[i])
            for n, i in enumerate(marks)
        ]
    if len(marks) > MAX_TICKS:
        step = math.ceil(len(marks) / MAX_TICKS)
        keep = list(range(0, len(marks), step))
        marks, labels = [marks[k] for k in keep], [labels[k] for k in keep]
    return marks, labels


def _draw_candles(ax: Axes, bars: Sequence[PriceBar], x: np.ndarray) -> None:
    opens = np.array([b.open for b in bars])
    closes = np.array([b.close for b in bars])
    up = closes >= opens
    colours = np.where(up, UP, DOWN)
    wicks = LineCollection(
        [((i, b.low), (i, b.high)) for i, b in zip(x, bars, strict=True)],
        colors=colours,
        linewidths=1.0,
        gid="wicks",
    )
    # A doji (open == close) still shows as a thin line: a body at least 0.1 % of the range.
    floor = (max(b.high for b in bars) - min(b.low for b in bars)) * 0.001
    bodies = PolyCollection(
        [
            _box(i, min(b.open, b.close), max(abs(b.close - b.open), floor))
            for i, b in zip(x, bars, strict=True)
        ],
        facecolors=colours,
        edgecolors=colours,
        linewidths=0.5,
        gid="candles",
    )
    ax.add_collection(wicks)
    ax.add_collection(bodies)


def _box(x: float, bottom: float, height: float) -> list[tuple[float, float]]:
    left, right = x - BODY_WIDTH / 2, x + BODY_WIDTH / 2
    return [(left, bottom), (right, bottom), (right, bottom + height), (left, bottom + height)]


def _draw_volume(ax: Axes, bars: Sequence[PriceBar], x: np.ndarray) -> None:
    colours = [UP if b.close >= b.open else DOWN for b in bars]
    ax.add_collection(
        PolyCollection(
            [_box(i, 0.0, float(b.volume)) for i, b in zip(x, bars, strict=True)],
            facecolors=colours,
            edgecolors="none",
            alpha=0.8,
            gid="volume",
        )
    )
    ax.set_ylim(0, max(max(b.volume for b in bars), 1) * 1.15)
    ax.set_ylabel(_("Volume"), color=TEXT, fontsize=12)
    ax.yaxis.set_major_locator(MaxNLocator(3))
    ax.yaxis.set_major_formatter(FuncFormatter(volume_tick))


def _draw_averages(ax: Axes, request: PriceChartRequest, x: np.ndarray) -> list[str]:
    """Draw the moving averages the bars allow; return a note for each one they do not."""
    if request.intraday:
        return []
    closes = np.array([b.close for b in request.bars])
    notes = []
    for window in MOVING_AVERAGES:
        values = moving_average(closes, window)[request.shown_from :]
        if np.isnan(values).all():
            notes.append(
                _("No {window}-day average: it needs {window} daily closes.", window=window)
            )
            continue
        label = _("{window}-day average", window=window)
        (line,) = ax.plot(x, values, color=AVERAGE_COLOURS[window], linewidth=1.4, label=label)
        line.set_gid(f"average:{window}")
    return notes


def _draw_last(ax: Axes, bars: Sequence[PriceBar]) -> None:
    last = bars[-1].close
    colour = UP if last >= bars[-1].open else DOWN
    ax.axhline(last, color=colour, linewidth=0.9, linestyle=":", gid="last-price")
    ax.annotate(
        price_tick(last),
        xy=(1.0, last),
        xycoords=("axes fraction", "data"),
        xytext=(4, 0),
        textcoords="offset points",
        va="center",
        ha="left",
        color=BACKGROUND,
        fontsize=11,
        fontweight="bold",
        bbox={"facecolor": colour, "edgecolor": colour, "boxstyle": "round,pad=0.25"},
        gid="last-price-label",
        annotation_clip=False,
    )


def _draw_extended(axes: Sequence[Axes], bars: Sequence[PriceBar]) -> bool:
    """Shade each run of pre- and post-market bars; return whether there was any."""
    runs: list[tuple[int, int]] = []
    for i, bar in enumerate(bars):
        if not bar.extended:
            continue
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    for first, last in runs:
        for ax in axes:
            ax.axvspan(
                first - 0.5, last + 0.5, color=EXTENDED, alpha=0.13, linewidth=0, gid="extended"
            )
    return bool(runs)


def deal_positions(request: PriceChartRequest) -> list[tuple[int, DealMark]]:
    """Return each deal inside the chart with the bar it is drawn at (its day or the next)."""
    days = [_local(b.at).date() for b in request.shown]
    placed = []
    for deal in sorted(request.deals, key=lambda d: d.day):
        if not days or deal.day < days[0] or deal.day > days[-1]:
            continue
        index = next(i for i, d in enumerate(days) if d >= deal.day)
        placed.append((index, deal))
    return placed


def _draw_deals(price: Axes, volume_ax: Axes, request: PriceChartRequest) -> None:
    for n, (index, deal) in enumerate(deal_positions(request)):
        for ax in (price, volume_ax):
            ax.axvline(index, color=DEAL, linewidth=1.0, linestyle="--", alpha=0.8)
        # Labels step down the panel so deals a few days apart do not overprint.
        price.text(
            index,
            0.97 - 0.075 * (n % 4),
            f"{deal.label} ({deal.day:%d} {month_abbreviation(deal.day)})",
            transform=price.get_xaxis_transform(),
            color=TEXT,
            fontsize=10,
            ha="left" if index < len(request.shown) * 0.75 else "right",
            va="top",
            bbox={"facecolor": BACKGROUND, "edgecolor": DEAL, "boxstyle": "round,pad=0.25"},
            gid=f"deal:{deal.day.isoformat()}",
        )


def build_price_figure(request: PriceChartRequest) -> tuple[Figure, list[str]]:
    """Build the chart's Figure and the notes to say beside it (needs MIN_BARS shown bars)."""
    bars = request.shown
    if len(bars) < MIN_BARS:
        raise ValueError(f"{request.symbol}: {len(bars)} bars to draw, need {MIN_BARS}")
    figure, price, volume_ax = two_panels(
        (3, 1), 0.06, left=0.08, right=0.92, bottom=0.12, share_x=True
    )
    x = np.arange(len(bars), dtype=float)
    notes: list[str] = []
    if request.style == "candles":
        _draw_candles(price, bars, x)
        notes.extend(_draw_averages(price, request, x))
        _draw_deals(price, volume_ax, request)
    else:
        (line,) = price.plot(x, [b.close for b in bars], color=LINE, linewidth=2.0)
        line.set_gid("price-line")
    low, high = min(b.low for b in bars), max(b.high for b in bars)
    pad = (high - low) * 0.08 or high * 0.01
    price.set_ylim(low - pad, high + pad * (3.5 if request.deals else 1.5))
    price.set_xlim(-0.8, len(bars) - 0.2)
    _draw_volume(volume_ax, bars, x)
    _draw_last(price, bars)
    shaded = request.intraday and _draw_extended((price, volume_ax), bars)
    price.set_ylabel(_("Price ({currency})", currency=request.currency), color=TEXT, fontsize=12)
    price.yaxis.set_major_formatter(FuncFormatter(price_tick))
    price.tick_params(labelbottom=False)
    marks, labels = tick_positions(request)
    volume_ax.xaxis.set_major_locator(FixedLocator(marks))
    volume_ax.set_xticklabels(labels)
    gaps = (
        _("nights and weekends left out")
        if request.intraday
        else _("weekends and holidays left out")
    )
    volume_ax.set_xlabel(_("New York time · {gaps}", gaps=gaps), color=MUTED, fontsize=11)
    if price.get_legend_handles_labels()[0]:
        legend = price.legend(loc="lower left", fontsize=10, facecolor=BACKGROUND, edgecolor=GRID)
        for text in legend.get_texts():
            text.set_color(TEXT)
            text.set_text(signed(text.get_text()))
    change = period_change(request)
    moved = f" {change_text(change)}" if change is not None else ""
    stale = " · " + _("STALE") if request.stale else ""
    period = _(CHART_PERIOD_LABELS[request.period])
    figure.suptitle(
        f"{request.symbol}{moved} · {period} · {request.style}{stale}",
        color=TEXT,
        fontsize=17,
        fontweight="bold",
        x=0.08,
        ha="left",
    )
    shading = " · " + _("shaded: pre- and post-market") if shaded else ""
    bars_to = _("{bars} bars to {when}", bars=request.bar_label, when=_as_of_text(request))
    draw_footer(figure, request.source, f"{bars_to}{shading}", left=0.08)
    if request.stale:
        notes.append(
            _(
                "STALE: the price source did not answer; these bars are from {when}.",
                when=_as_of_text(request),
            )
        )
    return figure, notes


def _as_of_text(request: PriceChartRequest) -> str:
    moment = _local(request.as_of)
    if request.intraday:
        return _("{when} New York", when=f"{moment:%Y-%m-%d %H:%M}")
    return moment.date().isoformat()


def render_price_chart(request: PriceChartRequest) -> PriceChartImage:
    """Build and save the chart (CPU-bound: run it in a worker thread)."""
    figure, notes = build_price_figure(request)
    return PriceChartImage(render_png(figure), tuple(notes))


def intraday_bar_label(length: timedelta) -> str:
    """Return "5-minute" for a five-minute bar length."""
    return f"{int(length.total_seconds() // 60)}-minute"
