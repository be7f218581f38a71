"""Yahoo having a bad day: 429 storms, garbage bodies and timeouts, with the bot answering."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.market.backoff import BackoffState
from bot.market.calendar import TradingCalendar
from bot.market.yahoo import YahooSource
from bot.sandbox.session import SandboxSession
from discord_emulator import DiscordEmulator, InteractionResult
from tests import factories
from tests.hardening.harness import Answer, Finished, answered, sandbox_settings
from yahoo_emulator.server import FakeYahoo, Reply

# Just after the MSFT session in the payloads (last trade 2026-09-25 20:00:01Z): quotes fresh.
AFTER_CLOSE = datetime(2026, 9, 25, 20, 30, tzinfo=UTC)
GARBAGE = [b"<html><body>Will be right back</body></html>", b"{", b'{"chart": 42}', b"\x00" * 64]


@pytest.fixture
async def yahoo_bot(fake_yahoo: FakeYahoo, tmp_path: Path) -> AsyncIterator[SandboxSession]:
    """The real bot with price_source yahoo, against the local Discord and the local Yahoo."""
    clock = ManualClock(AFTER_CLOSE)
    # Yahoo's price stream cannot be reached from here: these faults are the poll's.
    settings = sandbox_settings(tmp_path, price_source="yahoo", poll_seconds=60, stream_url="off")
    async with DiscordEmulator() as emu:
        session = await SandboxSession.start(settings, clock=clock, emulator=emu)
        Finished.of(session.bot)
        try:
            yield session
        finally:
            failures = list(session.bot.tree.failures)
            await session.stop(stop_emulator=False)
            assert not failures, [repr(f.error) for f in failures]
            assert not emu.problems(), emu.problems()
    import discord

    discord.http.Route.BASE = "https://discord.com/api/v10"


async def price_card(session: SandboxSession, symbol: str) -> InteractionResult:
    world = session.world
    result = await session.emu.invoke(
        world.guild.id, world.general.id, world.member.id, "price", {"symbol": symbol}
    )
    await answered(result, session.bot)
    return result


def past_backoff(state: BackoffState | None, clock: ManualClock) -> None:
    """Move the clock a second past the feed's pause (never backwards)."""
    until = state.until if state is not None else clock.now()
    clock.set(max(until, clock.now()) + timedelta(seconds=1))


def card_text(result: InteractionResult) -> str:
    return result.text()


@pytest.mark.slow
async def test_the_bot_keeps_answering_from_cache_through_a_yahoo_storm(
    yahoo_bot: SandboxSession, fake_yahoo: FakeYahoo
) -> None:
    """429s, then garbage bodies: /price answers from the last good quote, marked stale."""
    bot = yahoo_bot.bot
    clock = bot.clock
    assert isinstance(clock, ManualClock)
    await bot.pipeline.tick()
    fresh = await price_card(yahoo_bot, "CIFR")
    assert fresh.embeds and "Stale" not in card_text(fresh)
    good_price = bot.market.quote("CIFR")
    assert good_price is not None

    fake_yahoo.throttled = True  # every request: 429
    for _ in range(3):
        clock.advance(timedelta(minutes=3))
        await bot.pipeline.tick()
        during = await price_card(yahoo_bot, "CIFR")
        assert during.embeds and "Stale" in card_text(during), card_text(during)
        assert (await price_card(yahoo_bot, "NVDA")).embeds
    stats = bot.market.stats()
    assert stats.backoff is not None and "429" in stats.backoff.reason
    if "status" in {c["name"] for c in yahoo_bot.emu.commands.available(yahoo_bot.world.guild.id)}:
        world = yahoo_bot.world
        status = await yahoo_bot.emu.invoke(
            world.guild.id, world.general.id, world.member.id, "status", {}
        )
        await answered(status, bot)
        assert "429" in status.text() or "back" in status.text().lower()

    fake_yahoo.throttled = False
    # An error page or a cut-off body on every finance endpoint (a 404 among them would read
    # as "unknown symbol", which is the 404 rule, not a bad day).
    fake_yahoo.extra.insert(
        0,
        lambda host, path, query: (
            Reply(200, random.choice(GARBAGE)) if "/finance/" in path else None
        ),
    )
    for _ in range(2):
        past_backoff(bot.market.stats().backoff, clock)
        await bot.pipeline.tick()
        garbage = await price_card(yahoo_bot, "CIFR")
        assert garbage.embeds and "Stale" in card_text(garbage)
        cached = bot.market.quote("CIFR")
        assert cached is not None and cached.price == good_price.price  # garbage never priced

    fake_yahoo.extra.pop(0)  # Yahoo is back
    # An empty answer reads as "no data" and is not asked again for 15 minutes.
    clock.advance(timedelta(minutes=16))
    for _ in range(6):
        past_backoff(bot.market.stats().backoff, clock)
        await bot.pipeline.tick()
        if bot.market.stats().backoff is None:
            break
    recovered = await price_card(yahoo_bot, "CIFR")
    assert "Stale" not in card_text(recovered), card_text(recovered)


