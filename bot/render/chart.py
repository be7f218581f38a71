"""The /chart image: daily closes in, an inspectable matplotlib Figure and PNG bytes out."""

# Only matplotlib.figure.Figure is used, never pyplot: pyplot keeps global state and is not
# safe in worker threads, while a Figure with its own Agg canvas is. Styling is set on each
# artist for the same reason (rcParams are process-wide).

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final, Literal, get_args

import numpy as np
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter, NullLocator
from numpy.lib.stride_tricks import sliding_window_view

from bot.errors import MinerwatchError
from bot.format import day, month_abbreviation, percent
from bot.i18n import N_, _, ngettext
from bot.market.models import DailyBar, DataSource
from bot.market.month import last_on_or_before, month_before
from bot.render.quote import source_line

Period = Literal["5d", "1mo", "3mo", "6mo", "1y", "ytd"]
PERIODS: Final[tuple[Period, ...]] = get_args(Period)
PERIOD_LABELS: Final[dict[Period, str]] = {
    "5d": N_("5 days"),
    "1mo": N_("1 month"),
    "3mo": N_("3 months"),
    "6mo": N_("6 months"),
    "1y": N_("1 year"),
    "ytd": N_("year to date"),
}
# Calendar days per period ("5d" = five sessions, which a week of calendar days holds).
PERIOD_DAYS: Final[dict[Period, int]] = {"5d": 7, "1mo": 31, "3mo": 92, "6mo": 183, "1y": 365}
CORRELATION_WINDOW: Final = 30  # daily returns per correlation value
# Calendar days fetched before the period so its first day already has 30 returns behind it
# (30 sessions span about 42 calendar days; the rest covers holidays).
CORRELATION_LOOKBACK_DAYS: Final = 50
MIN_POINTS: Final = 2  # a performance line needs a start and an end

# 1200 × 760 px: Discord scales it to the chat width, so fonts are sized for that.
WIDTH_IN: Final = 12.0
HEIGHT_IN: Final = 7.6
DPI: Final = 100
PNG_LIMIT_BYTES: Final = 500_000
# A dark-grey card with a lighter border reads on both Discord themes.
BACKGROUND: Final = "#2b2d31"
PANEL: Final = "#313338"
BORDER: Final = "#80848e"
TEXT: Final = "#f2f3f5"
MUTED: Final = "#b5bac1"
GRID: Final = "#4e5058"
COLOURS: Final = {"main": "#00b0f4", "BTC-USD": "#f7931a", "NVDA": "#76b900"}
OTHER_COLOURS: Final = ("#eb459e", "#fee75c", "#ffffff")


class NotEnoughHistory(MinerwatchError):
    """Too few daily closes to draw anything for a symbol over a period."""

    def __init__(self, symbol: str, period: Period, points: int) -> None:
        super().__init__(f"{symbol}: {points} daily closes for {period}")
        self.symbol = symbol
        self.period = period
        self.points = points

    @property
    def user_message(self) -> str:
        period = _(PERIOD_LABELS[self.period])
        if self.points == 0:
            return _(
                "No daily price history for {symbol} over {period}: the price source may not "
                "know this symbol, or its history is not loaded yet.",
                symbol=self.symbol,
                period=period,
            )
        return _(
            "Not enough price history to chart {symbol} over {period}: a chart needs at least "
            "{needed} daily closes and there is only {points}. Try a longer period, or again "
            "after the daily history refresh.",
            symbol=self.symbol,
            period=period,
            needed=MIN_POINTS,
            points=self.points,
        )


@dataclass(frozen=True, slots=True)
class Series:
    """One symbol's daily closes, oldest first."""

    symbol: str
    dates: tuple[date, ...]
    closes: tuple[float, ...]

    @classmethod
    def from_bars(cls, symbol: str, bars: Iterable[DailyBar]) -> Series:
        """Return the usable closes of ``bars`` (one per date, finite and positive)."""
        by_day = {b.date: b.close for b in bars if math.isfinite(b.close) and b.close > 0}
        days = sorted(by_day)
        return cls(symbol, tuple(days), tuple(by_day[d] for d in days))

    def since(self, start: date) -> Series:
        """Return the closes dated ``start`` or later."""
        keep = [i for i, d in enumerate(self.dates) if d >= start]
        return Series(
            self.symbol, tuple(self.dates[i] for i in keep), tuple(self.closes[i] for i in keep)
        )

    def __len__(self) -> int:
        return len(self.dates)


