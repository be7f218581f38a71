"""The rules of the kinds read against daily facts, table-driven: edges, re-arming, days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from bot.alerts.engine import DEFAULT_RULES, step
from bot.alerts.facts import DailyFacts
from bot.alerts.kinds import kind_start
from bot.alerts.model import Alert, AlertKind, AlertState, Basis, Direction, Side, Tick
from bot.alerts.signals import build_signal
from bot.market.models import MarketState, Quote
from bot.render.alerts import headline
from tests import factories
from tests.alerts.helpers import T0, alert

DAY = date(2026, 11, 25)  # T0's session
YESTERDAY = date(2026, 11, 24)
COOLDOWN = DEFAULT_RULES.cooldown


def facts(**values: Any) -> DailyFacts:
    """Facts for CIFR on DAY; every figure unknown unless given."""
    base: dict[str, Any] = {
        "symbol": "CIFR",
        "day": DAY,
        "high52": None,
        "low52": None,
        "ma50": None,
        "ma200": None,
        "avg_volume20": None,
        "sessions": 260,
    }
    base.update(values)
    return DailyFacts(**base)


def quote(price: float, *, symbol: str = "CIFR", **fields: Any) -> Quote:
    fields.setdefault("previous_close", 100.0)
    fields.setdefault("as_of", T0)
    return factories.quote(symbol, price, **fields)


EARNINGS_ON = date(2026, 11, 30)  # the Monday after T0's Wednesday: 5 days away


@dataclass
class Case:
    """One tick against one alert, and what must come of it."""

    name: str
    alert: Alert
    price: float
    facts: DailyFacts | None = None
    high: float | None = None
    low: float | None = None
    quote: dict[str, Any] = field(default_factory=dict)
    benchmarks: dict[Basis, Quote] = field(default_factory=dict)
    fraction: float | None = 1.0
    earnings_day: date | None = None
    now: datetime = T0
    fires: tuple[Direction, ...] = ()
    state: AlertState | None = None  # the stored state after, when it changes
    side: Side | None = None  # ma_cross: the side stored after
    changed: bool | None = None  # whether anything is written


def run(case: Case) -> tuple[tuple[Direction, ...], Alert | None, Any]:
    tick = Tick(quote(case.price, **case.quote), high=case.high, low=case.low)
    signal = build_signal(
        tick,
        DAY,
        case.facts,
        benchmarks=case.benchmarks,
        fraction=case.fraction,
        band=DEFAULT_RULES.hysteresis,
        earnings_day=case.earnings_day,
    )
    change = step(case.alert, tick, now=case.now, day=DAY, signal=signal)
    if change is None:
        return (), None, None
    return tuple(f.direction for f in change.firings), change.after, change


def high52(**fields: Any) -> Alert:
    return alert(AlertKind.HIGH52, 0.0, **fields)


def low52(**fields: Any) -> Alert:
    return alert(AlertKind.LOW52, 0.0, **fields)


YEAR = facts(high52=110.0, low52=80.0)
UP, DOWN = (Direction.UP,), (Direction.DOWN,)

EXTREMES = [
    Case("a high above the 52-week high fires", high52(), 105.0, YEAR, high=111.0, fires=UP),
    Case("the last price alone can make the new high", high52(), 112.0, YEAR, fires=UP),
    Case("touching the 52-week high is not a new one", high52(), 105.0, YEAR, high=110.0),
    Case("once a day: already fired today", high52(move_up_day=DAY), 112.0, YEAR),
    Case(
        "a repeating alert fires again the next day and stays armed",
        high52(move_up_day=YESTERDAY, repeat=True),
        112.0,
        YEAR,
        fires=UP,
        state=AlertState.ARMED,
    ),
    Case("a one-shot alert is done", high52(), 112.0, YEAR, fires=UP, state=AlertState.FIRED),
    Case(
        "snoozed: the day counts as done, nothing posts",
        high52(snoozed_until=T0 + timedelta(hours=1)),
        112.0,
        YEAR,
        changed=True,
    ),
    Case("missing history fires nothing", high52(), 500.0, facts()),
    Case("no facts for the day fires nothing", high52(), 500.0, None),
    Case("a new low fires low52", low52(), 85.0, YEAR, low=79.0, fires=DOWN),
    Case("a new high does not fire low52", low52(), 112.0, YEAR),
    Case("low52 once a day", low52(move_down_day=DAY), 79.0, YEAR),
]

MA = facts(ma50=100.0, ma200=90.0)


def ma(basis: Basis = Basis.MA50, **fields: Any) -> Alert:
    return alert(AlertKind.MA_CROSS, 0.0, basis=basis, **fields)


AVERAGES = [
    Case(
        "price clears the 50-day average upward",
        ma(side=Side.BELOW),
        100.6,
        MA,
        fires=UP,
        side=Side.ABOVE,
        state=AlertState.FIRED,
    ),
    Case("inside the band the side does not change", ma(side=Side.BELOW), 100.4, MA),
    Case("still on the same side: nothing", ma(side=Side.ABOVE), 104.0, MA),
    Case(
        "crossing downward fires down",
        ma(side=Side.ABOVE),
        99.0,
        MA,
        fires=DOWN,
        side=Side.BELOW,
    ),
    Case(
        "the first sight of the average is a start point, not a cross",
        ma(),
        104.0,
        MA,
        side=Side.ABOVE,
        changed=True,
    ),
    Case(
        "a repeating alert crossing back within its cooldown follows the side quietly",
        ma(side=Side.ABOVE, repeat=True, cooldown_until=T0 + timedelta(minutes=5)),
        98.0,
        MA,
        side=Side.BELOW,
        changed=True,
    ),
    Case(
        "after the cooldown it fires again, and stays armed",
        ma(side=Side.ABOVE, repeat=True, cooldown_until=T0 - timedelta(minutes=1)),
        98.0,
        MA,
        fires=DOWN,
        side=Side.BELOW,
        state=AlertState.ARMED,
    ),
    Case(
        "the 200-day average has its own side",
        ma(Basis.MA200, side=Side.ABOVE),
        89.0,
        MA,
        fires=DOWN,
    ),
    Case("without 200 sessions of history nothing fires", ma(Basis.MA200), 50.0, facts(ma50=1.0)),
    Case(
        "golden cross: the 50-day average above the 200-day",
        ma(Basis.MA50_MA200, side=Side.BELOW),
        95.0,
        MA,
        fires=UP,
        side=Side.ABOVE,
    ),
    Case(
        "death cross: the 50-day average below the 200-day",
        ma(Basis.MA50_MA200, side=Side.ABOVE),
        95.0,
        facts(ma50=88.0, ma200=90.0),
        fires=DOWN,
    ),
]


def volume(level: float = 3.0, **fields: Any) -> Alert:
    return alert(AlertKind.VOLUME, level, **fields)


AVG = facts(avg_volume20=2_000_000.0)

VOLUMES = [
    Case(
        "3 M shares by mid-session is 3× a 2 M day's pace",
        volume(3.0),
        101.0,
        AVG,
        quote={"volume": 3_000_000},
        fraction=0.5,
        fires=UP,
    ),
    Case(
        "just short of the multiple",
        volume(3.1),
        101.0,
        AVG,
        quote={"volume": 3_000_000},
        fraction=0.5,
    ),
    Case(
        "the same volume at the close is only 1.5×",
        volume(3.0),
        101.0,
        AVG,
        quote={"volume": 3_000_000},
        fraction=1.0,
    ),
    Case(
        "before the open nothing is scaled",
        volume(1.5),
        101.0,
        AVG,
        quote={"volume": 9_000_000},
        fraction=None,
    ),
    Case(
        "once a day",
        volume(1.5, move_up_day=DAY),
        101.0,
        AVG,
        quote={"volume": 9_000_000},
    ),
    Case("no 20-day average: nothing", volume(1.5), 101.0, facts(), quote={"volume": 9e9}),
]


def gap(level: float = 5.0, **fields: Any) -> Alert:
    return alert(AlertKind.GAP, level, **fields)


GAPS = [
    Case(
        "an open 5 % above the close fires up", gap(5.0), 103.0, quote={"day_open": 105.0}, fires=UP
    ),
    Case("an open 4.9 % above does not", gap(5.0), 103.0, quote={"day_open": 104.9}),
    Case("an open 3 % below fires down", gap(2.0), 99.0, quote={"day_open": 97.0}, fires=DOWN),
    Case("once per direction per day", gap(2.0, move_down_day=DAY), 99.0, quote={"day_open": 97.0}),
    Case(
        "pre-market prices have no open yet",
        gap(2.0),
        99.0,
        quote={"day_open": 97.0, "market_state": MarketState.PRE},
    ),
    Case("an unknown open fires nothing", gap(0.1), 150.0),
]


def relative(level: float = 5.0, basis: Basis = Basis.BTC, **fields: Any) -> Alert:
    return alert(AlertKind.RELATIVE, level, basis=basis, **fields)


BTC_UP_2 = {Basis.BTC: quote(102_000.0, symbol="BTC-USD", previous_close=100_000.0)}
NVDA_UP_9 = {Basis.NVDA: quote(109.0, symbol="NVDA", previous_close=100.0)}

RELATIVES = [
    Case(
        "up 8 % while bitcoin is up 2 %: 6 points",
        relative(5.0),
        108.0,
        benchmarks=BTC_UP_2,
        fires=UP,
    ),
    Case("6 points is short of 6.5", relative(6.5), 108.0, benchmarks=BTC_UP_2),
    Case(
        "behind NVIDIA by 4 points fires down",
        relative(3.0, Basis.NVDA),
        105.0,
        benchmarks=NVDA_UP_9,
        fires=DOWN,
    ),
    Case("the other benchmark is not read", relative(0.5, Basis.NVDA), 108.0, benchmarks=BTC_UP_2),
    Case(
        "a stale benchmark is not compared",
        relative(1.0),
        108.0,
        benchmarks={Basis.BTC: BTC_UP_2[Basis.BTC].with_stale()},
    ),
    Case("once per direction per day", relative(5.0, move_up_day=DAY), 108.0, benchmarks=BTC_UP_2),
    Case(
        "the next day it fires again when repeating",
        relative(5.0, move_up_day=YESTERDAY, repeat=True),
        108.0,
        benchmarks=BTC_UP_2,
        fires=UP,
        state=AlertState.ARMED,
    ),
]


def corr(level: float = 0.3, basis: Basis = Basis.BTC, **fields: Any) -> Alert:
    return alert(AlertKind.CORRELATION, level, basis=basis, **fields)


LOW_CORR = facts(correlations={Basis.BTC: 0.2, Basis.NVDA: 0.6})
CORRELATIONS = [
    Case(
        "falling below the level fires down",
        corr(0.3, side=Side.ABOVE),
        50.0,
        LOW_CORR,
        fires=DOWN,
        side=Side.BELOW,
        state=AlertState.FIRED,
    ),
    Case("within the band of the level it stays", corr(0.21, side=Side.ABOVE), 50.0, LOW_CORR),
    Case(
        "rising above the level fires up, and a repeating alert stays armed",
        corr(0.5, Basis.NVDA, side=Side.BELOW, repeat=True),
        50.0,
        LOW_CORR,
        fires=UP,
        state=AlertState.ARMED,
    ),
    Case("already on that side: nothing", corr(0.3, side=Side.BELOW), 50.0, LOW_CORR),
    Case(
        "first sight is a start point",
        corr(0.3),
        50.0,
        LOW_CORR,
        side=Side.BELOW,
        changed=True,
    ),
    Case("no correlation yet: nothing", corr(0.3, side=Side.ABOVE), 50.0, facts()),
    Case(
        "snoozed: followed quietly",
        corr(0.3, side=Side.ABOVE, snoozed_until=T0 + timedelta(hours=1)),
        50.0,
        LOW_CORR,
        side=Side.BELOW,
        changed=True,
    ),
]


def earnings(days: float = 5.0, **fields: Any) -> Alert:
    return alert(AlertKind.EARNINGS, days, **fields)


EARNINGS = [
    Case("5 days before: the reminder", earnings(5), 50.0, earnings_day=EARNINGS_ON, fires=UP),
    Case(
        "6 days before a 5-day reminder: not yet", earnings(5), 50.0, earnings_day=date(2026, 12, 1)
    ),
    Case(
        "the reminder once per date",
        earnings(5, move_up_day=EARNINGS_ON),
        50.0,
        earnings_day=EARNINGS_ON,
    ),
    Case(
        "a one-shot alert stays armed after the reminder, for the day",
        earnings(5),
        50.0,
        earnings_day=EARNINGS_ON,
        fires=UP,
        state=AlertState.ARMED,
    ),
    Case(
        "on the day a one-shot alert fires and is done",
        earnings(2, move_up_day=DAY),
        50.0,
        earnings_day=DAY,
        fires=UP,
        state=AlertState.FIRED,
    ),
    Case(
        "on the day once per date",
        earnings(2, move_down_day=DAY),
        50.0,
        earnings_day=DAY,
    ),
    Case(
        "a repeating alert follows the next quarter's date afresh",
        earnings(5, move_up_day=date(2026, 8, 31), move_down_day=date(2026, 8, 31), repeat=True),
        50.0,
        earnings_day=EARNINGS_ON,
        fires=UP,
        state=AlertState.ARMED,
    ),
    Case("an unknown date fires nothing", earnings(14), 50.0),
]


@pytest.mark.parametrize(
    "case",
    EXTREMES + AVERAGES + VOLUMES + GAPS + RELATIVES + CORRELATIONS + EARNINGS,
    ids=lambda c: c.name,
)
def test_rules_of_the_new_kinds(case: Case) -> None:
    fired, after, _ = run(case)
    assert fired == case.fires
    if case.fires:
        assert after is not None and after.fired_count == case.alert.fired_count + len(fired)
    if case.state is not None:
        assert after is not None and after.state is case.state
    if case.side is not None:
        assert after is not None and after.side is case.side
    if case.changed is not None:
        assert (after is not None) is case.changed
    if not case.fires and case.changed is None:
        assert after is None, "a tick that fires nothing changes nothing"


def test_a_firing_carries_the_figures_its_post_shows() -> None:
    """The 52-week post names the beaten high; the relative post the benchmark's move."""
    _, _, change = run(Case("", high52(), 105.0, YEAR, high=111.0))
    firing = change.firings[0]
    assert (firing.trigger_price, firing.measure, firing.last_price) == (111.0, 110.0, 105.0)
    _, _, change = run(Case("", relative(5.0), 108.0, benchmarks=BTC_UP_2))
    firing = change.firings[0]
    assert firing.measure == pytest.approx(6.0) and firing.reference == pytest.approx(2.0)
    assert firing.move_pct == pytest.approx(8.0)


