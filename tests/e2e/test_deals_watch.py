"""/deals watch and unwatch: every change posted once, through the outbox, to the right servers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.outbox.model import OutboxKind, OutboxState
from bot.sandbox.session import SandboxSession
from tests.e2e.deals_helpers import add_deal, global_id, other_server, people, run, worker


async def watch(sandbox: SandboxSession) -> None:
    result = await run(sandbox, "deals watch", {"channel": sandbox.world.alerts.id})
    assert result.ephemeral and result.content.startswith("Watching the ledger")


@pytest.fixture(autouse=True)
async def deliver_by_hand(sandbox: SandboxSession) -> None:
    """Stop the bot's delivery loop: each test runs the outbox worker step by step."""
    await worker(sandbox)


def watch_posts(sandbox: SandboxSession, channel_id: int | None = None) -> list[str]:
    posts = sandbox.emu.posts(channel_id or sandbox.world.alerts.id)
    return [post.embeds[0]["title"] for post in posts]


async def test_each_change_is_posted_once(sandbox: SandboxSession) -> None:
    await watch(sandbox)
    admin = sandbox.world.admin
    _, contract_id = await add_deal(sandbox, admin, notes="@everyone look")
    await run(sandbox, "deals edit", {"id": contract_id, "status": "signed"})
    await run(sandbox, "deals remove", {"id": contract_id})
    delivery = await worker(sandbox)
    report = await delivery.deliver_due()
    assert len(report.delivered) == 3
    assert not (await delivery.deliver_due()).delivered
    titles = watch_posts(sandbox)
    assert [t.split(":")[0] for t in titles] == [
        "Contract added",
        "Contract changed",
        "Contract removed",
    ]
    posts = sandbox.emu.posts(sandbox.world.alerts.id)
    changed = posts[1].embeds[0]["description"]
    assert "`status`: announced → signed" in changed and f"<@{admin.id}>" in changed
    assert "@everyone" not in posts[0].embeds[0]["description"]
    sends = [r for r in sandbox.emu.requests if r.route.startswith("POST /channels/")]
    for request in sends:
        mentions = request.body["allowed_mentions"]
        assert mentions["parse"] == [] and not mentions.get("users") and not mentions.get("roles")


@pytest.mark.parametrize("after_handling", [False, True], ids=["refused", "lost-answer"])
async def test_a_503_on_the_first_send_still_posts_exactly_once(
    sandbox: SandboxSession, e2e_clock: ManualClock, after_handling: bool
) -> None:
    await watch(sandbox)
    await add_deal(sandbox, sandbox.world.admin)
    sandbox.emu.faults.fail(
        "POST /channels/*/messages", status=503, times=1, after_handling=after_handling
    )
    delivery = await worker(sandbox)
    first = await delivery.deliver_due()
    assert first.retried and not first.delivered
    e2e_clock.advance(timedelta(minutes=15))
    second = await delivery.deliver_due()
    assert len(second.delivered) == 1
    e2e_clock.advance(timedelta(minutes=15))
    assert not (await delivery.deliver_due()).delivered
    assert len(watch_posts(sandbox)) == 1
    (row,) = await sandbox.bot.store.outbox.rows()
    assert row.kind is OutboxKind.WATCH and row.state is OutboxState.DELIVERED
    assert row.attempts == 2


async def test_global_changes_reach_every_watching_server_and_server_changes_stay_home(
    sandbox: SandboxSession,
) -> None:
    who = people(sandbox)
    other = await other_server(sandbox)
    await watch(sandbox)
    theirs = await other.run("deals watch", {"channel": other.channel.id})
    assert theirs.content.startswith("Watching the ledger")

    aws = await global_id(sandbox, "cifr-aws")
    await run(sandbox, "deals edit", {"id": aws, "status": "energized"}, user=who.owner)
    await add_deal(sandbox, who.admin)  # this server's own row
    await other.add_their_deal()
    await (await worker(sandbox)).deliver_due()
    here, there = watch_posts(sandbox), watch_posts(sandbox, other.channel.id)
    assert len(here) == 2 and len(there) == 2
    assert "CIFR ← Amazon Web Services" in here[0] and "CIFR ← Amazon Web Services" in there[0]
    assert "Local AI Cloud" in here[1] and "Their Cloud" in there[1]
    assert not any("Their Cloud" in t for t in here)
    assert not any("Local AI Cloud" in t for t in there)


