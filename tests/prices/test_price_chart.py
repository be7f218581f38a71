"""A candle or line chart's data from real sources (demo, replay): which bars, the live
price, intraday sessions, and the deal marks the shipped ledger gives Cipher."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.market.calendar import TradingCalendar
from bot.market.intraday import IntradayUnavailable
from bot.market.market_data import MarketData
from bot.market.models import DailyBar, DataSource
from bot.prices.deal_marks import deal_label, deal_marks, party_label
from bot.prices.price_chart import AVERAGE_LOOKBACK_DAYS, price_chart_request, with_live_bar
from bot.render.chart import NotEnoughHistory
from bot.render.price_chart import (
    CHART_PERIODS,
    NEW_YORK,
    ChartPeriod,
    build_price_figure,
    period_change,
    render_price_chart,
)
from bot.store import Store
from tests import factories

NOW = datetime(2026, 12, 4, 20, 30, tzinfo=UTC)  # Friday 15:30 New York, in session
PNG_BUDGET = 400_000


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


def market(source: str, clock: ManualClock, tmp_path: Path) -> MarketData:
    return MarketData.open(source, cache_dir=tmp_path / "cache", clock=clock, poll_seconds=60)


@pytest.mark.parametrize("style", ["candles", "line"])
@pytest.mark.parametrize("period", CHART_PERIODS)
async def test_every_period_and_style_renders_from_demo_prices(
    period: ChartPeriod, style: str, clock: ManualClock, tmp_path: Path
) -> None:
    demo = market("demo", clock, tmp_path)
    await demo.poll_once(["CIFR"])
    request = await price_chart_request(
        demo, clock, "CIFR", period, "candles" if style == "candles" else "line"
    )
    assert request.source is DataSource.DEMO and request.currency == "USD"
    shown = request.shown
    days = {b.at.astimezone(NEW_YORK).date() for b in shown}
    if period == "1d":
        assert days == {date(2026, 12, 4)} and len(shown) == 72  # 09:30 to 15:30
    elif period == "5d":
        assert len(days) == 5 and request.bar_label == "15-minute"
    else:
        assert not request.intraday and shown[-1].at.date() == date(2026, 12, 4)
        assert request.shown_from > 0  # days before the period feed the averages
    quote = demo.quote("CIFR")
    assert quote is not None and shown[-1].close == pytest.approx(quote.price)
    image = render_price_chart(request)
    assert len(image.png) < PNG_BUDGET
    assert not any("average" in note for note in image.notes)  # the lookback covers both


async def test_daily_periods_load_enough_days_for_the_fifty_day_average(
    clock: ManualClock, tmp_path: Path
) -> None:
    demo = market("demo", clock, tmp_path)
    request = await price_chart_request(demo, clock, "CIFR", "1mo", "candles")
    assert request.shown_from >= 49
    first = request.bars[0].at.date()
    assert first >= (NOW - timedelta(days=31 + AVERAGE_LOOKBACK_DAYS)).date()
    figure, notes = build_price_figure(request)
    averages = [ln.get_gid() for ln in figure.axes[0].get_lines()]
    assert "average:20" in averages and "average:50" in averages and notes == []


REPLAY = """timestamp,symbol,price,prev_close,volume
2026-12-03T14:30:00Z,CIFR,15.00,14.80,100000
2026-12-03T18:00:00Z,CIFR,15.60,14.80,900000
2026-12-03T20:59:00Z,CIFR,15.20,14.80,1500000
2026-12-04T14:31:00Z,CIFR,15.30,15.20,200000
2026-12-04T15:07:00Z,CIFR,15.90,15.20,700000
2026-12-04T17:44:00Z,CIFR,15.50,15.20,1100000
"""


@pytest.mark.parametrize("style", ["candles", "line"])
@pytest.mark.parametrize("period", CHART_PERIODS)
async def test_every_period_and_style_renders_from_replayed_prices(
    period: ChartPeriod, style: str, clock: ManualClock, tmp_path: Path
) -> None:
    path = tmp_path / "prices.csv"
    path.write_text(REPLAY)
    replay = market(f"replay:{path}", clock, tmp_path)
    await replay.poll_once(["CIFR"])
    request = await price_chart_request(
        replay, clock, "CIFR", period, "candles" if style == "candles" else "line"
    )
    assert request.source is DataSource.REPLAY
    closes = [b.close for b in request.shown]
    if period == "1d":
        assert closes == [15.3, 15.9, 15.5]  # one bar per 5-minute slot with a trade
    elif period == "5d":
        assert len(closes) == 6
    else:
        assert closes == [15.2, 15.5]  # two sessions, the second at the live price
        assert request.shown[0].high == 15.6 and request.shown[0].low == 15.0
    image = render_price_chart(request)
    assert image.png.startswith(b"\x89PNG") and len(image.png) < PNG_BUDGET


async def test_an_unknown_symbol_has_no_intraday_bars_and_no_daily_history(
    clock: ManualClock, tmp_path: Path
) -> None:
    demo = market("demo", clock, tmp_path)
    with pytest.raises(IntradayUnavailable):
        await price_chart_request(demo, clock, "ZZZZ", "1d", "line")
    with pytest.raises(NotEnoughHistory) as refused:
        await price_chart_request(demo, clock, "ZZZZ", "1y", "line")
    assert "No daily price history for ZZZZ" in refused.value.user_message


def test_the_live_quote_closes_its_session_or_adds_it(calendar: TradingCalendar) -> None:
    stored = [DailyBar(date(2026, 12, 3), 10, 11, 9.5, 10.5, 1000)]
    live = factories.quote(
        "CIFR", 11.8, previous_close=10.5, as_of=datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
    )
    added = with_live_bar(stored, live, calendar)
    assert [b.date for b in added] == [date(2026, 12, 3), date(2026, 12, 4)]
    assert added[-1].open == 10.5 and added[-1].close == 11.8 and added[-1].high >= 11.8
    same_day = [*stored, DailyBar(date(2026, 12, 4), 10.5, 11.0, 10.4, 10.9, 500)]
    closed = with_live_bar(same_day, live, calendar)
    assert len(closed) == 2 and closed[-1].close == 11.8 and closed[-1].high == 11.8
    assert with_live_bar(stored, None, calendar) == stored


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("Amazon Web Services (AMZN)", "AWS"),
        ("Fluidstack Ltd. (private, UK)", "Fluidstack"),
        ("Unnamed investment-grade hyperscale tenant", "Unnamed tenant"),
        ("Microsoft Corporation", "Microsoft"),
        ("CoreWeave, Inc.", "CoreWeave"),
        ("Inc.", "Inc."),
    ],
)
def test_party_labels_are_short(name: str, label: str) -> None:
    assert party_label(name) == label


def test_a_deal_label_prefers_critical_it_and_leaves_unknown_power_out() -> None:
    assert (
        deal_label(
            factories.contract(counterparty="Fluidstack Ltd.", mw_critical_it=168, mw_gross=244)
        )
        == "Fluidstack 168 MW"
    )
    assert (
        deal_label(factories.contract(counterparty="Amazon Web Services (AMZN)", mw_gross=300))
        == "AWS 300 MW"
    )
    assert (
        deal_label(factories.contract(counterparty="Unnamed hyperscale tenant")) == "Unnamed tenant"
    )


async def test_cipher_gets_a_mark_for_each_shipped_deal_it_hosts(seeded_store: Store) -> None:
    contracts = await seeded_store.ledger.contracts(guild_id=None)
    marks = deal_marks(contracts, "CIFR")
    by_day = {m.day.isoformat(): m.label for m in marks}
    assert by_day["2025-11-03"] == "AWS 300 MW"
    assert by_day["2025-09-25"] == "Fluidstack 168 MW"
    assert all(m.day <= date(2026, 12, 4) for m in marks)
    assert [m.day for m in marks] == sorted(m.day for m in marks)
    assert not deal_marks(contracts, "NVDA")  # a tenant hosts nothing


def test_deals_without_a_valid_announcement_date_are_left_out() -> None:
    contracts = [
        factories.contract(id=1, announced_date=None),
        factories.contract(id=2, announced_date="sometime"),
        factories.contract(id=3, announced_date="2026-03-25", host_symbol="WULF"),
        factories.contract(id=4, announced_date="2026-03-25"),
    ]
    (mark,) = deal_marks(contracts, "CIFR")
    assert mark.day == date(2026, 3, 25)


async def test_a_year_of_cipher_candles_marks_its_deals_from_the_shipped_ledger(
    seeded_store: Store, clock: ManualClock, tmp_path: Path
) -> None:
    contracts = await seeded_store.ledger.contracts(guild_id=None)
    demo = market("demo", clock, tmp_path)
    request = await price_chart_request(
        demo, clock, "CIFR", "1y", "candles", deal_marks(contracts, "CIFR")
    )
    figure, _ = build_price_figure(request)
    first = request.shown[0].at.date()
    inside = [m for m in deal_marks(contracts, "CIFR") if m.day >= first]
    assert inside  # Cipher's 2026 lease falls within the year to 2026-12-04
    marked = {str(t.get_gid()): t.get_text() for t in figure.axes[0].texts}
    for mark in inside:
        assert marked[f"deal:{mark.day.isoformat()}"].startswith(mark.label)


async def test_a_day_moves_against_the_previous_close(clock: ManualClock, tmp_path: Path) -> None:
    demo = market("demo", clock, tmp_path)
    await demo.poll_once(["CIFR"])
    request = await price_chart_request(demo, clock, "CIFR", "1d", "candles")
    quote = demo.quote("CIFR")
    assert quote is not None and quote.change_pct is not None
    assert period_change(request) == pytest.approx(quote.change_pct)
    volumes = [b.volume for b in request.shown]
    assert volumes[0] > volumes[len(volumes) // 2]  # busier at the open than at midday
