"""Shared steps for the /alert end-to-end tests: a price timeline, commands, firing, waiting."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.alerts.model import Alert
from bot.clock import ManualClock
from bot.outbox.model import OutboxRow
from bot.sandbox.session import SandboxSession
from discord_emulator import Message, User
from tests.e2e.conftest import REPLAY_CSV, START
from tests.e2e.deals_helpers import run

# The conftest's prices at +0, then later moves (seconds after the bot's start). Each test
# moves the clock to one of these moments and ticks the pipeline; the bot's own outbox
# worker, kicked by the evaluation, delivers.
#   CIFR (prev close 15.00): 15.50 → 16.50 → 15.00 → 17.00 → 15.50 → 16.50
#   IREN (prev close 40.00): 42.00 (+5 %) → 44.00 (+10 %) → 36.00 (−10 %)
#   NVDA (prev close 178.00): 180.00 → 190.00
TIMELINE = REPLAY_CSV + (
    "+60,CIFR,16.50,15.00,2100000\n"
    "+120,CIFR,15.00,15.00,2200000\n"
    "+180,CIFR,17.00,15.00,2300000\n"
    "+240,CIFR,15.50,15.00,2400000\n"
    "+300,CIFR,16.50,15.00,2500000\n"
    "+60,IREN,44.00,40.00,3100000\n"
    "+120,IREN,36.00,40.00,3200000\n"
    "+60,NVDA,190.00,178.00,5100000\n"
)
CREATED = re.compile(r"Alert #(\d+) set")
FOOTER_ID = re.compile(r"Alert #(\d+)")
WAIT = 5.0  # seconds: generous for a loaded CI machine; a pass takes milliseconds


async def add_alert(
    sandbox: SandboxSession, user: User | None = None, **options: Any
) -> tuple[str, int | None]:
    """Run /alert add as ``user`` (the member by default); return the reply and the new id."""
    result = await run(sandbox, "alert add", options, user=user or sandbox.world.member)
    assert result.ephemeral, result.describe()
    found = CREATED.search(result.content)
    return result.content, int(found.group(1)) if found else None


async def command(
    sandbox: SandboxSession, name: str, user: User | None = None, **options: Any
) -> str:
    """Run an /alert subcommand as ``user`` (the member by default); return its private reply."""
    result = await run(sandbox, f"alert {name}", options, user=user or sandbox.world.member)
    assert result.ephemeral, result.describe()
    return result.text()


async def tick_at(sandbox: SandboxSession, clock: ManualClock, seconds: int) -> None:
    """Move the clock to ``seconds`` after the start and poll (evaluating the alerts)."""
    clock.set(START + timedelta(seconds=seconds))
    await sandbox.bot.pipeline.tick()


async def stored(sandbox: SandboxSession, alert_id: int) -> Alert:
    """Return an alert as the store has it."""
    alert = await sandbox.bot.store.alerts.get(alert_id)
    assert alert is not None
    return alert


def reported_ids(messages: list[Message]) -> list[int]:
    """Return the alert ids the messages' embeds report, in order."""
    return [
        int(found.group(1))
        for message in messages
        for embed in message.embeds
        if (found := FOOTER_ID.search(embed.get("footer", {}).get("text", "")))
    ]


async def settled(sandbox: SandboxSession) -> list[OutboxRow]:
    """Wait until the outbox has nothing pending that is due; return every row."""
    return await wait_for_rows(
        sandbox, lambda rows: not any(r.state == "pending" for r in rows), "outbox settled"
    )


async def wait_for_rows(
    sandbox: SandboxSession,
    condition: Callable[[list[OutboxRow]], bool],
    what: str,
    timeout: float = WAIT,  # noqa: ASYNC109 - test-helper API
) -> list[OutboxRow]:
    """Wait until the outbox rows satisfy ``condition`` (the worker writes them as it goes)."""
    # The store has no change signal to wait on; checking every few milliseconds is cheap.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        rows = await sandbox.bot.store.outbox.rows()
        if condition(rows):
            return rows
        if loop.time() > deadline:
            raise TimeoutError(f"{what}: {[(r.id, r.state, r.last_error) for r in rows]}")
        await asyncio.sleep(0.01)
