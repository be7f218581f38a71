"""The candle and line chart: figure structure (panels, candles, averages, deal marks, axis
labels), the PNG, and the maths behind it — never pixel equality."""

from __future__ import annotations

import io
import struct
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest
from matplotlib import image as mimage
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure

from bot.format import MINUS
from bot.market.models import DataSource
from bot.render.chart import DPI, HEIGHT_IN, WIDTH_IN
from bot.render.price_chart import (
    NEW_YORK,
    ChartPeriod,
    DealMark,
    PriceBar,
    PriceChartRequest,
    build_price_figure,
    deal_positions,
    moving_average,
    period_change,
    price_tick,
    render_price_chart,
    tick_positions,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_BUDGET = 400_000  # bytes: what a price chart may weigh
LAST_DAY = date(2026, 12, 4)  # a Friday


def sessions(count: int, last: date = LAST_DAY) -> list[date]:
    """Return ``count`` weekdays ending ``last``."""
    days: list[date] = []
    day = last
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def daily(count: int, *, seed: int = 1) -> list[PriceBar]:
    """A random walk of ``count`` daily candles ending LAST_DAY."""
    rng = np.random.default_rng(seed)
    closes = 15.0 * np.exp(np.cumsum(rng.normal(0, 0.03, count)))
    bars = []
    previous = 15.0
    for day, close in zip(sessions(count), closes, strict=True):
        high, low = max(previous, close) * 1.01, min(previous, close) * 0.99
        bars.append(
            PriceBar(
                datetime.combine(day, time(0), NEW_YORK),
                previous,
                high,
                low,
                float(close),
                int(rng.integers(1_000_000, 5_000_000)),
            )
        )
        previous = float(close)
    return bars


def intraday(days: list[date], *, minutes: int, extended: bool) -> list[PriceBar]:
    """Bars from 04:00 (extended) or 09:30 to 20:00 or 16:00 New York each day."""
    bars = []
    price = 15.0
    for day in days:
        moment = datetime.combine(day, time(4, 0) if extended else time(9, 30), NEW_YORK)
        end = datetime.combine(day, time(20, 0) if extended else time(16, 0), NEW_YORK)
        while moment < end:
            regular = time(9, 30) <= moment.time() < time(16, 0)
            close = price * (1.002 if len(bars) % 3 else 0.997)
            bars.append(
                PriceBar(
                    moment.astimezone(UTC),
                    price,
                    max(price, close) + 0.01,
                    min(price, close) - 0.01,
                    close,
                    50_000 if regular else 3_000,
                    extended=not regular,
                )
            )
            price = close
            moment += timedelta(minutes=minutes)
    return bars


def request(
    period: ChartPeriod = "1y",
    *,
    style: str = "candles",
    bars: list[PriceBar] | None = None,
    shown_from: int = 0,
    deals: tuple[DealMark, ...] = (),
    source: DataSource = DataSource.YAHOO,
    stale: bool = False,
) -> PriceChartRequest:
    intra = period in ("1d", "5d")
    drawn = bars if bars is not None else daily(300)
    return PriceChartRequest(
        symbol="CIFR",
        style="candles" if style == "candles" else "line",
        period=period,
        bars=tuple(drawn),
        shown_from=shown_from,
        intraday=intra,
        bar_label="5-minute" if intra else "daily",
        currency="USD",
        source=source,
        as_of=drawn[-1].at,
        deals=deals,
        stale=stale,
    )


def collection(figure: Figure, panel: int, gid: str) -> PolyCollection | LineCollection:
    found = [c for c in figure.axes[panel].collections if c.get_gid() == gid]
    assert len(found) == 1, gid
    item = found[0]
    assert isinstance(item, PolyCollection | LineCollection)
    return item


def averages(figure: Figure) -> list[str]:
    gids = [str(line.get_gid()) for line in figure.axes[0].get_lines()]
    return [gid for gid in gids if gid.startswith("average:")]


def test_a_year_of_candles_draws_one_candle_and_one_volume_bar_per_session() -> None:
    bars = daily(300)
    figure, notes = build_price_figure(request(bars=bars, shown_from=48))
    assert len(figure.axes) == 2  # price above, volume below
    assert len(collection(figure, 0, "candles").get_paths()) == 252
    assert len(collection(figure, 0, "wicks").get_segments()) == 252
    volume = collection(figure, 1, "volume")
    assert len(volume.get_paths()) == 252
    heights = [p.vertices[:, 1].max() for p in volume.get_paths()]
    assert heights == pytest.approx([b.volume for b in bars[48:]])
    assert notes == []


def test_candle_colours_follow_the_move_and_bodies_span_open_to_close() -> None:
    bars = daily(30)
    figure, _ = build_price_figure(request("1mo", bars=bars))
    bodies = collection(figure, 0, "candles")
    colours = bodies.get_facecolors()
    for bar, path, colour in zip(bars, bodies.get_paths(), colours, strict=True):
        ys = path.vertices[:, 1]
        assert ys.min() == pytest.approx(min(bar.open, bar.close))
        assert ys.max() == pytest.approx(max(bar.open, bar.close), abs=0.01)
        rising = bar.close >= bar.open
        assert bool(colour[1] > colour[0]) is rising  # green up, red down


def test_averages_are_drawn_when_history_allows_and_start_with_the_chart() -> None:
    bars = daily(300)
    figure, _ = build_price_figure(request(bars=bars, shown_from=49))
    assert averages(figure) == ["average:20", "average:50"]
    fifty = next(line for line in figure.axes[0].get_lines() if line.get_gid() == "average:50")
    values = np.asarray(fifty.get_ydata(), dtype=float)
    closes = np.array([b.close for b in bars])
    assert not np.isnan(values[0])  # the lookback feeds the first day's average
    assert values[-1] == pytest.approx(closes[-50:].mean())
    legend = figure.axes[0].get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["20-day average", "50-day average"]


def test_a_short_history_says_which_average_it_cannot_draw() -> None:
    figure, notes = build_price_figure(request("1mo", bars=daily(30)))
    assert averages(figure) == ["average:20"]
    assert notes == ["No 50-day average: it needs 50 daily closes."]


def test_line_style_draws_the_closes_and_no_candles() -> None:
    bars = daily(60)
    figure, _ = build_price_figure(request("3mo", style="line", bars=bars))
    (line,) = [ln for ln in figure.axes[0].get_lines() if ln.get_gid() == "price-line"]
    assert list(line.get_ydata()) == pytest.approx([b.close for b in bars])
    assert not [c for c in figure.axes[0].collections if c.get_gid() == "candles"]
    assert len(collection(figure, 1, "volume").get_paths()) == 60


def test_the_last_price_is_marked_on_the_price_axis() -> None:
    bars = daily(40)
    figure, _ = build_price_figure(request("1mo", bars=bars))
    (level,) = [ln for ln in figure.axes[0].get_lines() if ln.get_gid() == "last-price"]
    assert list(level.get_ydata()) == pytest.approx([bars[-1].close] * 2)
    (label,) = [t for t in figure.axes[0].texts if t.get_gid() == "last-price-label"]
    assert label.get_text() == price_tick(bars[-1].close)


def test_deals_inside_the_chart_are_marked_with_their_label() -> None:
    days = sessions(252)
    monday = next(i for i in range(100, 110) if days[i].weekday() == 0)
    deals = (
        DealMark(days[100], "AWS 300 MW"),
        DealMark(days[monday] - timedelta(days=1), "Weekend deal"),  # drawn on Monday
        DealMark(days[0] - timedelta(days=30), "Too early"),
    )
    req = request(bars=daily(252), deals=deals)
    figure, _ = build_price_figure(req)
    marked = {t.get_gid(): t.get_text() for t in figure.axes[0].texts if t.get_gid()}
    assert marked[f"deal:{days[100].isoformat()}"].startswith("AWS 300 MW")
    assert "Too early" not in " ".join(marked.values())
    assert [i for i, _ in deal_positions(req)] == [100, monday]


def test_intraday_one_day_labels_hours_and_shades_extended_hours() -> None:
    bars = intraday([LAST_DAY], minutes=5, extended=True)
    figure, _ = build_price_figure(request("1d", bars=bars))
    assert len(collection(figure, 0, "candles").get_paths()) == 192  # 04:00 to 20:00
    shaded = [p for p in figure.axes[0].patches if p.get_gid() == "extended"]
    assert len(shaded) == 2  # pre-market and post-market
    marks, labels = tick_positions(request("1d", bars=bars))
    assert labels[0] == "04:00" and all(label.endswith(":00") for label in labels)
    assert all(labels[i] == f"{bars[m].at.astimezone(NEW_YORK):%H}:00" for i, m in enumerate(marks))
    assert "shaded: pre- and post-market" in " ".join(t.get_text() for t in figure.texts)
    assert averages(figure) == []  # no day averages on minutes


def test_five_days_compress_nights_and_weekends_and_label_each_session() -> None:
    days = sessions(5)
    bars = intraday(days, minutes=15, extended=False)
    req = request("5d", bars=bars)
    figure, _ = build_price_figure(req)
    x = [p.vertices[:, 0].mean() for p in collection(figure, 0, "candles").get_paths()]
    assert np.diff(x) == pytest.approx(np.ones(len(x) - 1))  # no gap over nights or the weekend
    marks, labels = tick_positions(req)
    assert labels == [f"{d:%a} {d.day} {d:%b}" for d in days]
    assert [bars[m].at.astimezone(NEW_YORK).date() for m in marks] == days


def test_month_labels_name_the_month_of_the_bar_they_sit_under() -> None:
    req = request("1y", bars=daily(252))
    marks, labels = tick_positions(req)
    for mark, label in zip(marks, labels, strict=True):
        day = req.shown[mark].at.astimezone(NEW_YORK).date()
        assert label.split()[0] == f"{day:%b}"
        if len(label.split()) == 2:
            assert label.split()[1] == str(day.year)
    assert labels[0].endswith(str(req.shown[0].at.year))


def test_one_month_labels_each_week_with_its_own_day_and_month() -> None:
    req = request("1mo", bars=daily(22))  # early November to 4 December
    marks, labels = tick_positions(req)
    for mark, label in zip(marks, labels, strict=True):
        day = req.shown[mark].at.astimezone(NEW_YORK).date()
        assert label == f"{day.day} {day:%b}"
    assert labels[0] == "5 Nov" and labels[-1] == "30 Nov"  # the week of 30 Nov runs to 4 Dec


def test_a_fall_uses_the_true_minus_sign_in_the_title_and_price_labels() -> None:
    bars = [
        PriceBar(b.at, b.open, b.high, b.low, b.close * (0.5 if i == 29 else 1), b.volume)
        for i, b in enumerate(daily(30))
    ]
    bars[29] = PriceBar(bars[29].at, bars[28].close, bars[28].close, 1.0, 1.0, 10)
    req = request("1mo", bars=bars, shown_from=1)
    figure, _ = build_price_figure(req)
    change = period_change(req)
    assert change is not None and change < 0
    assert f"CIFR {MINUS}" in figure.get_suptitle() and "-" not in figure.get_suptitle()
    assert price_tick(-3.5) == f"{MINUS}3.50"


def test_demo_prices_get_the_watermark_and_the_source_footer() -> None:
    figure, _ = build_price_figure(request(source=DataSource.DEMO))
    texts = {t.get_gid(): t.get_text() for t in figure.texts}
    assert texts["demo-watermark"] == "DEMO"
    footer = " ".join(t.get_text() for t in figure.texts)
    assert "DEMO" in footer and "daily bars to" in footer and "not investment advice" in footer


def test_stale_bars_are_marked_in_the_title_and_the_notes() -> None:
    bars = intraday([LAST_DAY], minutes=5, extended=False)
    figure, notes = build_price_figure(request("1d", bars=bars, stale=True))
    assert "STALE" in figure.get_suptitle()
    assert notes and notes[0].startswith("STALE")


def test_the_axis_names_currency_and_new_york_time() -> None:
    figure, _ = build_price_figure(request("1mo", bars=daily(30)))
    price, volume = figure.axes
    assert price.get_ylabel() == "Price (USD)"
    assert volume.get_xlabel().startswith("New York time")


@pytest.mark.parametrize(
    ("period", "style"), [("1y", "candles"), ("1y", "line"), ("1d", "candles"), ("5d", "line")]
)
def test_png_has_the_expected_size_and_stays_small(period: ChartPeriod, style: str) -> None:
    bars = (
        daily(300)
        if period == "1y"
        else intraday(sessions(1 if period == "1d" else 5), minutes=5, extended=True)
    )
    image = render_price_chart(
        request(period, style=style, bars=bars, shown_from=48 if period == "1y" else 0)
    )
    assert image.png.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", image.png[16:24])
    assert (width, height) == (int(WIDTH_IN * DPI), int(HEIGHT_IN * DPI))
    pixels = mimage.imread(io.BytesIO(image.png), format="png")
    # Both panels hold drawing: the candle and volume colours appear in the picture.
    green = (pixels[..., 1] > 0.55) & (pixels[..., 0] < 0.3)
    assert green[: height * 2 // 3].any() and green[height * 2 // 3 :].any()
    assert len(image.png) < PNG_BUDGET


def test_too_few_bars_are_refused() -> None:
    with pytest.raises(ValueError, match="1 bars"):
        build_price_figure(request("1mo", bars=daily(1)))


def test_moving_average_is_the_trailing_mean() -> None:
    closes = np.arange(1.0, 11.0)
    result = moving_average(closes, 4)
    assert np.isnan(result[:3]).all()
    assert result[3:] == pytest.approx([2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5])
    assert np.isnan(moving_average(closes[:2], 4)).all()
