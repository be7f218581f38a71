"""Two bot processes sharing one token stay under Discord's global limit together.

Shard 0 and shard 1 of 2 run as two `python -m bot run` processes over one PostgreSQL store
(the store for several processes; two processes writing one SQLite file wait for each other's
transactions past SQLite's busy timeout), against one local Discord that limits the token to
50 requests per second whichever process sends. Each shard has 80 servers; every server's daily
summary is due when the processes start (each process posts its own servers'), and an alert
in every server fires in one poll once both answer commands: more than either process alone
may send in a second, so with each process pacing itself (as before) they would together
send about 100 per second and get global 429s. Until outbox rows are claimed by one process,
both may deliver the same row (Discord's nonce check absorbs the second post): exactly once
is not this test's business, the token's request rate is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bench.bench_pace import GLOBAL_LIMIT, run_pair
from bot.market.calendar import TradingCalendar
from tests.postgres import pg_database, running

pytestmark = pytest.mark.slow

SERVERS_PER_SHARD = 80


@pytest.fixture
async def shared_store(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """The PostgreSQL database both processes keep their store in."""
    async with pg_database(running(request.getfixturevalue("pg_cluster"))) as url:
        yield url


async def test_two_processes_together_stay_under_the_token_s_global_limit(
    shared_store: str, tmp_path: Path, calendar: TradingCalendar
) -> None:
    outcome = await run_pair(shared_store, tmp_path, calendar, servers_per_shard=SERVERS_PER_SHARD)
    print(outcome)  # shown with -s: what the two processes sent together
    servers = 2 * SERVERS_PER_SHARD
    assert (outcome.alerts, outcome.summaries) == (servers, servers)
    assert outcome.global_429 == 0
    assert outcome.busiest_second <= GLOBAL_LIMIT