async def test_unwatch_stops_the_posts(sandbox: SandboxSession) -> None:
    await watch(sandbox)
    stopped = await run(sandbox, "deals unwatch")
    assert stopped.content == "Stopped posting contract changes."
    again = await run(sandbox, "deals unwatch")
    assert again.content == "This server was not watching."
    await add_deal(sandbox, sandbox.world.admin)
    await (await worker(sandbox)).deliver_due()
    assert watch_posts(sandbox) == []


async def test_a_new_watch_does_not_replay_old_changes(sandbox: SandboxSession) -> None:
    await add_deal(sandbox, sandbox.world.admin)
    await watch(sandbox)
    await (await worker(sandbox)).deliver_due()
    assert watch_posts(sandbox) == []


async def test_changes_made_while_the_watch_could_not_run_are_posted_later(
    sandbox: SandboxSession,
) -> None:
    await watch(sandbox)
    aws = await global_id(sandbox, "cifr-aws")
    # A change saved without the cog (as after a crash before the watch ran)...
    await sandbox.bot.store.ledger.update_contract(
        aws,
        {"status": "energized"},
        sources=None,
        actor_id=None,
        actor_label="ledger",
        now=sandbox.bot.clock.now(),
    )
    # ...is queued by the next run (the next change, or the start of the bot).
    cog = sandbox.bot.get_cog("Deals")
    assert await cog.watch_feed.run() == 1  # type: ignore[union-attr]
    assert await cog.watch_feed.run() == 0  # type: ignore[union-attr]
    await (await worker(sandbox)).deliver_due()
    (title,) = watch_posts(sandbox)
    # A change by the shipped ledger is posted as a ledger update (one post per update).
    assert title == "Shipped ledger updated: 1 changed" and (
        "A newer ledger shipped with Minerwatch was applied"
        in (sandbox.emu.posts(sandbox.world.alerts.id)[0].embeds[0]["description"])
    )


@pytest.mark.parametrize(
    ("denied", "missing"),
    [
        ({"bot_can_embed": False}, "Embed Links"),
        # Discord drops the permissions that depend on the one denied.
        ({"bot_can_send": False}, "Send Messages, Embed Links"),
        ({"bot_can_view": False}, "View Channel, Send Messages, Embed Links"),
    ],
)
async def test_watch_checks_the_bot_can_post_there(
    sandbox: SandboxSession, denied: dict[str, bool], missing: str
) -> None:
    channel = sandbox.emu.add_channel(sandbox.world.guild.id, "locked", **denied)
    for _ in range(50):
        found = sandbox.bot.get_guild(sandbox.world.guild.id)
        if found is not None and found.get_channel(channel.id) is not None:
            break
        await asyncio.sleep(0.02)
    result = await run(sandbox, "deals watch", {"channel": channel.id})
    assert result.ephemeral
    assert result.content.startswith(f"channel: Minerwatch needs {missing} in <#{channel.id}>")
    assert await sandbox.bot.store.guilds.watch_channel(sandbox.world.guild.id) is None


async def test_only_admins_configure_the_watch(sandbox: SandboxSession) -> None:
    for command, options in (
        ("deals watch", {"channel": sandbox.world.alerts.id}),
        ("deals unwatch", {}),
    ):
        result = await run(sandbox, command, options, user=sandbox.world.member)
        assert result.ephemeral
        assert result.content == "Only members with Manage Server can configure the deal watch."


async def test_a_french_servers_watch_posts_are_in_french(sandbox: SandboxSession) -> None:
    await run(sandbox, "settings language", {"language": "fr"})
    await watch(sandbox)  # the admin's own reply stays in their language
    await add_deal(sandbox, sandbox.world.admin)
    delivery = await worker(sandbox)
    assert len((await delivery.deliver_due()).delivered) == 1
    (title,) = watch_posts(sandbox)
    assert title.startswith("Contrat ajouté : #")
    (post,) = sandbox.emu.posts(sandbox.world.alerts.id)
    assert post.embeds[0]["footer"]["text"].startswith("Suivi des contrats Minerwatch")
