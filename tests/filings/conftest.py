"""Fixtures for the filings tests: a local EDGAR with one company, and a client aimed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.filings.client import EdgarClient
from edgar_emulator import EdgarEmulator
from tests.filings.world import CIFR_CIK, add_shipped_companies, edgar_client

CIK = CIFR_CIK
# A Wednesday, 10:00 in New York: business hours.
START = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def edgar() -> AsyncIterator[EdgarEmulator]:
    async with EdgarEmulator() as emulator:
        add_shipped_companies(emulator)
        yield emulator


@pytest.fixture
async def client(edgar: EdgarEmulator, clock: ManualClock) -> AsyncIterator[EdgarClient]:
    client = edgar_client(edgar, clock)
    yield client
    await client.aclose()
