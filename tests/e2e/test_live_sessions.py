"""Sessions end to end: pre- and post-market trades from the stream, alerts limited to the
regular session (the default) or following extended hours, and the session on the post."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession
from tests.e2e.alerts_helpers import WAIT, add_alert, settled
from tests.e2e.deals_helpers import run
from yahoo_emulator.streamer import LocalStreamer

PRE_MARKET = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday 07:00 in New York
OPEN = datetime(2026, 11, 25, 14, 31, tzinfo=UTC)  # 09:31
POST_MARKET = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)  # 16:30


@pytest.fixture
def settings_overrides(streamer: LocalStreamer) -> dict[str, Any]:
    # The bot follows the local streamer (the `streamer` fixture of the e2e conftest).
    return {"stream_url": streamer.url}


@pytest.fixture
def e2e_clock(request: pytest.FixtureRequest) -> ManualClock:
    return ManualClock(getattr(request, "param", PRE_MARKET))


def titles_and_sessions(sandbox: SandboxSession) -> list[tuple[str, str | None]]:
    found = []
    for post in sandbox.emu.posts(sandbox.world.general.id):
        for embed in post.embeds:
            session = next((f["value"] for f in embed["fields"] if f["name"] == "Session"), None)
            found.append((embed["title"], session))
    return found


async def test_a_pre_market_trade_fires_only_the_alert_that_follows_extended_hours(
    sandbox: SandboxSession, streamer: LocalStreamer, e2e_clock: ManualClock
) -> None:
    _, regular = await add_alert(sandbox, symbol="CIFR", condition="above", value=16)
    reply, extended = await add_alert(
        sandbox, symbol="CIFR", condition="above", value=16.1, session="extended"
    )
    assert "It also fires on pre- and post-market trades" in reply
    await streamer.wait_subscribed({"CIFR"}, timeout=WAIT)
    await streamer.tick("CIFR", 16.3, at=(PRE_MARKET + timedelta(seconds=5)).timestamp())
    posts = await sandbox.emu.wait_for_posts(sandbox.world.general.id, 1, WAIT)
    assert f"Alert #{extended}" in posts[0].embeds[0]["footer"]["text"]
    assert titles_and_sessions(sandbox) == [("CIFR rose above $16.10", "Pre-market")]
    # At the open, a regular-session trade reaches the alert that waited for it.
    e2e_clock.set(OPEN)
    await streamer.tick("CIFR", 16.4, at=OPEN.timestamp())
    posts = await sandbox.emu.wait_for_posts(sandbox.world.general.id, 2, WAIT)
    assert f"Alert #{regular}" in posts[1].embeds[0]["footer"]["text"]
    assert titles_and_sessions(sandbox)[1] == ("CIFR rose above $16.00", None)
    await settled(sandbox)
    assert len(sandbox.emu.posts(sandbox.world.general.id)) == 2


@pytest.mark.parametrize("e2e_clock", [POST_MARKET], indirect=True)
async def test_an_extended_move_alert_reads_a_post_market_move_against_the_regular_close(
    sandbox: SandboxSession, streamer: LocalStreamer
) -> None:
    # The replay's CIFR: 15.50, previous close 15.00; after the close it is the day's close.
    await add_alert(sandbox, symbol="CIFR", condition="move_pct", value=5, session="extended")
    await streamer.wait_subscribed({"CIFR"}, timeout=WAIT)
    await streamer.tick(
        "CIFR", 16.4, at=(POST_MARKET + timedelta(seconds=5)).timestamp(), previous_close=15.0
    )
    await sandbox.emu.wait_for_posts(sandbox.world.general.id, 1, WAIT)
    ((title, session),) = titles_and_sessions(sandbox)
    assert title == "CIFR moved +5.8 % today"  # 16.40 vs 15.50, not vs 15.00 (+9.3 %)
    assert session == "Post-market · the move is against the previous regular close"


async def test_a_session_that_does_not_apply_is_refused_and_nothing_is_created(
    sandbox: SandboxSession,
) -> None:
    result = await run(
        sandbox,
        "alert add",
        {"symbol": "CIFR", "condition": "filing", "session": "extended"},
        user=sandbox.world.member,
    )
    assert "session: filing alerts do not follow trades, so they have no session" in result.text()
    assert not await sandbox.bot.store.alerts.listed(sandbox.world.guild.id)


async def test_price_and_board_show_a_pre_market_trade_as_such(
    sandbox: SandboxSession, streamer: LocalStreamer
) -> None:
    await streamer.wait_subscribed({"CIFR"}, timeout=WAIT)
    await streamer.tick("CIFR", 15.9, at=(PRE_MARKET + timedelta(seconds=5)).timestamp())
    async with asyncio.timeout(WAIT):
        while (q := sandbox.bot.services.market.quote("CIFR")) is None or q.price != 15.9:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    shown = (await run(sandbox, "price", {"symbol": "CIFR"})).text()
    assert "Pre-market" in shown and "$15.90" in shown
    board = (await run(sandbox, "board", {"sort": "symbol"})).text()
    assert re.search(r"CIFR\s+15\.90p ", board)
    assert "p after a price: traded pre-market (1D vs the previous close)" in board
