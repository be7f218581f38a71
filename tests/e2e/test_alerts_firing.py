"""Alerts firing through the bot's own outbox worker: once, in the right place, grouped."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.alerts.model import AlertState
from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession
from tests.e2e.alerts_helpers import (
    TIMELINE,
    WAIT,
    add_alert,
    command,
    reported_ids,
    settled,
    stored,
    tick_at,
)
from tests.e2e.conftest import START
from tests.e2e.deals_helpers import run


@pytest.fixture
def replay_csv() -> str:
    return TIMELINE


def sent_bodies(sandbox: SandboxSession, channel_id: int) -> list[dict[str, object]]:
    """Return the bodies the bot posted to a channel (every attempt)."""
    route = f"/channels/{channel_id}/messages"
    return [r.body for r in sandbox.emu.requests if r.method == "POST" and r.path.endswith(route)]


async def test_an_alert_fires_exactly_once_in_its_channel_pinging_only_its_owner(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    world = sandbox.world
    member, alerts = world.member, world.alerts
    created = await run(
        sandbox,
        "alert add",
        {"symbol": "CIFR", "condition": "above", "value": 16},
        user=member,
        channel=alerts,
    )
    assert created.content.startswith("Alert #")
    await tick_at(sandbox, e2e_clock, 60)  # 15.50 → 16.50
    (post,) = await sandbox.emu.wait_for_posts(alerts.id, 1, WAIT)
    assert post.content == f"<@{member.id}> your price alert fired."
    (embed,) = post.embeds
    assert embed["title"] == "CIFR rose above $16.00"
    assert "Not investment advice" in embed["footer"]["text"]
    (body,) = sent_bodies(sandbox, alerts.id)
    assert body["allowed_mentions"] == {"parse": [], "users": [member.id]}
    # Down, then through the level again: a one-shot alert is done after its first firing.
    for moment in (120, 180, 240, 300):
        await tick_at(sandbox, e2e_clock, moment)
    rows = await settled(sandbox)
    assert len(rows) == 1 and rows[0].state == "delivered"
    assert len(sandbox.emu.posts(alerts.id)) == 1 and not sandbox.emu.posts(world.general.id)
    assert "no alerts" in await command(sandbox, "list")


async def test_a_dm_alert_arrives_by_direct_message_without_a_mention(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    member = sandbox.world.member
    await add_alert(sandbox, symbol="NVDA", condition="above", value=185, dm=True)
    await tick_at(sandbox, e2e_clock, 60)  # 180 → 190
    (dm,) = await sandbox.emu.wait_for_dms(member.id, 1, WAIT)
    assert dm.content == "Your price alert fired."
    assert dm.embeds[0]["title"] == "NVDA rose above $185.00"
    assert not sandbox.emu.posts(sandbox.world.general.id)


async def test_alerts_firing_together_share_one_message_of_up_to_ten_embeds(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    world = sandbox.world
    ids = []
    for n in range(12):  # six each: 15.55 ... 16.45, all crossed by 15.50 → 16.50
        user = world.member if n % 2 == 0 else world.admin
        _, alert_id = await add_alert(
            sandbox, user, symbol="CIFR", condition="above", value=15.55 + n * 0.08
        )
        ids.append(alert_id)
    await tick_at(sandbox, e2e_clock, 60)
    await sandbox.emu.wait_for_posts(world.general.id, 2, WAIT)
    await settled(sandbox)
    posts = sandbox.emu.posts(world.general.id)
    assert [len(p.embeds) for p in posts] == [10, 2]
    assert sorted(reported_ids(posts)) == sorted(ids)
    both = f"<@{world.member.id}> <@{world.admin.id}> your price alerts fired."
    assert posts[0].content == both
    first_body = sent_bodies(sandbox, world.general.id)[0]
    assert first_body["allowed_mentions"] == {
        "parse": [],
        "users": [world.member.id, world.admin.id],
    }


async def test_a_paused_alert_stays_quiet_and_resumes_from_the_current_price(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    general = sandbox.world.general.id
    _, alert_id = await add_alert(sandbox, symbol="CIFR", condition="above", value=16)
    await command(sandbox, "pause", id=alert_id)
    await tick_at(sandbox, e2e_clock, 60)  # crosses while paused: nothing
    resumed = await command(sandbox, "resume", id=alert_id)  # at 16.50: past the level
    assert "already above $16.00 (now $16.50)" in resumed
    await tick_at(sandbox, e2e_clock, 120)  # back to 15.00: re-armed
    assert not await settled(sandbox) and not sandbox.emu.posts(general)
    await tick_at(sandbox, e2e_clock, 180)  # 17.00: the next crossing fires
    posts = await sandbox.emu.wait_for_posts(general, 1, WAIT)
    assert reported_ids(posts) == [alert_id]


async def test_a_snoozed_alert_skips_crossings_until_it_wakes(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    general = sandbox.world.general.id
    _, alert_id = await add_alert(sandbox, symbol="CIFR", condition="above", value=16)
    await command(sandbox, "snooze", id=alert_id, minutes=2)
    await tick_at(sandbox, e2e_clock, 60)  # crossed while snoozed: skipped, not saved up
    assert (await stored(sandbox, alert_id)).state is AlertState.REARMING
    await tick_at(sandbox, e2e_clock, 120)  # back below: re-armed; the snooze ends now
    await tick_at(sandbox, e2e_clock, 180)  # crossed again, awake: fires
    await sandbox.emu.wait_for_posts(general, 1, WAIT)
    await settled(sandbox)
    assert reported_ids(sandbox.emu.posts(general)) == [alert_id]


async def test_a_removed_alert_never_fires(sandbox: SandboxSession, e2e_clock: ManualClock) -> None:
    _, alert_id = await add_alert(sandbox, symbol="CIFR", condition="above", value=16)
    await command(sandbox, "remove", id=alert_id)
    await tick_at(sandbox, e2e_clock, 60)
    assert not await settled(sandbox)
    assert not sandbox.emu.posts(sandbox.world.general.id)


async def test_an_alert_created_past_its_level_fires_on_the_next_crossing_only(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    general = sandbox.world.general.id
    reply, alert_id = await add_alert(sandbox, symbol="CIFR", condition="above", value=15)
    assert "already above" in reply  # at 15.50
    await tick_at(sandbox, e2e_clock, 60)  # 16.50: still past it, no crossing
    assert not await settled(sandbox)
    await tick_at(sandbox, e2e_clock, 120)  # 15.00: at the level, the near side
    await tick_at(sandbox, e2e_clock, 180)  # 17.00: the crossing
    posts = await sandbox.emu.wait_for_posts(general, 1, WAIT)
    assert reported_ids(posts) == [alert_id]
    assert posts[0].embeds[0]["title"] == "CIFR rose above $15.00"


async def test_move_pct_fires_once_per_direction(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    general = sandbox.world.general.id
    _, once = await add_alert(sandbox, symbol="IREN", condition="move_pct", value=7)
    _, repeating = await add_alert(
        sandbox, symbol="iren", condition="move_pct", value=7, repeat=True
    )
    await tick_at(sandbox, e2e_clock, 60)  # +5 % → +10 %: both fire, up
    first = await sandbox.emu.wait_for_posts(general, 1, WAIT)
    assert sorted(reported_ids(first)) == sorted([once, repeating])
    assert first[0].embeds[0]["title"] == "IREN moved +10.0 % today"
    await tick_at(sandbox, e2e_clock, 120)  # −10 %: only the repeating one, down
    await sandbox.emu.wait_for_posts(general, 2, WAIT)
    await settled(sandbox)
    posts = sandbox.emu.posts(general)
    assert len(posts) == 2 and reported_ids(posts[1:]) == [repeating]
    assert posts[1].embeds[0]["title"] == "IREN moved −10.0 % today"


async def test_an_expired_alert_is_removed_and_its_owner_told_once(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    general, member = sandbox.world.general.id, sandbox.world.member
    _, alert_id = await add_alert(
        sandbox, symbol="CIFR", condition="above", value=20, expires_days=1
    )
    e2e_clock.set(START + timedelta(days=1, minutes=1))
    await sandbox.bot.pipeline.tick()
    (notice,) = await sandbox.emu.wait_for_posts(general, 1, WAIT)
    assert notice.content == f"<@{member.id}>"
    assert notice.embeds[0]["title"] == "Your alert has expired"
    assert f"#{alert_id} CIFR above $20.00" in notice.embeds[0]["description"]
    assert (await stored(sandbox, alert_id)).state is AlertState.EXPIRED
    e2e_clock.advance(timedelta(hours=1))
    await sandbox.bot.pipeline.tick()
    await settled(sandbox)
    assert len(sandbox.emu.posts(general)) == 1
