"""Fixtures for the outbox tests: a store with alerts to report, a fake sender, a worker."""

from __future__ import annotations

import random

import pytest

from bot.alerts.delivery import PauseUndeliverableAlerts
from bot.clock import ManualClock
from bot.outbox.worker import OutboxWorker
from bot.store import Store
from tests.alerts.conftest import clock, evaluator, service
from tests.outbox.fakes import FakeSender

__all__ = ["clock", "evaluator", "service"]


@pytest.fixture
def sender() -> FakeSender:
    return FakeSender()


@pytest.fixture
def worker(store: Store, sender: FakeSender, clock: ManualClock) -> OutboxWorker:
    return OutboxWorker(
        store, sender, clock, hooks=[PauseUndeliverableAlerts(store)], rng=random.Random(7)
    )
