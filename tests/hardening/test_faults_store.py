"""A full disk or a read-only store: a clear answer, no crash, no corruption, recovery after."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.outbox.model import Settlement
from bot.sandbox.session import SandboxSession
from tests.e2e.deals_helpers import run, worker
from tests.hardening.harness import fingerprint, help_latency

FULL = "its storage is full right now, so nothing was changed"
READ_ONLY = "its storage is read-only right now, so nothing was changed"
DEAL = {"host": "IREN", "counterparty": "Disk Cloud", "source_url": "https://example.com/d"}


async def fill_disk(sandbox: SandboxSession) -> None:
    """Stop the file from growing and use up its free pages: SQLite answers SQLITE_FULL."""
    db = sandbox.bot.store.db
    row = await db.fetch_one("PRAGMA page_count")
    assert row is not None
    await db.fetch_one(f"PRAGMA max_page_count = {row[0]}")
    filler = 0
    for size in (16_384, 2_048, 256, 32, 4):  # other files taking the last bytes of the disk
        while True:
            try:
                await db.execute(
                    "INSERT INTO store_meta (key, value) VALUES (?, ?)",
                    (f"filler-{filler}", "f" * size),
                )
            except sqlite3.OperationalError:
                break
            filler += 1


async def free_disk(sandbox: SandboxSession) -> None:
    db = sandbox.bot.store.db
    await db.fetch_one("PRAGMA max_page_count = 1073741823")
    await db.execute("DELETE FROM store_meta WHERE key LIKE 'filler-%'")


async def read_only(sandbox: SandboxSession) -> None:
    """Refuse every write, as a store file mounted read-only would."""
    await sandbox.bot.store.db.fetch_one("PRAGMA query_only = ON")


async def writable(sandbox: SandboxSession) -> None:
    await sandbox.bot.store.db.fetch_one("PRAGMA query_only = OFF")


WRITES: list[tuple[str, dict[str, Any]]] = [
    ("deals add", {**DEAL, "notes": "n" * 1000}),
    ("deals edit", {"id": 1, "notes": "x" * 1000, "counterparty": "y" * 200}),
    ("deals watch", {"channel": 0}),
    ("alert add", {"symbol": "CIFR", "condition": "above", "value": 16.0, "note": "z" * 200}),
]


@pytest.mark.parametrize(
    ("break_it", "mend_it", "expected"),
    [(fill_disk, free_disk, FULL), (read_only, writable, READ_ONLY)],
    ids=["full-disk", "read-only"],
)
async def test_writes_fail_clearly_and_work_again_after(
    sandbox: SandboxSession,
    break_it: Callable[[SandboxSession], Awaitable[None]],
    mend_it: Callable[[SandboxSession], Awaitable[None]],
    expected: str,
) -> None:
    """Each writing command says the store cannot take it; reads keep working; then recovery."""
    store = sandbox.bot.store
    await break_it(sandbox)
    refused = 0
    add_fitted = False
    for command, options in WRITES:
        if "channel" in options:
            options = {**options, "channel": sandbox.world.alerts.id}
        before = await fingerprint(store)
        result = await run(sandbox, command, options)
        text = result.text()
        assert "Something went wrong" not in text, f"/{command}: {text!r}"
        if expected in text:  # a write that still fits in a page's free bytes may succeed
            refused += 1
            assert result.ephemeral and await fingerprint(store) == before, command
        elif command == "deals add":
            add_fitted = True
    # A full file still takes what fits in the free bytes of its pages; read-only takes nothing.
    assert refused >= 1 if expected == FULL else refused == len(WRITES)
    # Reading needs no space: the ledger, quotes and help still answer.
    listed = await run(sandbox, "deals list", {"company": "IREN"})
    assert ("Disk Cloud" in listed.text()) is add_fitted and not listed.ephemeral
    assert (await run(sandbox, "price", {"symbol": "CIFR"})).embeds
    assert await help_latency(sandbox) < 0.5
    await sandbox.bot.pipeline.tick()  # a poll whose evaluation cannot write: logged, not fatal
    failures = list(sandbox.bot.tree.failures)
    assert len(failures) == refused  # each logged with its reference for the operator
    sandbox.bot.tree.failures.clear()

    await mend_it(sandbox)
    assert await store.db.integrity_check() == ["ok"]
    added = await run(sandbox, "deals add", DEAL)
    assert added.content.startswith("Added contract #"), added.text()
    assert (await run(sandbox, "deals watch", {"channel": sandbox.world.alerts.id})).content
    assert await store.db.integrity_check() == ["ok"]


async def test_a_post_sent_but_not_recorded_is_not_sent_twice(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    """Delivered, but the store refused to record it: found by its marker, never posted again,
    even once Discord has forgotten the nonce."""
    emu, world = sandbox.emu, sandbox.world
    delivery = await worker(sandbox)
    await run(sandbox, "deals watch", {"channel": world.alerts.id})
    assert (await run(sandbox, "deals add", DEAL)).content.startswith("Added")
    # Discord creates the post and holds the answer; meanwhile the store turns read-only.
    emu.faults.delay("POST /channels/{channel_id}/messages", 0.3, after_handling=True)
    sending = asyncio.create_task(delivery.deliver_due())
    await emu.wait_for_posts(world.alerts.id)
    await read_only(sandbox)
    await sending  # the failure to record is logged; the worker carries on
    assert len(emu.posts(world.alerts.id)) == 1  # sent, though the store could not say so
    await writable(sandbox)
    assert await sandbox.bot.store.outbox.pending_count() == 1
    emu.forget_nonces()  # the store stayed read-only past Discord's memory of the nonce
    for _ in range(5):
        e2e_clock.advance(timedelta(minutes=5))
        await delivery.deliver_due()
    posts = emu.posts(world.alerts.id)
    assert len(posts) == 1, f"{len(posts)} watch posts"
    pending = await sandbox.bot.store.outbox.pending_count()
    assert pending == 0
    (row,) = await sandbox.bot.store.outbox.rows()
    assert row.message_id == posts[0].id and row.settled_by is Settlement.FOUND
    assert await sandbox.bot.store.db.integrity_check() == ["ok"]
