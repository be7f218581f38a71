"""Shared fixtures: a real SQLite store per test, a clock that only moves when told, and the
local stand-ins for Yahoo and the Bitcoin network API."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from bot.app import Minerwatch, discover_cogs
from bot.clock import ManualClock
from bot.ledger.records import LedgerFile, load_ledger
from bot.market.calendar import TradingCalendar
from bot.paths import LEDGER_PATH
from bot.services import open_services
from bot.settings import load_settings
from bot.store import Store
from btcnet_emulator import FakeNetwork
from tests.postgres import Cluster, pg_database, running, session_cluster
from yahoo_emulator.payloads import written
from yahoo_emulator.server import FakeYahoo, Reply, serving

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"


@pytest.hookimpl(wrapper=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> Generator[None, Any, Any]:
    """On a test's timeout, print where each of its asyncio tasks waits, then fail it.

    The timeout's own report shows the threads' stacks; a hung async test's main thread is
    only ever the event loop's select, while what hangs is an await in some task.
    """
    result = yield
    fail = signal.getsignal(signal.SIGALRM)
    if callable(fail):

        def print_tasks_then_fail(signum: int, frame: FrameType | None) -> None:
            _print_pending_tasks()
            fail(signum, frame)

        signal.signal(signal.SIGALRM, print_tasks_then_fail)
    return result


def _print_pending_tasks() -> None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # the timeout struck outside the event loop
        return
    for task in asyncio.all_tasks(loop):
        print(f"--- task {task.get_name()} waits at:", file=sys.stderr)
        task.print_stack(file=sys.stderr)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 26, 15, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def calendar() -> TradingCalendar:
    """The XNYS calendar, built once for the whole run (it is slow to build)."""
    return TradingCalendar()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster | str]:
    """A throwaway PostgreSQL cluster for the session, or why there is none."""
    yield from session_cluster()


@pytest.fixture
async def store(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    """A migrated store: SQLite, or PostgreSQL with MINERWATCH_TEST_STORE=postgresql."""
    if os.environ.get("MINERWATCH_TEST_STORE", "").strip().lower() != "postgresql":
        opened = await Store.open(tmp_path / "minerwatch.sqlite3")
        try:
            yield opened
        finally:
            await opened.close()
        return
    async with pg_database(running(request.getfixturevalue("pg_cluster"))) as url:
        opened = await Store.open(url)
        try:
            yield opened
        finally:
            await opened.close()


@pytest.fixture
async def other_process(store: Store) -> AsyncIterator[Store]:
    """A second connection to ``store``, as another bot process sharing it holds one."""
    opened = await Store.open(store.db.location)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture(scope="session")
def shipped_ledger() -> LedgerFile:
    return load_ledger(LEDGER_PATH)


@pytest.fixture
async def seeded_store(store: Store, shipped_ledger: LedgerFile, clock: ManualClock) -> Store:
    await store.ledger.apply_seed(shipped_ledger, now=clock.now())
    return store


@pytest.fixture
def fake_yahoo() -> Iterator[FakeYahoo]:
    """A local Yahoo serving the hourly MSFT chart for every symbol."""
    server = FakeYahoo()
    body = written().hourly.body
    server.extra.append(
        lambda host, path, query: (
            Reply(200, body) if path.startswith("/v8/finance/chart/") else None
        )
    )
    with serving(server):
        yield server


@pytest.fixture
def stand_in() -> Iterator[FakeNetwork]:
    """The local Bitcoin network API, serving its default figures."""
    fake = FakeNetwork()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
async def loaded_bot(tmp_path: Path) -> AsyncIterator[Minerwatch]:
    """The bot with every cog loaded (its commands and services), without a Discord connection."""
    settings = load_settings(None, db_path=tmp_path / "s.sqlite3", price_source="demo")
    services = await open_services(settings)
    bot = Minerwatch(services)
    for extension in discover_cogs():
        await bot.load_extension(extension)
    yield bot
    await services.aclose()
