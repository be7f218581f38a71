"""The daily summary through the emulator: config, the due job, exactly once, catch-up, pause."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.limits import EMBED_TOTAL as MAX_EMBED_TEXT
from bot.outbox.marker import marker_for
from bot.outbox.model import OutboxKind, OutboxState, embed_text_length
from bot.outbox.worker import OutboxWorker
from bot.sandbox.session import SandboxSession
from bot.settings import Settings
from bot.summary.catchup import Action
from bot.summary.compose import CHART_FILENAME
from bot.summary.model import RunStatus
from bot.summary.service import job_id
from discord_emulator import Channel, InteractionResult, Message
from tests.e2e.reading import embeds_text as text_of

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# START is Wednesday 2026-11-25 15:00 UTC (10:00 in New York): the 16:30 slot is 21:30 UTC.
SLOT = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)
NEXT_SLOT = datetime(2026, 11, 27, 21, 30, tzinfo=UTC)  # Thursday is Thanksgiving: NYSE shut


@pytest.fixture
def price_source() -> str:
    """Demo prices: a year of synthetic history, so the chart can be drawn."""
    return "demo"


async def run(
    sandbox: SandboxSession, command: str, options: dict[str, Any] | None = None, **kw: Any
) -> InteractionResult:
    result = await sandbox.invoke(command, options, **kw)
    return await result.wait_done(timeout=15)


async def configure(sandbox: SandboxSession, **options: Any) -> InteractionResult:
    result = await run(sandbox, "summary config", {"channel": sandbox.world.daily.id, **options})
    assert result.ephemeral and result.content.startswith("The daily summary will be posted")
    return result


async def worker(sandbox: SandboxSession) -> OutboxWorker:
    """Return the outbox worker with its loop stopped: the test delivers step by step."""
    await sandbox.bot.outbox.stop()
    return sandbox.bot.outbox


async def run_job(sandbox: SandboxSession) -> Action:
    """Run this server's scheduled summary job, as the scheduler would at its time."""
    job = sandbox.bot.scheduler.aps.get_job(job_id(sandbox.world.guild.id))
    assert job is not None, "no summary job scheduled"
    outcome: Action = await job.func()
    return outcome


def summaries(sandbox: SandboxSession, channel: Channel | None = None) -> list[Message]:
    return sandbox.emu.posts((channel or sandbox.world.daily).id)


def png_of(message: Message) -> bytes:
    (attachment,) = message.attachments
    assert attachment.filename == CHART_FILENAME
    return attachment.data


@contextlib.asynccontextmanager
async def restarted(
    sandbox: SandboxSession, settings: Settings, clock: ManualClock, at: datetime
) -> AsyncIterator[SandboxSession]:
    """Stop the bot, move the clock to ``at``, and start a new bot on the same store and world."""
    await sandbox.stop(stop_emulator=False)
    clock.set(at)
    session = await SandboxSession.start(
        settings, clock=clock, emulator=sandbox.emu, world=sandbox.world
    )
    try:
        yield session
    finally:
        failures = list(session.bot.tree.failures)
        await session.stop(stop_emulator=False)
        assert not failures, [(f.command, repr(f.error)) for f in failures]


# ----- posting -----------------------------------------------------------------------------