WARM_UP_POLLS = 4


async def test_a_hanging_yahoo_times_out_without_blocking_the_loop(
    fake_yahoo: FakeYahoo, tmp_path: Path
) -> None:
    """A Yahoo that never answers: the poll gives up at its timeout; the loop stays free."""
    clock = ManualClock(AFTER_CLOSE)
    calendar = TradingCalendar()
    source = YahooSource(
        cache_dir=tmp_path / "yf-cache", clock=clock, calendar=calendar, market_caps=False
    )
    provider = factories.feed(source, clock, calendar, seed=7, poll_fetch_timeout=0.5)
    try:
        # A cold session first fetches a cookie and a crumb: on a busy machine that can take
        # longer than this short timeout, so poll again (a minute later, as the scheduler
        # would) until both prices are in. What is tested starts once they are.
        first = await provider.poll(["MSFT", "NVDA"])
        for _ in range(WARM_UP_POLLS):
            if set(first.accepted()) == {"MSFT", "NVDA"}:
                break
            clock.advance(timedelta(minutes=1))
            first = await provider.poll(["MSFT", "NVDA"])
        assert set(first.accepted()) == {"MSFT", "NVDA"}

        def hang(host: str, path: str, query: dict[str, str]) -> Reply | None:
            if path.startswith("/v8/finance/chart/"):
                time.sleep(3)
            return None

        fake_yahoo.extra.insert(0, hang)
        clock.advance(timedelta(minutes=1))
        beats: list[float] = []

        async def heartbeat() -> None:
            while True:
                started = time.perf_counter()
                await asyncio.sleep(0.01)
                beats.append(time.perf_counter() - started)

        ticker = asyncio.create_task(heartbeat())
        started = time.perf_counter()
        hung = await provider.poll(["MSFT", "NVDA"])
        took = time.perf_counter() - started
        ticker.cancel()
        assert took < 5, f"the poll waited {took:.1f} s for a hanging Yahoo"
        assert not hung.accepted()
        cached = provider.cached("MSFT")
        assert cached is not None and cached.price == first.updates["MSFT"].quote.price  # type: ignore[union-attr]
        assert max(beats) < 0.25, f"the event loop stalled {max(beats):.2f} s"
    finally:
        await provider.aclose()


async def intraday_chart(session: SandboxSession, symbol: str, period: str) -> tuple[Answer, float]:
    """Invoke /chart style candles for an intraday period; return the answer and its seconds."""
    world = session.world
    started = time.perf_counter()
    result = await session.emu.invoke(
        world.guild.id,
        world.general.id,
        world.member.id,
        "chart",
        {"symbol": symbol, "style": "candles", "period": period},
    )
    answer = await answered(result, session.bot)
    return answer, time.perf_counter() - started


async def test_intraday_chart_with_yahoo_down_serves_the_cached_bars_marked_stale(
    yahoo_bot: SandboxSession, fake_yahoo: FakeYahoo
) -> None:
    clock = yahoo_bot.bot.clock
    assert isinstance(clock, ManualClock)
    fresh, _ = await intraday_chart(yahoo_bot, "CIFR", "1d")
    assert fresh.result.visible[0].attachments and "STALE" not in fresh.text

    fake_yahoo.throttled = True  # every request: 429
    clock.advance(timedelta(minutes=5))  # the cached bars are no longer fresh
    stale, seconds = await intraday_chart(yahoo_bot, "CIFR", "1d")
    (message,) = stale.result.visible
    assert message.attachments and not message.ephemeral
    assert stale.text.startswith("[STALE]") and "did not answer" in stale.text
    assert seconds < 3.0


async def test_intraday_chart_with_yahoo_down_and_nothing_cached_says_so_in_time(
    yahoo_bot: SandboxSession, fake_yahoo: FakeYahoo
) -> None:
    fake_yahoo.throttled = True
    answer, seconds = await intraday_chart(yahoo_bot, "NVDA", "5d")
    (message,) = answer.result.visible
    assert message.ephemeral and not message.attachments
    assert "No intraday prices for NVDA right now" in message.content
    assert seconds < 3.0


async def test_intraday_chart_with_a_hanging_yahoo_answers_within_three_seconds(
    yahoo_bot: SandboxSession, fake_yahoo: FakeYahoo
) -> None:
    await yahoo_bot.bot.pipeline.tick()  # cookie, crumb and time zones known

    def hang(host: str, path: str, query: dict[str, str]) -> Reply | None:
        if path.startswith("/v8/finance/chart/") and query.get("interval") == "5m":
            time.sleep(4)
        return None

    fake_yahoo.extra.insert(0, hang)
    answer, seconds = await intraday_chart(yahoo_bot, "CIFR", "1d")
    assert "No intraday prices for CIFR" in answer.text
    assert seconds < 3.0, f"answered after {seconds:.2f} s"
