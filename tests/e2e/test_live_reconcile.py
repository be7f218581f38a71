"""The poll as reconciliation: a spike the stream never carried fires from the poll, once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession
from tests.e2e.alerts_helpers import WAIT, add_alert, settled
from tests.e2e.conftest import REPLAY_CSV, START
from yahoo_emulator.streamer import LocalStreamer


@pytest.fixture
def settings_overrides(streamer: LocalStreamer) -> dict[str, Any]:
    # The bot follows the local streamer (the `streamer` fixture of the e2e conftest).
    return {"stream_url": streamer.url}


@pytest.fixture
def replay_csv() -> str:
    # CIFR spikes through 16 at +30 s and is back at +40 s: the stream carries neither.
    return REPLAY_CSV + "+30,CIFR,16.50,15.00,2000000\n+40,CIFR,15.20,15.00,2000000\n"


async def streamed(sandbox: SandboxSession, streamer: LocalStreamer, seconds: int) -> None:
    """Stream one quiet CIFR trade at ``seconds`` after the start, and wait until it is held."""
    moment = START + timedelta(seconds=seconds)
    await streamer.tick("CIFR", 15.3, at=moment.timestamp(), previous_close=15.0)
    quote_of = sandbox.bot.services.market.quote
    async with asyncio.timeout(WAIT):
        while (quote := quote_of("CIFR")) is None or quote.as_of != moment:  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_the_five_minute_poll_fires_a_crossing_the_stream_missed_exactly_once(
    sandbox: SandboxSession, streamer: LocalStreamer, e2e_clock: ManualClock
) -> None:
    general = sandbox.world.general.id
    await add_alert(sandbox, symbol="CIFR", condition="above", value=16)
    await streamer.wait_subscribed({"CIFR"}, timeout=WAIT)
    # A minute in, CIFR streams: the poll leaves it to the stream, and nothing fires.
    e2e_clock.set(START + timedelta(seconds=60))
    await streamed(sandbox, streamer, 59)
    result = await sandbox.bot.pipeline.tick()
    assert "CIFR" not in result.updates
    # Five minutes after the last full poll everything is polled again: the poll's prints
    # since its own last quote show the spike to 16.50.
    e2e_clock.set(START + timedelta(seconds=400))
    await streamed(sandbox, streamer, 399)
    result = await sandbox.bot.pipeline.tick()
    assert "CIFR" in result.updates
    (post,) = await sandbox.emu.wait_for_posts(general, 1, WAIT)
    assert post.embeds[0]["title"] == "CIFR rose above $16.00"
    triggered = next(f["value"] for f in post.embeds[0]["fields"] if f["name"] == "Triggered at")
    assert triggered == "$16.50 (intraday high)"
    # Neither the next trade nor the next polls fire it again.
    await streamed(sandbox, streamer, 400)
    e2e_clock.set(START + timedelta(seconds=800))
    await sandbox.bot.pipeline.tick()
    await settled(sandbox)
    assert len(sandbox.emu.posts(general)) == 1
