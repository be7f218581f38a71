"""Delivery faults end to end: rate limits, outages and refusing destinations."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.alerts.model import AlertState, PauseReason
from bot.clock import ManualClock
from bot.outbox.model import OutboxRow
from bot.sandbox.session import SandboxSession
from discord_emulator import Overwrite
from discord_emulator.permissions import MEMBER_OVERWRITE, SEND_MESSAGES
from tests.e2e.alerts_helpers import (
    TIMELINE,
    WAIT,
    add_alert,
    command,
    reported_ids,
    settled,
    stored,
    tick_at,
    wait_for_rows,
)
from tests.e2e.deals_helpers import run

SEND = "POST /channels/*/messages"


@pytest.fixture
def replay_csv() -> str:
    return TIMELINE


def retried(rows: list[OutboxRow]) -> bool:
    return bool(rows) and rows[0].attempts == 1 and rows[0].state == "pending"


async def test_a_429_is_waited_out_and_the_alert_posted_once(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    emu, general = sandbox.emu, sandbox.world.general.id
    _, alert_id = await add_alert(sandbox, symbol="CIFR", condition="above", value=16)
    emu.ratelimits.enable()
    # As if messages sent just before had used up this channel's bucket.
    emu.ratelimits.exhaust("POST /channels/{channel_id}/messages", general, for_seconds=0.3)
    await tick_at(sandbox, e2e_clock, 60)
    posts = await emu.wait_for_posts(general, 1, WAIT)
    (row,) = await settled(sandbox)
    assert emu.ratelimits.served_429 >= 1
    assert row.state == "delivered" and row.attempts == 1  # discord.py waited and retried
    assert reported_ids(posts) == [alert_id] and len(emu.posts(general)) == 1


@pytest.mark.parametrize("after_handling", [False, True], ids=["refused", "answer-lost"])
@pytest.mark.parametrize("fault", ["503", "dropped-connection"])
async def test_an_outage_is_retried_by_the_worker_and_posts_once(
    sandbox: SandboxSession, e2e_clock: ManualClock, fault: str, after_handling: bool
) -> None:
    emu, general = sandbox.emu, sandbox.world.general.id
    _, alert_id = await add_alert(sandbox, symbol="CIFR", condition="above", value=16)
    if fault == "503":
        # discord.py retries 500, 502 and 504 itself, but not 503: the worker must.
        emu.faults.fail(SEND, status=503, times=1, after_handling=after_handling)
    else:
        emu.faults.drop(SEND, times=1, after_handling=after_handling)
    await tick_at(sandbox, e2e_clock, 60)
    (row,) = await wait_for_rows(sandbox, retried, "the first attempt failed")
    assert row.next_attempt_at > e2e_clock.now()
    e2e_clock.advance(timedelta(minutes=5))  # past the backoff
    sandbox.bot.outbox.kick()
    await emu.wait_for_posts(general, 1, WAIT)
    (row,) = await settled(sandbox)
    assert row.state == "delivered" and row.attempts == 2
    # When Discord had made the message before the answer was lost, the resend carried the
    # same nonce and got that message back: still one post.
    assert reported_ids(emu.posts(general)) == [alert_id]


async def test_a_deleted_channel_pauses_the_alert_and_the_owner_is_told_by_dm(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    emu, member = sandbox.emu, sandbox.world.member
    doomed = emu.add_channel(sandbox.world.guild.id, "doomed")
    options = {"symbol": "CIFR", "condition": "above", "value": 16}
    created = await run(sandbox, "alert add", options, user=member, channel=doomed)
    alert_id = int(created.content.split("#", 1)[1].split(" ", 1)[0])
    emu.delete_channel(doomed.id)
    await tick_at(sandbox, e2e_clock, 60)
    (dm,) = await emu.wait_for_dms(member.id, 1, WAIT)
    assert dm.embeds[0]["title"] == "Alert paused"
    assert f"in <#{doomed.id}>: the channel no longer exists" in dm.embeds[0]["description"]
    alert = await stored(sandbox, alert_id)
    assert alert.state is AlertState.PAUSED and alert.paused_reason is PauseReason.CHANNEL_GONE
    assert "paused: its channel is gone" in await command(sandbox, "list")
    states = sorted(r.state for r in await settled(sandbox))
    assert states == ["delivered", "undeliverable"]


async def test_a_channel_the_bot_may_no_longer_post_in_pauses_the_alert(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    emu, member = sandbox.emu, sandbox.world.member
    _, alert_id = await add_alert(sandbox, symbol="CIFR", condition="above", value=16)
    # An admin takes Send Messages away from the bot after the alert was created.
    general = emu.world.channels[sandbox.world.general.id]
    general.overwrites.append(
        Overwrite(id=emu.bot_user.id, type=MEMBER_OVERWRITE, deny=SEND_MESSAGES)
    )
    await tick_at(sandbox, e2e_clock, 60)
    (dm,) = await emu.wait_for_dms(member.id, 1, WAIT)
    assert "I am missing permission to send messages" in dm.embeds[0]["description"]
    alert = await stored(sandbox, alert_id)
    assert alert.paused_reason is PauseReason.MISSING_PERMISSIONS
    assert not emu.posts(general.id)


async def test_closed_dms_pause_the_alert_and_the_owner_is_told_in_the_channel(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    emu, member, general = sandbox.emu, sandbox.world.member, sandbox.world.general.id
    _, alert_id = await add_alert(sandbox, symbol="CIFR", condition="above", value=16, dm=True)
    emu.set_dms_open(member.id, False)
    await tick_at(sandbox, e2e_clock, 60)
    (notice,) = await emu.wait_for_posts(general, 1, WAIT)
    assert notice.content == f"<@{member.id}>"
    assert "by direct message: your DMs are closed to me" in notice.embeds[0]["description"]
    alert = await stored(sandbox, alert_id)
    assert alert.state is AlertState.PAUSED and alert.paused_reason is PauseReason.DM_CLOSED
    assert not emu.dms(member.id)
    # Once the member opens their DMs and resumes, the next crossing arrives by DM.
    emu.set_dms_open(member.id, True)
    assert "Resumed alert" in await command(sandbox, "resume", id=alert_id)
    await tick_at(sandbox, e2e_clock, 120)
    await tick_at(sandbox, e2e_clock, 180)
    (dm,) = await emu.wait_for_dms(member.id, 1, WAIT)
    assert reported_ids([dm]) == [alert_id]
