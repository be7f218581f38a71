"""Discord having a bad day: 5xx and 429 on replies and posts, dropped and invalidated sessions."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession
from discord_emulator import InteractionResult
from tests.e2e.deals_helpers import SOURCE, run, worker
from tests.hardening.harness import INTERACTION_WINDOW, answered

CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
CALLBACKS = "POST /interactions/*"
MESSAGES = "POST /channels/{channel_id}/messages"


async def ask(sandbox: SandboxSession, command: str, **options: object) -> InteractionResult:
    """Run a command as the member and wait until the bot is done with it."""
    world = sandbox.world
    result = await sandbox.emu.invoke(
        world.guild.id, world.general.id, world.member.id, command, dict(options)
    )
    await answered(result, sandbox.bot, timeout=15)
    return result


def forget(sandbox: SandboxSession, result: InteractionResult) -> None:
    """Drop an interaction the test expected to fail from the fixture's end-of-test checks."""
    sandbox.emu.interactions.pop(result.id, None)
    sandbox.bot.tree.failures.clear()


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_one_5xx_on_the_reply_is_retried_within_the_window(
    sandbox: SandboxSession, status: int
) -> None:
    """discord.py retries a failed interaction reply after a second: the real answer, in time."""
    sandbox.emu.faults.fail(CALLBACKS, status=status, times=1)
    result = await ask(sandbox, "price", symbol="CIFR")
    assert result.embeds and "CIFR" in result.embeds[0]["title"]
    assert result.initial is not None
    assert result.initial.at - result.created < INTERACTION_WINDOW
    assert [r.status for r in sandbox.emu.recorder.matching(CALLBACK)][-2:] == [status, 200]


async def test_a_429_on_the_reply_is_waited_out(sandbox: SandboxSession) -> None:
    """A rate-limited reply is retried after retry_after and still lands in the window."""
    emu = sandbox.emu
    emu.ratelimits.enable()
    emu.ratelimits.exhaust_every(CALLBACK, for_seconds=0.6)
    result = await ask(sandbox, "help")
    assert result.embeds and emu.ratelimits.served_429 >= 1
    assert result.initial is not None
    assert result.initial.at - result.created < INTERACTION_WINDOW


@pytest.mark.slow
async def test_a_burst_of_500s_on_the_reply_costs_that_answer_not_the_bot(
    sandbox: SandboxSession,
) -> None:
    """Two 500s in a row push the reply past Discord's 3 s: that one fails, the next works."""
    world = sandbox.world
    sandbox.emu.faults.fail(CALLBACKS, status=500, times=2)
    lost = await sandbox.emu.invoke(world.guild.id, world.general.id, world.member.id, "help", {})
    await asyncio.sleep(INTERACTION_WINDOW + 1.5)  # discord.py waits 1 s, then 3 s
    assert lost.failed  # "This interaction failed": Discord allows no later first answer
    forget(sandbox, lost)
    assert (await ask(sandbox, "help")).embeds


async def test_a_5xx_on_the_followup_after_a_defer_is_retried(sandbox: SandboxSession) -> None:
    """A deferred answer's followup survives a 502 (the placeholder does not stay "thinking")."""
    sandbox.emu.faults.fail("POST /webhooks/*", status=502, times=1)
    result = await ask(sandbox, "price", symbol="ZZZZ")  # not cached: deferred, then followup
    assert result.deferred
    assert "ZZZZ" in result.text()


@pytest.mark.slow
async def test_posts_survive_a_storm_of_5xx_and_429_each_exactly_once(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    """Watch posts under 503s, a lost 502, a 500 and tight rate limits: all arrive, none twice."""
    emu, world = sandbox.emu, sandbox.world
    delivery = await worker(sandbox)
    await run(sandbox, "deals watch", {"channel": world.alerts.id})
    for n in range(6):
        added = await run(
            sandbox,
            "deals add",
            {"host": "IREN", "counterparty": f"Storm Cloud {n}", "source_url": SOURCE},
        )
        assert added.content.startswith("Added")
    emu.faults.fail(MESSAGES, status=503, times=2)  # not retried by discord.py: the outbox does
    emu.faults.fail(MESSAGES, status=502, times=1, after_handling=True)  # stored, answer lost
    emu.faults.fail(MESSAGES, status=500, times=1)
    emu.ratelimits.enable(global_per_second=5)
    emu.ratelimits.set_bucket(MESSAGES, 2, 1.0)
    # Used up elsewhere (another process on the same token): the first send meets a 429.
    emu.ratelimits.exhaust(MESSAGES, world.alerts.id, for_seconds=1.0)
    for _ in range(12):
        await delivery.deliver_due()
        if await sandbox.bot.store.outbox.pending_count() == 0:
            break
        e2e_clock.advance(timedelta(minutes=10))
    posts = emu.posts(world.alerts.id)
    titles = [p.embeds[0]["title"] for p in posts]
    assert len(titles) == 6 == len(set(titles)), titles
    assert await sandbox.bot.store.outbox.pending_count() == 0
    assert len(emu.faults.fired) == 4 and emu.ratelimits.served_429 >= 1


@pytest.mark.parametrize(
    "trouble",
    ["drop", "reconnect", "invalid-resumable", "invalid-session"],
)
async def test_the_bot_answers_again_after_gateway_trouble(
    sandbox: SandboxSession, trouble: str
) -> None:
    """Dropped connection, op 7, and INVALID_SESSION (resumable or not): the bot comes back."""
    gateway = sandbox.emu.gateway
    if trouble == "drop":
        await gateway.drop()
    elif trouble == "reconnect":
        await gateway.reconnect()
    else:
        await gateway.invalidate_session(resumable=trouble == "invalid-resumable")
    await gateway.wait_ready(15)
    await asyncio.sleep(0.05)
    assert (await ask(sandbox, "help")).embeds
    added = await run(
        sandbox,
        "deals add",
        {"host": "IREN", "counterparty": "Gateway Cloud", "source_url": SOURCE},
    )
    assert added.content.startswith("Added")