@dataclass(frozen=True, slots=True)
class ChartRequest:
    """Everything one chart shows."""

    main: Series
    compare: tuple[Series, ...]
    """Drawn in the performance panel next to ``main``."""
    correlate: tuple[Series, ...]
    """Correlated with ``main`` in the second panel (with history before ``start``)."""
    period: Period
    start: date
    as_of: date
    source: DataSource


@dataclass(slots=True)
class ChartFigure:
    """The built figure, and what it could not draw (said in the reply too)."""

    figure: Figure
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Correlation:
    """Rolling correlation of daily returns: one value per window, dated by its last day."""

    dates: tuple[date, ...]
    values: np.ndarray
    returns: int
    """How many common daily returns there were in all."""


def period_start(period: Period, today: date) -> date:
    """Return the first day a period shows (1mo: a month before, as the board's 1M)."""
    if period == "ytd":
        return date(today.year, 1, 1)
    if period == "1mo":
        return month_before(today)
    return today - timedelta(days=PERIOD_DAYS[period])


def base_day(series: Series, start: date) -> date | None:
    """Return the day a performance line starts from: the last close on or before ``start``.

    Without a close that early (a shorter history), the series' first day.
    """
    if not series.dates:
        return None
    found = last_on_or_before(series.dates, start)
    return series.dates[0 if found is None else found]


def period_change(series: Series, start: date) -> float | None:
    """Return the % change from the close in force at ``start`` to the series' last close."""
    day = base_day(series, start)
    if day is None:
        return None
    base = series.closes[series.dates.index(day)]
    return (series.closes[-1] / base - 1.0) * 100.0 if base > 0 else None


def history_days(period: Period, today: date) -> int:
    """Return how many calendar days of bars a chart of ``period`` needs, lookback included."""
    return (today - period_start(period, today)).days + CORRELATION_LOOKBACK_DAYS


def normalised(series: Series, base_day: date) -> tuple[tuple[date, ...], np.ndarray]:
    """Return the closes from ``base_day`` on, scaled so the close in force that day is 100."""
    if not series.dates:
        return (), np.empty(0)
    closes = np.asarray(series.closes, dtype=float)
    before = [i for i, d in enumerate(series.dates) if d <= base_day]
    base_index = before[-1] if before else 0
    shown = [i for i, d in enumerate(series.dates) if d >= base_day]
    values = closes[shown] / closes[base_index] * 100.0
    return tuple(series.dates[i] for i in shown), values


def aligned(a: Series, b: Series) -> tuple[tuple[date, ...], np.ndarray, np.ndarray]:
    """Return the dates both series have, with each one's close on those dates."""
    b_close = dict(zip(b.dates, b.closes, strict=True))
    common = [(d, c) for d, c in zip(a.dates, a.closes, strict=True) if d in b_close]
    dates = tuple(d for d, _ in common)
    return (
        dates,
        np.asarray([c for _, c in common], dtype=float),
        np.asarray([b_close[d] for d in dates], dtype=float),
    )


def daily_returns(closes: np.ndarray) -> np.ndarray:
    """Return simple returns between consecutive closes."""
    if len(closes) < 2:
        return np.empty(0)
    return np.asarray(closes[1:] / closes[:-1] - 1.0)