def test_a_snoozed_day_kind_marks_the_day_so_waking_up_fires_nothing_stale() -> None:
    snoozed = high52(snoozed_until=T0 + timedelta(minutes=30))
    _, after, _ = run(Case("", snoozed, 112.0, YEAR))
    assert after is not None and after.move_up_day == DAY and after.fired_count == 0
    woken = after._replace(snoozed_until=None)
    assert run(Case("", woken, 115.0, YEAR, now=T0 + timedelta(hours=1)))[0] == ()


def _start(kind: AlertKind, level: float, basis: Basis | None, case: Case) -> Any:
    tick = Tick(quote(case.price, **case.quote), high=case.high, low=case.low)
    signal = build_signal(
        tick, DAY, case.facts, benchmarks=case.benchmarks, fraction=1.0, band=0.005
    )
    return kind_start(kind, level, basis, signal, case.price)


def test_an_alert_made_after_todays_new_high_waits_for_the_next_day() -> None:
    start = _start(AlertKind.HIGH52, 0.0, None, Case("", high52(), 105.0, YEAR, high=111.0))
    assert start.waiting and start.up_day == DAY
    assert not _start(AlertKind.HIGH52, 0.0, None, Case("", high52(), 105.0, YEAR)).waiting


def test_a_new_ma_cross_alert_starts_from_the_side_the_price_is_on() -> None:
    # No band at the start: 100.1 is above a 100.0 average.
    start = _start(AlertKind.MA_CROSS, 0.0, Basis.MA50, Case("", ma(), 100.1, MA))
    assert start.side is Side.ABOVE and not start.waiting
    golden = _start(AlertKind.MA_CROSS, 0.0, Basis.MA50_MA200, Case("", ma(), 1.0, MA))
    assert golden.side is Side.ABOVE
    unknown = _start(AlertKind.MA_CROSS, 0.0, Basis.MA200, Case("", ma(), 1.0, facts()))
    assert unknown.side is None