async def test_the_due_job_posts_one_summary_with_its_chart(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    await configure(sandbox)
    delivery = await worker(sandbox)
    e2e_clock.set(SLOT)
    assert await run_job(sandbox) is Action.POST
    report = await delivery.deliver_due()
    assert len(report.delivered) == 1
    (post,) = summaries(sandbox)
    assert png_of(post).startswith(PNG_SIGNATURE)
    assert 1 <= len(post.embeds) <= 10
    assert sum(embed_text_length(e) for e in post.embeds) <= MAX_EMBED_TEXT
    titles = [e.get("title", "") for e in post.embeds]
    assert titles[0] == "[DEMO] Daily summary · Wednesday 25 November 2026"
    assert any(t.startswith("[DEMO] Miners board") for t in titles)
    assert "Top movers · 1D" in titles and "Leaderboard · contracted MW" in titles
    assert "Alerts fired in the last 24 hours" in titles
    assert any(t.startswith("Contracts added or changed") for t in titles)
    chart = post.embeds[-1]
    assert chart["image"]["url"] == post.attachments[0].url  # attachment:// names the upload
    assert "BTC-USD" in post.embeds[0]["description"] and "NVDA" in post.embeds[0]["description"]
    assert "Prices as of <t:" in post.embeds[0]["description"]
    assert "Not investment advice" in post.embeds[0]["footer"]["text"]
    # The same day again, by the job or a second trigger: nothing more.
    assert await run_job(sandbox) is Action.NOTHING
    assert await sandbox.bot.summaries.run_due(sandbox.world.guild.id) is Action.NOTHING
    assert not (await delivery.deliver_due()).delivered
    assert len(summaries(sandbox)) == 1
    (row,) = await sandbox.bot.store.outbox.rows()
    assert row.kind is OutboxKind.SUMMARY and row.state is OutboxState.DELIVERED
    sends = [r for r in sandbox.emu.requests if r.route.startswith("POST /channels/")]
    assert len(sends) == 1


async def test_preview_matches_the_post(sandbox: SandboxSession, e2e_clock: ManualClock) -> None:
    await configure(sandbox)
    delivery = await worker(sandbox)
    e2e_clock.set(SLOT)
    preview = await run(sandbox, "summary preview", user=sandbox.world.member)
    assert preview.ephemeral
    (shown,) = preview.visible
    await run_job(sandbox)
    await delivery.deliver_due()
    (post,) = summaries(sandbox)
    # The post alone ends with its outbox row's marker; everything else is the preview's.
    marker = f" · {marker_for(str(post.nonce))}"
    posted = without_urls(post.embeds)
    assert posted[-1]["footer"]["text"].endswith(marker)
    posted[-1]["footer"] = {"text": posted[-1]["footer"]["text"].removesuffix(marker)}
    assert without_urls(shown.embeds) == posted
    assert png_of(shown) == png_of(post)


def without_urls(embeds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop the image URLs: each message's attachment has its own address."""
    return [{k: v for k, v in embed.items() if k != "image"} for embed in embeds]


async def test_the_same_day_is_posted_once_even_when_two_triggers_race(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    await configure(sandbox)
    delivery = await worker(sandbox)
    e2e_clock.set(SLOT + timedelta(minutes=10))
    service = sandbox.bot.summaries
    guild_id = sandbox.world.guild.id
    outcomes = await asyncio.gather(run_job(sandbox), service.run_due(guild_id), service.catch_up())
    assert sorted(str(o) for o in outcomes[:2]) == ["nothing", "post"]
    await delivery.deliver_due()
    assert len(summaries(sandbox)) == 1


# ----- configuration -------------------------------------------------------------------------


async def test_changing_the_time_replaces_the_job(sandbox: SandboxSession) -> None:
    await configure(sandbox)
    scheduler = sandbox.bot.scheduler
    key = job_id(sandbox.world.guild.id)
    before = scheduler.next_run(key)
    assert before is not None
    await configure(sandbox, time="09:15", timezone="Europe/Paris", days="daily")
    after = scheduler.next_run(key)
    assert after is not None and after != before
    local = after.astimezone(ZoneInfo("Europe/Paris"))
    assert (local.hour, local.minute) == (9, 15)
    assert [j.id for j in scheduler.aps.get_jobs()].count(key) == 1


async def test_options_left_out_keep_their_value(sandbox: SandboxSession) -> None:
    await configure(sandbox, time="07:45", timezone="Asia/Tokyo", days="weekdays")
    reply = await configure(sandbox)
    assert "at 07:45 (Asia/Tokyo) on weekdays" in reply.content


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone: unknown time zone 'Mars/Olympus'"),
        ({"time": "25:00"}, "time: must be a 24-hour local time as HH:MM"),
        ({"time": "4pm"}, "time: must be a 24-hour local time as HH:MM"),
    ],
)
async def test_config_says_what_is_wrong(
    sandbox: SandboxSession, options: dict[str, str], message: str
) -> None:
    result = await run(sandbox, "summary config", {"channel": sandbox.world.daily.id, **options})
    assert result.ephemeral and result.content.startswith(message)
    config = await sandbox.bot.store.summary.config(sandbox.world.guild.id)
    assert config is None or not config.enabled


async def test_config_checks_the_bot_can_post_the_chart(sandbox: SandboxSession) -> None:
    channel = sandbox.emu.add_channel(sandbox.world.guild.id, "no-files", bot_can_attach=False)
    await wait_for_channel(sandbox, channel)
    result = await run(
        sandbox, "summary config", {"channel": channel.id, "timezone": "Nowhere/Special"}
    )
    assert result.ephemeral
    assert f"channel: Minerwatch needs Attach Files in <#{channel.id}>" in result.content
    assert "timezone: unknown time zone" in result.content  # every problem at once


async def wait_for_channel(sandbox: SandboxSession, channel: Channel) -> None:
    for _ in range(100):
        guild = sandbox.bot.get_guild(sandbox.world.guild.id)
        if guild is not None and guild.get_channel(channel.id) is not None:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the bot never saw the new channel")


async def test_only_admins_configure_but_everyone_previews(sandbox: SandboxSession) -> None:
    member = sandbox.world.member
    for command, options in (
        ("summary config", {"channel": sandbox.world.daily.id}),
        ("summary off", {}),
    ):
        result = await run(sandbox, command, options, user=member)
        assert result.ephemeral
        assert result.content == "Only members with Manage Server can configure the daily summary."
    preview = await run(sandbox, "summary preview", user=member)
    assert preview.ephemeral and preview.visible[0].attachments


async def test_off_stops_the_job(sandbox: SandboxSession) -> None:
    await configure(sandbox)
    assert (await run(sandbox, "summary off")).content == "Stopped the daily summary."
    assert (await run(sandbox, "summary off")).content == "The daily summary was not on."
    assert sandbox.bot.scheduler.next_run(job_id(sandbox.world.guild.id)) is None


async def zones_offered(sandbox: SandboxSession, typed: str) -> list[dict[str, Any]]:
    """The time zones /summary config suggests to an admin who typed ``typed``."""
    world = sandbox.world
    return await sandbox.emu.autocomplete(
        world.guild.id,
        world.general.id,
        world.admin.id,
        "summary config",
        {"channel": world.daily.id},
        focused="timezone",
        value=typed,
    )


async def test_timezone_autocomplete(sandbox: SandboxSession) -> None:
    choices = await zones_offered(sandbox, "paris")
    assert [c["value"] for c in choices] == ["Europe/Paris"]
    many = await zones_offered(sandbox, "america/")
    assert len(many) == 25 and all(c["value"].startswith("America/") for c in many)


# ----- restarts and catch-up -------------------------------------------------------------------


async def test_a_restart_within_two_hours_posts_late_once(
    sandbox: SandboxSession, e2e_settings: Settings, e2e_clock: ManualClock
) -> None:
    await configure(sandbox)
    e2e_clock.set(SLOT - timedelta(minutes=30))
    async with restarted(sandbox, e2e_settings, e2e_clock, SLOT + timedelta(minutes=75)) as again:
        (post,) = await again.emu.wait_for_posts(again.world.daily.id, 1, timeout=20)
        assert "Posted late" in post.embeds[0]["description"]
        assert png_of(post).startswith(PNG_SIGNATURE)
        guild_id = again.world.guild.id
        assert (await again.bot.summaries.catch_up())[guild_id] is Action.NOTHING
        run_ = await again.bot.store.summary.run(guild_id, SLOT.date())
        assert run_ is not None and run_.status is RunStatus.POSTED and run_.late
        status = await run(again, "status")
        assert "Last summary: posted <t:" in text_of(status) and "(late)" in text_of(status)
    assert len(summaries(sandbox)) == 1


async def test_a_restart_after_two_hours_skips_and_says_so(
    sandbox: SandboxSession, e2e_settings: Settings, e2e_clock: ManualClock
) -> None:
    await configure(sandbox)
    e2e_clock.set(SLOT - timedelta(minutes=30))
    late = SLOT + timedelta(hours=2, minutes=1)
    async with restarted(sandbox, e2e_settings, e2e_clock, late) as again:
        guild_id = again.world.guild.id
        await again.bot.summaries.catch_up()  # the start-up job does the same: once counts
        run_ = await again.bot.store.summary.run(guild_id, SLOT.date())
        assert run_ is not None and run_.status is RunStatus.SKIPPED
        assert run_.outbox_id is None
        status = text_of(await run(again, "status"))
        assert "Last summary: skipped on 2026-11-25: the bot was offline" in status
        assert f"Next summary: <t:{int(NEXT_SLOT.timestamp())}:F>" in status
    assert summaries(sandbox) == []


async def test_a_server_configured_after_its_slot_missed_nothing(
    sandbox: SandboxSession, e2e_settings: Settings, e2e_clock: ManualClock
) -> None:
    e2e_clock.set(SLOT + timedelta(minutes=20))
    await configure(sandbox)
    async with restarted(sandbox, e2e_settings, e2e_clock, SLOT + timedelta(minutes=40)) as again:
        assert (await again.bot.summaries.catch_up())[again.world.guild.id] is Action.NOTHING
        assert await again.bot.store.summary.last_run(again.world.guild.id) is None
    assert summaries(sandbox) == []


# ----- a channel that is gone ------------------------------------------------------------------


async def test_a_deleted_channel_pauses_the_summary_without_retrying(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    await configure(sandbox)
    delivery = await worker(sandbox)
    guild_id, daily = sandbox.world.guild.id, sandbox.world.daily
    e2e_clock.set(SLOT)
    await run_job(sandbox)
    sandbox.emu.delete_channel(daily.id)
    report = await delivery.deliver_due()
    assert len(report.undeliverable) == 1 and not report.retried
    config = await sandbox.bot.store.summary.config(guild_id)
    assert config is not None and config.paused_reason is not None
    assert sandbox.bot.scheduler.next_run(job_id(guild_id)) is None
    run_ = await sandbox.bot.store.summary.run(guild_id, SLOT.date())
    assert run_ is not None and run_.status is RunStatus.PAUSED
    status = text_of(await run(sandbox, "status"))
    assert "Daily summary: ⚠️ paused: the summary channel was deleted" in status
    # The next day: nothing queued, nothing sent, nothing retried.
    e2e_clock.set(NEXT_SLOT)
    assert await sandbox.bot.summaries.run_due(guild_id) is Action.NOTHING
    e2e_clock.advance(timedelta(hours=1))
    assert not (await delivery.deliver_due()).undeliverable
    (row,) = await sandbox.bot.store.outbox.rows()
    assert row.state is OutboxState.UNDELIVERABLE and row.attempts == 1
    # Pointing it at a channel that exists resumes it.
    await configure(sandbox, channel=sandbox.world.alerts.id)
    assert sandbox.bot.scheduler.next_run(job_id(guild_id)) is not None


async def test_a_server_that_removes_the_bot_loses_its_summary(sandbox: SandboxSession) -> None:
    await configure(sandbox)
    guild = sandbox.bot.get_guild(sandbox.world.guild.id)
    cog = sandbox.bot.get_cog("Summary")
    assert guild is not None and cog is not None
    await cog.on_guild_remove(guild)  # type: ignore[attr-defined]
    assert sandbox.bot.scheduler.next_run(job_id(guild.id)) is None
    config = await sandbox.bot.store.summary.config(guild.id)
    assert config is not None and not config.enabled
