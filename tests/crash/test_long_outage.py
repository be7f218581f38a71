"""A long outage: SIGKILL the bot while a send is in flight, let Discord forget every nonce.

Each kill point runs `python -m bot run` twice on one store against one emulator that holds
every answer to a post for a moment after creating the message. The first run is killed at
the moment the n-th message is created, or some milliseconds later while its answer is still
held. Then the emulator forgets every nonce, as Discord does a few minutes after a send, so
a resend with the same nonce would post a second message: the restart must find what the
first run posted (by each message's marker) and post only what is missing. Alerts (in
channels and by DM), daily summaries and deal-watch posts each appear exactly once.

Kill points are drawn at random from a fixed seed, so a failing point can be run again.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from bot.market.calendar import TradingCalendar
from discord_emulator import DiscordEmulator
from tests.crash.harness import (
    NEWSROOMS,
    RUN_TIMEOUT,
    SEND_ROUTE,
    BotProcess,
    KillPoint,
    alert_states,
    assert_delivered_exactly_once,
    bot_environment,
    build_newsrooms,
    build_world,
    copy_store,
    integrity,
    outbox_kinds,
    outbox_states,
    restart_until_reported,
    run_until_killed,
    seeded_template,
    settlements,
    store_alerts,
    store_summaries_and_watches,
    write_prices,
)

pytestmark = pytest.mark.slow

SEED = 20_261_205  # change it to draw other kill points
KILL_POINTS = 20
# Seconds the emulator holds each answer to a post after creating the message: the window in
# which a kill leaves Discord with a message the bot never heard of.
ANSWER_HOLD = 0.08
# One run sends 56 to 156 messages (alerts group more when polls run late): kill points are
# drawn below the fewest, so every one strikes.
LAST_POST = 50


def kill_points() -> list[KillPoint]:
    """Draw the kill points: at a message's creation, or while its answer is held."""
    rng = random.Random(SEED)
    posts = sorted(rng.sample(range(1, LAST_POST + 1), KILL_POINTS))
    return [
        KillPoint(post, rng.choice((0.0, round(rng.uniform(1.0, ANSWER_HOLD * 1000 - 20), 1))))
        for post in posts
    ]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A migrated store with the shipped ledger: every kill point starts from a copy."""
    folder = tmp_path_factory.mktemp("outage-template")
    yield asyncio.run(seeded_template(folder))


async def wait_until_all_recorded(db: Path, watch_posts: int) -> None:
    """Wait until every summary and watch post is queued and every row is delivered."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RUN_TIMEOUT

    def settled() -> bool:
        kinds = outbox_kinds(db)
        done = kinds["summary"] == NEWSROOMS and kinds["watch"] == watch_posts
        return done and not outbox_states(db).get("pending")

    # The store has no signal to wait on from another process; a read every 20 ms is cheap.
    while not settled():
        assert loop.time() < deadline, f"{outbox_kinds(db)} {outbox_states(db)}"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("point", kill_points(), ids=str)
async def test_after_a_long_outage_every_post_appears_exactly_once(
    tmp_path: Path, template: Path, calendar: TradingCalendar, point: KillPoint
) -> None:
    async with DiscordEmulator() as emu:
        world = build_world(emu)
        rooms = build_newsrooms(emu, world)
        db = tmp_path / "minerwatch.sqlite3"
        copy_store(template, db)
        total = await store_alerts(db, world, calendar)
        watch_posts = await store_summaries_and_watches(db, rooms)
        prices = tmp_path / "prices.csv"
        write_prices(prices, datetime.now(UTC))
        env = bot_environment(emu, db, prices, tmp_path / "cache")
        launch = partial(BotProcess, env, tmp_path, tmp_path / "bot.log")
        emu.faults.delay(SEND_ROUTE, ANSWER_HOLD, times=None, after_handling=True)

        started = time.perf_counter()
        deliveries = await run_until_killed(emu, launch, point, total)
        before_restart = len(deliveries.messages)
        assert integrity(db) == ["ok"]
        emu.forget_nonces()  # the outage outlasted Discord's memory of every nonce

        await restart_until_reported(
            emu, launch, deliveries, total, lambda: wait_until_all_recorded(db, watch_posts)
        )
        elapsed = time.perf_counter() - started

        assert_delivered_exactly_once(db, deliveries, total)
        for room in rooms:
            assert len(emu.posts(room.daily.id)) == 1, f"summaries in {room.daily.name}"
            assert len(emu.posts(room.deals.id)) == watch_posts // NEWSROOMS
        assert alert_states(db) == {"fired": total}
        assert integrity(db) == ["ok"]
        settled = settlements(db)
        if deliveries.struck:
            # The message created as the bot died was in the channel: found, not posted again.
            assert settled["found"] >= 1, settled
        assert not emu.problems(), emu.problems()
        print(  # shown with -s: where the kill landed, and what the run cost
            f"{point}: {'killed' if deliveries.struck else 'never reached, killed at the end'}, "
            f"{before_restart} message(s) before the kill, {len(deliveries.messages)} in all, "
            f"settled {dict(settled)}, lost 0, doubled 0, {elapsed:.1f} s"
        )
