"""Fixtures for the alert tests: a clock at T0, a service and an evaluator."""

from __future__ import annotations

import pytest

from bot.alerts.evaluate import AlertEvaluator
from bot.alerts.service import AlertService
from bot.clock import ManualClock
from bot.market.calendar import TradingCalendar
from bot.store import Store
from tests.alerts.helpers import T0


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def service(store: Store, clock: ManualClock, calendar: TradingCalendar) -> AlertService:
    return AlertService(store, clock, calendar)


@pytest.fixture
def evaluator(store: Store, clock: ManualClock, calendar: TradingCalendar) -> AlertEvaluator:
    return AlertEvaluator(store, clock, calendar)