def rolling_correlation(a: Series, b: Series, window: int = CORRELATION_WINDOW) -> Correlation:
    """Return the Pearson correlation of the two series' daily returns over each window."""
    dates, x, y = aligned(a, b)
    rx, ry = daily_returns(x), daily_returns(y)
    if len(rx) < window:
        return Correlation((), np.empty(0), len(rx))
    wx = sliding_window_view(rx, window)
    wy = sliding_window_view(ry, window)
    dx = wx - wx.mean(axis=1, keepdims=True)
    dy = wy - wy.mean(axis=1, keepdims=True)
    spread = np.sqrt((dx * dx).sum(axis=1) * (dy * dy).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        # A flat window has no correlation: NaN, which the plot leaves as a gap.
        values = np.where(spread > 0, (dx * dy).sum(axis=1) / spread, np.nan)
    return Correlation(dates[window:], np.clip(values, -1.0, 1.0), len(rx))


def _colour(symbol: str, index: int) -> str:
    return COLOURS.get(symbol, OTHER_COLOURS[index % len(OTHER_COLOURS)])


def two_panels(
    height_ratios: tuple[float, float],
    hspace: float,
    *,
    left: float,
    right: float,
    bottom: float,
    share_x: bool = False,
) -> tuple[Figure, Axes, Axes]:
    """A chart's figure: a main panel over a smaller one, on the dark background, styled alike."""
    figure = Figure(
        figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, facecolor=BACKGROUND, edgecolor=BORDER, linewidth=3
    )
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(
        2,
        1,
        height_ratios=height_ratios,
        hspace=hspace,
        left=left,
        right=right,
        top=0.9,
        bottom=bottom,
    )
    main = figure.add_subplot(grid[0])
    lower = figure.add_subplot(grid[1], sharex=main if share_x else None)
    for ax in (main, lower):
        ax.set_facecolor(PANEL)
        ax.tick_params(colors=MUTED, labelsize=11)
        for spine in ax.spines.values():
            spine.set_color(GRID)
        ax.grid(True, color=GRID, linewidth=0.6, alpha=0.8)
    return figure, main, lower


# matplotlib writes months with strftime, in English: each label's month is rewritten in the
# language being written ("Nov" → "nov.").
ENGLISH_MONTHS: Final = {
    "Jan": 1,
    "Feb": 2,
    "Mar": 3,
    "Apr": 4,
    "May": 5,
    "Jun": 6,
    "Jul": 7,
    "Aug": 8,
    "Sep": 9,
    "Oct": 10,
    "Nov": 11,
    "Dec": 12,
}


class LocalDateFormatter(mdates.ConciseDateFormatter):
    """The concise date labels, with the month names of the language being written."""

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        labels: list[str] = super().format_ticks(values)  # type: ignore[no-untyped-call]
        return [local_months(label) for label in labels]


def local_months(label: str) -> str:
    """Rewrite the English month abbreviations in a label for the language being written."""
    words = label.split(" ")
    for index, word in enumerate(words):
        if word in ENGLISH_MONTHS:
            words[index] = month_abbreviation(date.min.replace(month=ENGLISH_MONTHS[word]))
    return " ".join(words)


def _date_axis(ax: Axes) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    # Every label names its own month (and the year at January or a year tick), with no
    # offset label: the concise default's offset names the axis' last month, which read
    # "2026-Dec" under November days.
    formatter = LocalDateFormatter(  # type: ignore[no-untyped-call]
        locator,
        formats=["%Y", "%b", "%d %b", "%H:%M", "%H:%M", "%S.%f"],
        zero_formats=["", "%Y", "%b %Y", "%d %b", "%H:%M", "%H:%M"],
        show_offset=False,
    )
    ax.xaxis.set_major_formatter(formatter)


def _legend(ax: Axes) -> None:
    legend = ax.legend(loc="upper left", fontsize=11, facecolor=BACKGROUND, edgecolor=GRID)
    for text in legend.get_texts():
        text.set_color(TEXT)


def change_text(change: float) -> str:
    """Return a period's change as the legend shows it: "+5.4 %", "−0.3 %", "0.0 %"."""
    sign = "+" if change >= 0.05 else ("−" if change <= -0.05 else "")
    return f"{sign}{percent(abs(change)).lstrip('+')}"


def _draw_performance(ax: Axes, request: ChartRequest, notes: list[str]) -> None:
    start = base_day(request.main, request.start)
    assert start is not None  # build_figure checked there is history
    series = [request.main, *request.compare]
    for index, item in enumerate(series):
        dates, values = normalised(item, start)
        if len(values) < MIN_POINTS:
            notes.append(_("No price history for {symbol} over this period.", symbol=item.symbol))
            continue
        colour = COLOURS["main"] if index == 0 else _colour(item.symbol, index)
        (line,) = ax.plot(
            _days(dates),
            values,
            color=colour,
            linewidth=2.6 if index == 0 else 1.8,
            label=f"{item.symbol} {change_text(values[-1] - 100.0)}",
        )
        line.set_gid(f"performance:{item.symbol}")
    ax.axhline(100.0, color=MUTED, linewidth=0.8, linestyle="--")
    ax.set_ylabel(_("Performance (start = 100)"), color=TEXT, fontsize=12)
    _legend(ax)


def _draw_correlation(ax: Axes, request: ChartRequest, notes: list[str]) -> None:
    ax.set_title(
        _(
            "Rolling 30-day correlation of daily returns: trading like a miner (BTC) or like AI "
            "infrastructure (NVDA)?"
        ),
        color=TEXT,
        fontsize=12,
        loc="left",
    )
    ax.set_ylim(-1.05, 1.05)
    ax.axhline(0.0, color=MUTED, linewidth=0.8, linestyle="--")
    ax.set_ylabel(_("Correlation"), color=TEXT, fontsize=12)
    drawn = 0
    missing: dict[str, int] = {}  # symbol → common daily returns available
    for index, other in enumerate(request.correlate, start=1):
        correlation = rolling_correlation(request.main, other)
        keep = [i for i, d in enumerate(correlation.dates) if d >= request.start]
        if not keep:
            missing[other.symbol] = correlation.returns
            continue
        values = correlation.values[keep]
        (line,) = ax.plot(
            _days(correlation.dates[i] for i in keep),
            values,
            color=_colour(other.symbol, index),
            linewidth=1.8,
            label=f"vs {other.symbol} (now {values[-1]:+.2f})"
            if math.isfinite(values[-1])
            else f"vs {other.symbol}",
        )
        line.set_gid(f"correlation:{other.symbol}")
        drawn += 1
    if drawn:
        _legend(ax)
        ax.set_xlim(*_xlim(request))
        notes.extend(
            _(
                "No 30-day correlation with {symbol} yet: {reason}",
                symbol=symbol,
                reason=_needs_more(have),
            )
            for symbol, have in missing.items()
        )
        return
    message = _(
        "Correlation needs more history: {reason}",
        reason=_needs_more(min(missing.values(), default=0)),
    )
    notes.append(message)
    ax.text(
        0.5,
        0.5,
        message,
        transform=ax.transAxes,
        ha="center",
        va="center",
        color=TEXT,
        fontsize=13,
        bbox={"facecolor": BACKGROUND, "edgecolor": GRID, "boxstyle": "round,pad=0.6"},
    )
    # No dates to show: the date formatter cannot label an empty axis, so drop the ticks.
    ax.xaxis.set_major_locator(NullLocator())
    ax.xaxis.set_major_formatter(NullFormatter())


def _needs_more(have: int) -> str:
    return ngettext(
        "it takes {closes} daily closes in common ({window} returns) and {n} return is available.",
        "it takes {closes} daily closes in common ({window} returns) and {n} returns are "
        "available.",
        have,
        closes=CORRELATION_WINDOW + 1,
        window=CORRELATION_WINDOW,
    )


def _days(dates: Iterable[date]) -> np.ndarray:
    """Return dates as numpy days, which matplotlib plots as dates."""
    return np.asarray(list(dates), dtype="datetime64[D]")


def _xlim(request: ChartRequest) -> tuple[float, float]:
    main = request.main.since(base_day(request.main, request.start) or request.start)
    first, last = _days((main.dates[0], main.dates[-1])).astype(float)
    # matplotlib's date axis counts days since 1970-01-01, as datetime64[D] does.
    return float(first), float(last)


def build_figure(request: ChartRequest) -> ChartFigure:
    """Build the chart's Figure without saving it (raises NotEnoughHistory)."""
    main = request.main.since(request.start)
    if len(main) < MIN_POINTS:
        raise NotEnoughHistory(request.main.symbol, request.period, len(main))
    figure, performance, correlation = two_panels((3, 2), 0.32, left=0.07, right=0.97, bottom=0.1)
    for ax in (performance, correlation):
        _date_axis(ax)
    notes: list[str] = []
    _draw_performance(performance, request, notes)
    performance.set_xlim(*_xlim(request))
    _draw_correlation(correlation, request, notes)
    names = _(" and ").join(s.symbol for s in request.compare) or _("itself")
    figure.suptitle(
        _(
            "{symbol} vs {others} · {period}",
            symbol=request.main.symbol,
            others=names,
            period=_(PERIOD_LABELS[request.period]),
        ),
        color=TEXT,
        fontsize=17,
        fontweight="bold",
        x=0.07,
        ha="left",
    )
    draw_footer(
        figure,
        request.source,
        _("daily closes to {day}", day=day(request.as_of)),
        left=0.07,
    )
    return ChartFigure(figure, notes)


def draw_footer(figure: Figure, source: DataSource, what: str, *, left: float) -> None:
    """Write the source footer, and across a DEMO chart the watermark no one can miss."""
    figure.text(
        left,
        0.025,
        _(
            "Source: {source} · {what} · Minerwatch · not investment advice",
            source=source_line(source),
            what=what,
        ),
        color=MUTED,
        fontsize=10,
    )
    if source is DataSource.DEMO:
        figure.text(
            0.5,
            0.5,
            "DEMO",
            color=TEXT,
            alpha=0.12,
            fontsize=150,
            fontweight="bold",
            rotation=25,
            ha="center",
            va="center",
            gid="demo-watermark",
        )


def render_png(figure: Figure) -> bytes:
    """Return the figure as PNG bytes (the size is exactly figsize × dpi)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class ChartImage:
    """A rendered chart and the notes to say next to it."""

    png: bytes
    notes: tuple[str, ...]


def render_chart(request: ChartRequest) -> ChartImage:
    """Build and save the chart (CPU-bound: run it in a worker thread)."""
    built = build_figure(request)
    return ChartImage(render_png(built.figure), tuple(built.notes))
