"""Crash safety: SIGKILL the real bot while 200 alerts fire; the restart delivers each exactly once.

Each kill point runs `python -m bot run` against one emulator twice on the same store: the
first run is killed mid-firing or mid-delivery (at the moment the emulator creates the n-th
message, before the bot hears back, or some milliseconds after it), the second runs until
every alert has been reported. A send the first run could not record is found in the
channel by its marker, or absorbed by Discord's nonce dedupe (the emulator's). On a machine
slow enough to fire several steps in one poll there are fewer messages; a kill point past the
last one kills the first run once everything went out, which must hold too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from bot.market.calendar import TradingCalendar
from discord_emulator import DiscordEmulator
from tests.crash.harness import (
    BotProcess,
    KillPoint,
    alert_states,
    assert_delivered_exactly_once,
    bot_environment,
    build_world,
    copy_store,
    integrity,
    resent_nonces,
    restart_until_reported,
    run_until_killed,
    seeded_template,
    settlements,
    store_alerts,
    wait_for_outbox_drained,
    write_prices,
)

pytestmark = pytest.mark.slow


# At a message's creation (Discord has it, the bot has no answer): resent after the restart.
AT_CREATION = [KillPoint(n) for n in (1, 2, 5, 13, 20, 21, 40, 61, 85, 110)]
# Shortly after a message: while the bot marks it delivered, sends the next, or evaluates.
AFTER = [
    KillPoint(n, ms)
    for n, ms in (
        (1, 1),
        (1, 10),
        (3, 3),
        (10, 40),
        (20, 2),
        (33, 15),
        (50, 80),
        (70, 5),
        (95, 25),
        (1, 300),
    )
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A migrated store with the shipped ledger: every kill point starts from a copy."""
    folder = tmp_path_factory.mktemp("crash-template")
    yield asyncio.run(seeded_template(folder))


@pytest.mark.parametrize("point", AT_CREATION + AFTER, ids=str)
async def test_a_crash_neither_loses_nor_doubles_an_alert(
    tmp_path: Path, template: Path, calendar: TradingCalendar, point: KillPoint
) -> None:
    async with DiscordEmulator() as emu:
        world = build_world(emu)
        db = tmp_path / "minerwatch.sqlite3"
        copy_store(template, db)
        total = await store_alerts(db, world, calendar)
        prices = tmp_path / "prices.csv"
        write_prices(prices, datetime.now(UTC))
        env = bot_environment(emu, db, prices, tmp_path / "cache")
        launch = partial(BotProcess, env, tmp_path, tmp_path / "bot.log")

        started = time.perf_counter()
        deliveries = await run_until_killed(emu, launch, point, total)
        before_restart = len(deliveries.reported())
        assert integrity(db) == ["ok"]

        await restart_until_reported(
            emu, launch, deliveries, total, lambda: wait_for_outbox_drained(db)
        )
        elapsed = time.perf_counter() - started

        assert_delivered_exactly_once(db, deliveries, total)
        assert alert_states(db) == {"fired": total}
        assert integrity(db) == ["ok"]
        if deliveries.struck and not point.delay_ms:
            # The message being created when the bot died had no recorded answer: the
            # restart found it in the channel by its marker instead of posting it again.
            assert settlements(db)["found"] >= 1
        assert not emu.problems(), emu.problems()
        print(  # shown with -s: where the kill landed, and what the run cost
            f"{point}: {'killed' if deliveries.struck else 'never reached, killed at the end'}, "
            f"{before_restart}/{total} reported before the kill, "
            f"{resent_nonces(emu)} resend(s) absorbed, {elapsed:.1f} s"
        )
