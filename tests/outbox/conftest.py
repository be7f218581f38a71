"""Fixtures for the outbox tests: a store with alerts to report, a fake sender, a worker."""

from __future__ import annotations

import random

import pytest

from bot.alerts.delivery import PauseUndeliverableAlerts
from bot.alerts.evaluate import AlertEvaluator
from bot.alerts.service import AlertService
from bot.clock import ManualClock
from bot.market.calendar import TradingCalendar
from bot.outbox.worker import OutboxWorker
from bot.store import Store
from tests.alerts.helpers import T0
from tests.outbox.fakes import FakeSender


@pytest.fixture(scope="session")
def calendar() -> TradingCalendar:
    return TradingCalendar()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def service(store: Store, clock: ManualClock, calendar: TradingCalendar) -> AlertService:
    return AlertService(store, clock, calendar)


@pytest.fixture
def evaluator(store: Store, clock: ManualClock, calendar: TradingCalendar) -> AlertEvaluator:
    return AlertEvaluator(store, clock, calendar)


@pytest.fixture
def sender() -> FakeSender:
    return FakeSender()


@pytest.fixture
def worker(store: Store, sender: FakeSender, clock: ManualClock) -> OutboxWorker:
    return OutboxWorker(
        store, sender, clock, hooks=[PauseUndeliverableAlerts(store)], rng=random.Random(7)
    )
