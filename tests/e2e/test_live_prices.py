"""Live prices end to end: trades from the local streamer fire alerts, update /price and show
in /status; the poll covers what the stream does not, and a crossing fires exactly once."""

from __future__ import annotations

import argparse
import asyncio
import re
from datetime import timedelta
from typing import Any

import discord
import pytest

from bench import bench_stream
from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession
from tests.e2e.alerts_helpers import TIMELINE, WAIT, add_alert, settled, tick_at
from tests.e2e.conftest import START
from tests.e2e.reading import embeds_text as text
from yahoo_emulator.streamer import LocalStreamer


@pytest.fixture
def settings_overrides(streamer: LocalStreamer) -> dict[str, Any]:
    # The bot follows the local streamer (the `streamer` fixture of the e2e conftest).
    return {"stream_url": streamer.url}


@pytest.fixture
def replay_csv() -> str:
    return TIMELINE


def at(seconds: float) -> float:
    """Return the epoch time ``seconds`` after the bot's start (the trades' own stamps)."""
    return (START + timedelta(seconds=seconds)).timestamp()


async def price_text(sandbox: SandboxSession, symbol: str) -> str:
    result = await sandbox.invoke("price", {"symbol": symbol}, user=sandbox.world.member)
    return text(await result.wait_done(timeout=WAIT))


async def until_price(sandbox: SandboxSession, symbol: str, price: float) -> None:
    quote_of = sandbox.bot.services.market.quote
    async with asyncio.timeout(WAIT):
        while (q := quote_of(symbol)) is None or q.price != price:  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_a_streamed_trade_fires_the_alert_without_waiting_for_a_poll(
    sandbox: SandboxSession, streamer: LocalStreamer
) -> None:
    alerts = sandbox.world.alerts
    await add_alert(sandbox, symbol="CIFR", condition="above", value=16)
    await streamer.wait_subscribed({"CIFR", "IREN", "BTC-USD"}, timeout=WAIT)
    await streamer.tick("CIFR", 16.2, at=at(5), previous_close=15.0)
    # No pipeline.tick(): the stream alone delivers the crossing.
    posts = await sandbox.emu.wait_for_posts(sandbox.world.general.id, 1, WAIT)
    assert posts[0].embeds[0]["title"] == "CIFR rose above $16.00"
    assert not sandbox.emu.posts(alerts.id)
    assert "$16.20" in await price_text(sandbox, "CIFR")


async def test_stream_and_poll_seeing_one_crossing_post_it_once(
    sandbox: SandboxSession, streamer: LocalStreamer, e2e_clock: ManualClock
) -> None:
    await add_alert(sandbox, symbol="CIFR", condition="above", value=16, repeat=True)
    await streamer.wait_subscribed({"CIFR"}, timeout=WAIT)
    await streamer.tick("CIFR", 16.4, at=at(50), previous_close=15.0)
    await sandbox.emu.wait_for_posts(sandbox.world.general.id, 1, WAIT)
    await tick_at(sandbox, e2e_clock, 60)  # the poll now sees 16.50: the same crossing
    rows = await settled(sandbox)
    assert [r.state for r in rows if r.kind == "alert"] == ["delivered"]
    assert len(sandbox.emu.posts(sandbox.world.general.id)) == 1


async def test_a_crossing_only_the_poll_saw_fires_from_the_poll(
    sandbox: SandboxSession, streamer: LocalStreamer, e2e_clock: ManualClock
) -> None:
    await add_alert(sandbox, symbol="IREN", condition="above", value=43)
    await streamer.wait_subscribed({"IREN"}, timeout=WAIT)
    streamer.muted.add("IREN")  # IREN never ticks on the stream
    await tick_at(sandbox, e2e_clock, 60)  # 42 → 44 from the poll
    posts = await sandbox.emu.wait_for_posts(sandbox.world.general.id, 1, WAIT)
    assert posts[0].embeds[0]["title"] == "IREN rose above $43.00"


async def test_a_single_out_of_band_trade_is_held_until_the_next_confirms_it(
    sandbox: SandboxSession, streamer: LocalStreamer
) -> None:
    await add_alert(sandbox, symbol="CIFR", condition="above", value=20)
    await streamer.wait_subscribed({"CIFR"}, timeout=WAIT)
    await streamer.tick("CIFR", 30.0, at=at(1), previous_close=15.0)  # a bad print
    await streamer.tick("CIFR", 15.6, at=at(2), previous_close=15.0)
    await until_price(sandbox, "CIFR", 15.6)
    await asyncio.sleep(0.2)
    assert not sandbox.emu.posts(sandbox.world.general.id)
    # Two trades in a row at the new level: the market really moved.
    await streamer.tick("CIFR", 21.0, at=at(3), previous_close=15.0)
    await asyncio.sleep(0.2)
    assert sandbox.bot.services.market.quote("CIFR").price == 15.6  # type: ignore[union-attr]
    await streamer.tick("CIFR", 21.2, at=at(4), previous_close=15.0)
    await until_price(sandbox, "CIFR", 21.2)
    posts = await sandbox.emu.wait_for_posts(sandbox.world.general.id, 1, WAIT)
    assert posts[0].embeds[0]["title"] == "CIFR rose above $20.00"


