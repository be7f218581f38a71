"""What claiming due outbox rows costs against reading them, on a SQLite store.

Run: .venv/bin/python -m bench.bench_claims [--pending 10000] [--delivered 100000]
     [--channels 1000] [--repeat 20]

A backlog of ``--pending`` rows spread over ``--channels`` channels waits among
``--delivered`` delivered rows. Three reads of a batch of 500 are timed: the old ``due``
(a read), a claim and its release (one write each, as a delivery round does), and a claim
while another worker holds half the backlog (every channel, so nothing is claimable).
Prints the median and 90th percentile of each.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.outbox.claims import LEASE
from bot.outbox.model import Destination, OutboxKind, OutboxMessage, OutboxRow
from bot.store import Store

T0 = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
BATCH = 500
ENQUEUE_BATCH = 5_000


async def _timed(name: str, run: Callable[[], Awaitable[list[OutboxRow]]], repeat: int) -> None:
    await run()  # warm the page cache and the prepared statements
    seconds = []
    rows: list[OutboxRow] = []
    for _ in range(repeat):
        began = time.perf_counter()
        rows = await run()
        seconds.append(time.perf_counter() - began)
    seconds.sort()
    p90 = seconds[min(len(seconds) - 1, int(len(seconds) * 0.9))]
    print(
        f"{name:<40} {len(rows):>4} rows  median {statistics.median(seconds) * 1000:7.1f} ms"
        f"  p90 {p90 * 1000:7.1f} ms"
    )


async def main(pending: int, delivered: int, channels: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(Path(folder) / "claims.sqlite3")
        try:
            messages = [
                OutboxMessage(
                    dedupe_key=f"bench:{n}",
                    kind=OutboxKind.SUMMARY,
                    destination=Destination.channel(10_000 + n % channels),
                    payload={"content": f"message {n}", "embeds": []},
                )
                for n in range(delivered + pending)
            ]
            for start in range(0, len(messages), ENQUEUE_BATCH):
                async with store.db.transaction() as conn:
                    await store.outbox.enqueue(
                        conn, messages[start : start + ENQUEUE_BATCH], now=T0
                    )
            await store.db.execute(
                "UPDATE outbox SET state = 'delivered' WHERE id <= ?", (delivered,)
            )
            now = T0 + timedelta(seconds=1)

            async def claim_and_release() -> list[OutboxRow]:
                rows = await store.outbox.claim(now, worker="me", until=now + LEASE, limit=BATCH)
                await store.outbox.release("me")
                return rows

            print(f"{pending:,} pending rows in {channels:,} channels, {delivered:,} delivered")
            await _timed(
                "due (read, before claims)", lambda: store.outbox.due(now, limit=BATCH), repeat
            )
            await _timed("claim + release", claim_and_release, repeat)
            held = await store.outbox.claim(
                now, worker="other", until=now + LEASE, limit=pending // 2
            )
            await _timed(f"claim, another worker holding {len(held):,}", claim_and_release, repeat)
        finally:
            await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=10_000)
    parser.add_argument("--delivered", type=int, default=100_000)
    parser.add_argument("--channels", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.pending, args.delivered, args.channels, args.repeat))
