"""The chart renderer: figure structure before saving, the PNG, and the correlation maths."""

from __future__ import annotations

import io
import struct
from datetime import date, timedelta

import numpy as np
import pytest
from matplotlib import image as mimage
from matplotlib.figure import Figure

from bot.market.models import DailyBar, DataSource
from bot.render.chart import (
    CORRELATION_WINDOW,
    DPI,
    HEIGHT_IN,
    PNG_LIMIT_BYTES,
    WIDTH_IN,
    ChartRequest,
    NotEnoughHistory,
    Period,
    Series,
    aligned,
    build_figure,
    daily_returns,
    history_days,
    normalised,
    period_start,
    render_chart,
    render_png,
    rolling_correlation,
)

TODAY = date(2026, 11, 25)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def walk(symbol: str, days: int, *, seed: int, weekends: bool = False, end: date = TODAY) -> Series:
    """Return a random walk of daily closes ending ``end`` (weekdays only unless told)."""
    rng = np.random.default_rng(seed)
    dates = [end - timedelta(days=i) for i in range(days)][::-1]
    if not weekends:
        dates = [d for d in dates if d.weekday() < 5]
    closes = 20.0 * np.exp(np.cumsum(rng.normal(0, 0.03, len(dates))))
    return Series(symbol, tuple(dates), tuple(float(c) for c in closes))


def request(
    period: Period = "1mo",
    *,
    days: int = 400,
    source: DataSource = DataSource.YAHOO,
    compare: tuple[str, ...] = ("BTC-USD", "NVDA"),
    main_days: int | None = None,
) -> ChartRequest:
    main = walk("CIFR", main_days or days, seed=1)
    others = {
        "BTC-USD": walk("BTC-USD", days, seed=2, weekends=True),
        "NVDA": walk("NVDA", days, seed=3),
        "IREN": walk("IREN", days, seed=4),
    }
    return ChartRequest(
        main=main,
        compare=tuple(others[s] for s in compare),
        correlate=(others["BTC-USD"], others["NVDA"]),
        period=period,
        start=period_start(period, TODAY),
        as_of=TODAY,
        source=source,
    )


def gids(figure: Figure, panel: int) -> list[str]:
    return [str(line.get_gid()) for line in figure.axes[panel].get_lines() if line.get_gid()]


@pytest.mark.parametrize("period", ["5d", "1mo", "3mo", "6mo", "1y", "ytd"])
def test_figure_has_both_panels_and_every_series(period: Period) -> None:
    built = build_figure(request(period))
    figure = built.figure
    assert len(figure.axes) == 2
    assert gids(figure, 0) == ["performance:CIFR", "performance:BTC-USD", "performance:NVDA"]
    assert gids(figure, 1) == ["correlation:BTC-USD", "correlation:NVDA"]
    performance, correlation = figure.axes
    labels = [str(line.get_label()) for line in performance.get_lines() if line.get_gid()]
    assert [label.split()[0] for label in labels] == ["CIFR", "BTC-USD", "NVDA"]
    assert performance.get_legend() is not None and correlation.get_legend() is not None
    assert performance.get_ylabel() == "Performance (start = 100)"
    assert "trading like a miner" in correlation.get_title(loc="left")
    texts = " ".join(t.get_text() for t in figure.texts)
    assert "Yahoo Finance, may be delayed" in texts and "daily closes to Nov 25, 2026" in texts
    assert "DEMO" not in texts
    suptitle = figure.get_suptitle()
    assert suptitle.startswith("CIFR vs BTC-USD and NVDA")
    assert built.notes == []


def test_performance_lines_start_at_100() -> None:
    figure = build_figure(request("3mo")).figure
    for line in figure.axes[0].get_lines():
        if line.get_gid():
            assert np.asarray(line.get_ydata(), dtype=float)[0] == pytest.approx(100.0)


def test_compare_replaces_the_default_comparisons_in_the_performance_panel() -> None:
    figure = build_figure(request(compare=("IREN",))).figure
    assert gids(figure, 0) == ["performance:CIFR", "performance:IREN"]
    assert gids(figure, 1) == ["correlation:BTC-USD", "correlation:NVDA"]
    assert figure.get_suptitle().startswith("CIFR vs IREN")