async def test_the_poll_skips_streamed_symbols_and_takes_them_back_when_the_stream_drops(
    sandbox: SandboxSession, streamer: LocalStreamer, e2e_clock: ManualClock
) -> None:
    pipeline = sandbox.bot.pipeline
    await streamer.wait_subscribed({"CIFR", "IREN"}, timeout=WAIT)
    await tick_at(sandbox, e2e_clock, 10)  # the first poll with the stream on reconciles all
    await streamer.tick("CIFR", 15.7, at=at(11), previous_close=15.0)
    await until_price(sandbox, "CIFR", 15.7)
    result = await pipeline.tick()
    assert "CIFR" not in result.updates and "IREN" in result.updates
    streamer.refusing = True
    await streamer.close_all(None)  # cut without a close frame
    async with asyncio.timeout(WAIT):
        while pipeline.live is not None and pipeline.live.stream.live:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    result = await pipeline.tick()
    assert "CIFR" in result.updates and "IREN" in result.updates
    streamer.refusing = False
    await streamer.wait_subscribed({"CIFR", "IREN"}, timeout=WAIT)
    # Back: once CIFR streams again, the poll leaves it to the stream.
    await streamer.tick("CIFR", 15.8, at=at(12), previous_close=15.0)
    await until_price(sandbox, "CIFR", 15.8)
    result = await pipeline.tick()
    assert "CIFR" not in result.updates and "IREN" in result.updates


async def test_status_shows_the_stream_the_streamed_ages_and_the_post_latency(
    sandbox: SandboxSession, streamer: LocalStreamer, e2e_clock: ManualClock
) -> None:
    await add_alert(sandbox, symbol="CIFR", condition="above", value=16)
    await streamer.wait_subscribed({"CIFR"}, timeout=WAIT)
    await streamer.tick("CIFR", 16.1, at=at(1), previous_close=15.0)
    await sandbox.emu.wait_for_posts(sandbox.world.general.id, 1, WAIT)
    await settled(sandbox)
    e2e_clock.advance(timedelta(seconds=4))
    result = await sandbox.invoke("status", user=sandbox.world.member)
    shown = text(await result.wait_done(timeout=WAIT))
    assert re.search(r"Live prices: ✅ streaming for \d+ s · 0 reconnect\(s\) in 24 h", shown)
    assert re.search(r"`CIFR\s*` ✅ <t:\d+:R> · streamed 4 s ago", shown)
    # The trade was stamped 1 s after the start and posted at the start (the manual clock):
    # the latency is measured from the trade's own time.
    assert "Trade → alert post, last 24 h: p50 0.0 s · p95 0.0 s (1 alert(s))" in shown


async def test_a_burst_of_a_thousand_trades_a_second_loses_no_crossing(
    sandbox: SandboxSession, streamer: LocalStreamer
) -> None:
    await add_alert(sandbox, symbol="IREN", condition="above", value=43)
    await streamer.wait_subscribed({"CIFR", "IREN"}, timeout=WAIT)
    ticks = [("CIFR" if i % 2 else "IREN", 15.5 if i % 2 else 42.0) for i in range(1_000)]
    ticks[501] = ("IREN", 43.4)  # one trade through the level, straight back under it
    ticks[-1] = ("IREN", 42.1)
    sent = await streamer.burst(ticks, per_second=1_000)
    assert sent == 1_000
    await until_price(sandbox, "IREN", 42.1)
    posts = await sandbox.emu.wait_for_posts(sandbox.world.general.id, 1, WAIT)
    assert posts[0].embeds[0]["title"] == "IREN rose above $43.00"
    await settled(sandbox)
    assert len(sandbox.emu.posts(sandbox.world.general.id)) == 1
    live = sandbox.bot.pipeline.live
    assert live is not None and live.trades == 1_000


async def test_a_streamer_whose_clock_runs_an_hour_fast_still_moves_prices(
    sandbox: SandboxSession, streamer: LocalStreamer, e2e_clock: ManualClock
) -> None:
    streamer.skew_seconds = 3_600
    await streamer.wait_subscribed({"CIFR"}, timeout=WAIT)
    await streamer.tick("CIFR", 15.6, at=at(1))
    await until_price(sandbox, "CIFR", 15.6)
    quote = sandbox.bot.services.market.quote("CIFR")
    assert quote is not None and quote.as_of == START  # taken as traded when it arrived
    # Its clock fixed, the next trade is not refused as older than the skewed one.
    streamer.skew_seconds = 0
    e2e_clock.set(START + timedelta(seconds=2))
    await streamer.tick("CIFR", 15.7, at=at(2))
    await until_price(sandbox, "CIFR", 15.7)


@pytest.mark.slow
async def test_the_small_benchmark_run_loses_no_crossing_and_posts_none_twice() -> None:
    """The live-price benchmark, small: a drop mid-run, the poll as the fallback."""
    args = argparse.Namespace(
        alerts=50, rate=100.0, seconds=8.0, drop=2.0, poll_seconds=1.0, lead=12.0
    )
    try:
        result = await bench_stream.run(args)
    finally:
        discord.http.Route.BASE = "https://discord.com/api/v10"
    assert result["crossed"] == 60  # every level is within the climb
    assert (result["lost"], result["duplicates"], result["never_crossed_but_posted"]) == (0, 0, 0)
    assert result["streamed"] and result["polled"]  # both paths fired