def test_a_gap_already_past_the_level_today_waits() -> None:
    start = _start(AlertKind.GAP, 2.0, None, Case("", gap(), 97.0, quote={"day_open": 97.0}))
    assert start.down_day == DAY and start.up_day is None


def test_an_earnings_post_names_the_date_and_the_days_left() -> None:
    _, _, change = run(Case("", earnings(5), 50.0, earnings_day=EARNINGS_ON))
    assert headline(change.firings[0]) == "CIFR reports earnings in 5 days (Mon 30 Nov 2026)"
    _, _, change = run(Case("", earnings(5, move_up_day=DAY), 50.0, earnings_day=DAY))
    assert headline(change.firings[0]) == "CIFR reports earnings today (Wed 25 Nov 2026)"


def test_an_earnings_alert_made_inside_its_window_skips_the_early_reminder() -> None:
    tick = Tick(quote(50.0))
    signal = build_signal(
        tick, DAY, None, benchmarks={}, fraction=1.0, band=0.005, earnings_day=EARNINGS_ON
    )
    inside = kind_start(AlertKind.EARNINGS, 7, None, signal, 50.0)
    assert inside.waiting and inside.up_day == EARNINGS_ON and inside.down_day is None
    assert not kind_start(AlertKind.EARNINGS, 3, None, signal, 50.0).waiting
