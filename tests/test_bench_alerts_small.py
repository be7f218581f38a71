"""The alert index benchmark, small: 20,000 alerts, so that every test run exercises it.

The benchmark itself checks that the level index, the SQL trigger queries and a full scan
find the same changes; here the figures must also describe a run that did something.
"""

from __future__ import annotations

from bench.bench_alert_index import measure, report


async def test_the_three_find_paths_agree_and_the_evaluation_is_measured() -> None:
    figures = await measure(20_000, runs=2)
    streamed, poll, market = figures.finds
    assert 0 < streamed.changes == poll.changes < market.changes  # one symbol moved, then all
    for finds in (poll, market):
        assert finds.scan_ms > 0  # the full scan ran, and agreed
    for finds in figures.finds:
        assert finds.candidates >= finds.changes  # the index is a superset, like the SQL
    assert figures.evaluated.changed == market.changes
    assert figures.evaluated.messages > 0 and figures.evaluated.lags_ms
    # Every armed or waiting level alert of the store is indexed at start-up.
    assert figures.indexed == 20_000
    assert "| market-wide find p50 < 10 ms |" in report(figures)
