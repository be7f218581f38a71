"""The multi-process benchmark, tiny: both layouts at once, so that every test run proves it works.

24 servers over 3 shards (three PostgreSQL processes of one shard each, one SQLite process of
all three), 2,000 alerts, about 20 crossed by the move. The summaries are due at a whole
minute, so the run lasts until the first minute boundary after the processes are ready and
the move is posted: 40-100 s.
"""

from __future__ import annotations

import pytest

from bench.bench_multiprocess import Sizes, report, run
from local_postgres import ClusterUnavailable
from tests.postgres import running

SIZES = Sizes(
    servers=24,
    alerts=2_000,
    crossings=20,
    shard_count=3,
    rate=5,
    quiet=1,
    ready_budget=20,
    together=True,
)


@pytest.mark.slow
async def test_every_layout_answers_and_posts_every_crossing_and_summary() -> None:
    try:
        outcomes, started = await run(SIZES)
    except ClusterUnavailable as exc:
        running(f"the multi-process benchmark needs PostgreSQL: {exc}")  # skips, or fails in CI
        return
    assert [(o.layout.store, o.layout.ranges) for o in outcomes] == [
        ("postgresql", ("0-0", "1-1", "2-2")),
        ("sqlite", ("0-2",)),
    ]
    for outcome in outcomes:
        assert len(outcome.ready) == len(outcome.layout.ranges), outcome.layout.name
        assert outcome.commands, outcome.layout.name  # members got answers
        assert outcome.expected, outcome.layout.name  # the move crossed some alerts …
        assert outcome.expected <= outcome.alert_posts.keys(), outcome.layout.name  # … all posted
        assert len(outcome.summary_posts) == SIZES.servers, outcome.layout.name
    sqlite = outcomes[1]
    assert sqlite.alert_duplicates == 0
    assert all(len(times) == 1 for times in sqlite.summary_posts.values())
    rows = {
        cells[1]: cells[2:-1]
        for line in report(outcomes, SIZES, started).splitlines()
        if (cells := [c.strip() for c in line.split("|")])[0] == "" and len(cells) == 5
    }
    # The report shows what was measured: nothing missing anywhere, nothing doubled on SQLite.
    postgres, sqlite_cell = rows["summaries missing / duplicate"]
    assert postgres.startswith("**0 /") and sqlite_cell == "**0 / 0**"
    assert rows["move: missing / duplicate posts"][1] == "**0 / 0**"