def test_demo_data_gets_a_watermark() -> None:
    figure = build_figure(request(source=DataSource.DEMO)).figure
    assert any(t.get_gid() == "demo-watermark" and t.get_text() == "DEMO" for t in figure.texts)


def test_png_has_the_expected_size_and_fits_discord() -> None:
    image = render_chart(request("1y"))
    assert image.png.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", image.png[16:24])  # the IHDR chunk
    assert (width, height) == (int(WIDTH_IN * DPI), int(HEIGHT_IN * DPI))
    pixels = mimage.imread(io.BytesIO(image.png), format="png")
    assert pixels.shape[:2] == (height, width)
    assert len(image.png) < PNG_LIMIT_BYTES


def test_plotted_correlation_matches_numpy_corrcoef() -> None:
    req = request("3mo")
    figure = build_figure(req).figure
    for line, other in zip(
        (ln for ln in figure.axes[1].get_lines() if ln.get_gid()), req.correlate, strict=True
    ):
        dates, x, y = aligned(req.main, other)
        rx, ry = daily_returns(x), daily_returns(y)
        expected = {
            dates[end + 1]: np.corrcoef(
                rx[end - CORRELATION_WINDOW + 1 : end + 1],
                ry[end - CORRELATION_WINDOW + 1 : end + 1],
            )[0, 1]
            for end in range(CORRELATION_WINDOW - 1, len(rx))
        }
        plotted = np.asarray(line.get_ydata(), dtype=float)
        shown = [d for d in expected if d >= req.start]
        assert len(plotted) == len(shown)
        np.testing.assert_allclose(plotted, [expected[d] for d in shown], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("window", [2, 5, 30])
def test_rolling_correlation_equals_corrcoef_on_each_window(window: int) -> None:
    a = walk("A", 120, seed=11, weekends=True)
    b = walk("B", 120, seed=12, weekends=True)
    result = rolling_correlation(a, b, window)
    ra = np.diff(a.closes) / np.asarray(a.closes[:-1])
    rb = np.diff(b.closes) / np.asarray(b.closes[:-1])
    expected = [
        np.corrcoef(ra[i : i + window], rb[i : i + window])[0, 1]
        for i in range(len(ra) - window + 1)
    ]
    np.testing.assert_allclose(result.values, expected, rtol=1e-9, atol=1e-12)
    assert result.dates[0] == a.dates[window] and result.dates[-1] == a.dates[-1]
    assert result.returns == len(ra)


def test_correlation_of_a_series_with_itself_is_one_and_flat_windows_are_gaps() -> None:
    a = walk("A", 60, seed=5, weekends=True)
    assert np.allclose(rolling_correlation(a, a).values, 1.0)
    flat = Series("F", a.dates, tuple(10.0 for _ in a.dates))
    assert np.isnan(rolling_correlation(a, flat).values).all()


def test_too_few_returns_give_no_correlation() -> None:
    a = walk("A", CORRELATION_WINDOW, seed=5, weekends=True)  # 29 returns
    result = rolling_correlation(a, a)
    assert result.values.size == 0 and result.returns == CORRELATION_WINDOW - 1


def test_aligned_keeps_only_common_dates() -> None:
    stock = walk("S", 14, seed=1)
    crypto = walk("C", 14, seed=2, weekends=True)
    dates, x, y = aligned(stock, crypto)
    assert dates == stock.dates and len(x) == len(y) == len(stock)
    assert all(d.weekday() < 5 for d in dates)


def test_normalised_uses_the_close_in_force_on_the_base_day() -> None:
    series = Series("S", (date(2026, 1, 2), date(2026, 1, 5), date(2026, 1, 6)), (10.0, 20.0, 30.0))
    dates, values = normalised(series, date(2026, 1, 3))  # a Saturday: Friday's close is the base
    assert dates == (date(2026, 1, 5), date(2026, 1, 6))
    np.testing.assert_allclose(values, [200.0, 300.0])


@pytest.mark.parametrize(
    ("period", "start"),
    [
        ("5d", date(2026, 11, 18)),
        ("1mo", date(2026, 10, 25)),
        ("3mo", date(2026, 8, 25)),
        ("6mo", date(2026, 5, 26)),
        ("1y", date(2025, 11, 25)),
        ("ytd", date(2026, 1, 1)),
    ],
)
def test_period_start(period: Period, start: date) -> None:
    assert period_start(period, TODAY) == start
    assert history_days(period, TODAY) > (TODAY - start).days


def test_short_history_draws_performance_and_says_correlation_needs_more() -> None:
    built = build_figure(request("1mo", main_days=20))
    assert gids(built.figure, 0)[0] == "performance:CIFR"
    assert gids(built.figure, 1) == []
    (note,) = built.notes
    assert note.startswith("Correlation needs more history: it takes 31 daily closes")
    assert "13 returns are available" in note
    assert any("Correlation needs" in t.get_text() for t in built.figure.axes[1].texts)
    assert render_png(built.figure).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("points", [0, 1])
def test_too_little_history_is_a_clear_error(points: int) -> None:
    req = request("1mo", main_days=1)
    if points == 0:
        req = ChartRequest(
            Series("CIFR", (), ()), req.compare, req.correlate, "1mo", req.start, TODAY, req.source
        )
    with pytest.raises(NotEnoughHistory) as caught:
        build_figure(req)
    assert caught.value.points == points
    assert "CIFR" in caught.value.user_message and "1 month" in caught.value.user_message


def test_series_from_bars_keeps_usable_closes_once_per_day() -> None:
    day = date(2026, 11, 2)
    bars = [
        DailyBar(day, 1, 1, 1, 10.0, 0),
        DailyBar(day, 1, 1, 1, 11.0, 0),
        DailyBar(day + timedelta(days=1), 1, 1, 1, float("nan"), 0),
        DailyBar(day + timedelta(days=2), 1, 1, 1, 12.0, 0),
    ]
    series = Series.from_bars("S", bars)
    assert series.dates == (day, day + timedelta(days=2)) and series.closes == (11.0, 12.0)


def test_a_comparison_without_enough_history_is_noted() -> None:
    req = request("1mo")
    short_nvda = walk("NVDA", 12, seed=3)  # 8 weekdays: 7 returns
    req = ChartRequest(
        req.main, req.compare, (req.correlate[0], short_nvda), "1mo", req.start, TODAY, req.source
    )
    built = build_figure(req)
    assert gids(built.figure, 1) == ["correlation:BTC-USD"]
    assert built.notes == [
        "No 30-day correlation with NVDA yet: it takes 31 daily closes in common "
        "(30 returns) and 7 returns are available."
    ]


@pytest.mark.parametrize("period", ["5d", "1mo", "3mo", "1y"])
def test_date_labels_name_the_month_of_their_own_tick(period: Period) -> None:
    """No offset label naming the axis' last month ("2026-Dec") under November days."""
    end = date(2026, 12, 4)
    main = walk("CIFR", 420, seed=1, end=end)
    others = (
        walk("BTC-USD", 420, seed=2, weekends=True, end=end),
        walk("NVDA", 420, seed=3, end=end),
    )
    built = build_figure(
        ChartRequest(main, others, others, period, period_start(period, end), end, DataSource.YAHOO)
    )
    built.figure.canvas.draw()
    months = {date(2000, m, 1).strftime("%b"): m for m in range(1, 13)}
    for ax in built.figure.axes:
        assert ax.xaxis.get_offset_text().get_text() == ""
        ticks = ax.get_xticks()
        labels = ax.xaxis.get_major_formatter().format_ticks(ticks)
        named = 0
        for tick, label in zip(ticks, labels, strict=True):
            day = date(1970, 1, 1) + timedelta(days=int(tick))
            words = [w for w in label.split() if w in months]
            named += bool(words)
            assert all(months[w] == day.month for w in words), (label, day)
            if label.isdigit() and len(label) == 4:
                assert int(label) == day.year
        assert named  # every axis says which month it shows
