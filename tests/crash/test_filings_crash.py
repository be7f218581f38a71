"""Crash safety of the filings watcher: SIGKILL between seeing filings and posting them.

The bot runs as `python -m bot run` against the local Discord and the local EDGAR. The first
run is killed either as EDGAR answers with the new filings (seen, not yet stored) or as
Discord creates the post (posted, not yet recorded); the restart must post each filing
exactly once.
"""

from __future__ import annotations

import asyncio
import re
import signal
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.filings.model import Level
from bot.filings.tracked import tracked_companies
from bot.filings.watcher import FilingsWatcher
from bot.store import Store
from discord_emulator import DiscordEmulator
from edgar_emulator import LEASE_8K, EdgarEmulator
from tests.crash.harness import (
    READY_TIMEOUT,
    BotProcess,
    Deliveries,
    bot_environment,
    build_world,
    copy_store,
    integrity,
    messages_per_nonce,
    outbox_states,
    seeded_template,
    write_prices,
)
from tests.filings.world import CIFR_CIK, add_shipped_companies, edgar_client

pytestmark = pytest.mark.slow

CIK = CIFR_CIK
CONTACT = "Minerwatch Crash Test crash@example.com"
CIFR_PATH = f"/submissions/CIK{CIK:010d}.json"
RUN_TIMEOUT = 30.0
ACCESSION = re.compile(r"^(\d{10}-\d{2}-\d{6})")
FILINGS = 3


async def no_parties() -> list[str]:
    return []


async def baseline(db: Path, edgar: EdgarEmulator, guild_id: int, channel_id: int) -> None:
    """Record the company's baseline and set the server's watch, as a running bot would."""
    store = await Store.open(db)
    clock = SystemClock()
    client = edgar_client(edgar, clock, contact=CONTACT)
    try:
        watcher = FilingsWatcher(
            store,
            clock,
            client,
            companies=lambda: tracked_companies(store),
            parties=no_parties,
            poll_seconds=60,
        )
        await watcher.poll()
        await store.filings.set_watch(guild_id, channel_id, Level.ROUTINE, now=clock.now())
    finally:
        await client.aclose()
        await store.close()


def posted_accessions(deliveries: Deliveries) -> Counter[str]:
    return Counter(
        found.group(1)
        for message in deliveries.messages
        for embed in message.embeds
        if (found := ACCESSION.match(embed.get("footer", {}).get("text", "")))
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("filings-crash-template")
    yield asyncio.run(seeded_template(folder))


@pytest.mark.parametrize("kill_at", ["edgar-answer", "discord-post"])
async def test_a_crash_neither_loses_nor_doubles_a_filing_post(
    tmp_path: Path, template: Path, kill_at: str
) -> None:
    async with DiscordEmulator() as emu, EdgarEmulator() as edgar:
        world = build_world(emu)
        channel = world.channels[0]
        add_shipped_companies(edgar)
        db = tmp_path / "minerwatch.sqlite3"
        copy_store(template, db)
        await baseline(db, edgar, world.guild_id, channel.id)
        published = {
            edgar.add_filing(CIK, "8-K", items="1.01", text=LEASE_8K) for _ in range(FILINGS)
        }
        prices = tmp_path / "prices.csv"
        write_prices(prices, datetime.now(UTC))
        env = bot_environment(emu, db, prices, tmp_path / "cache")
        env.update(
            MINERWATCH_SEC_CONTACT=CONTACT,
            MINERWATCH_SEC_DATA_URL=edgar.base_url,
            MINERWATCH_SEC_ARCHIVES_URL=edgar.base_url,
            MINERWATCH_SEC_POLL_SECONDS="0.2",
        )
        log = tmp_path / "bot.log"
        first = BotProcess(env, tmp_path, log)
        deliveries = Deliveries(kill_at=1 if kill_at == "discord-post" else None)
        deliveries.on_kill = first.kill
        emu.messenger.listeners.append(deliveries)
        struck = asyncio.Event()

        def kill_on_new_listing(path: str, status: int) -> None:
            if kill_at == "edgar-answer" and path == CIFR_PATH and status == 200:
                first.kill()  # EDGAR has answered with the new filings; nothing is stored yet
                struck.set()

        edgar.listeners.append(kill_on_new_listing)
        await first.start()
        assert first.process is not None
        assert await asyncio.wait_for(first.process.wait(), RUN_TIMEOUT) == -signal.SIGKILL, (
            first.log_tail()
        )
        await first.reap()
        assert kill_at != "edgar-answer" or (struck.is_set() and not deliveries.messages)
        assert kill_at != "discord-post" or deliveries.struck
        edgar.listeners.clear()
        assert integrity(db) == ["ok"]

        second = BotProcess(env, tmp_path, log)
        await second.start()
        try:
            await asyncio.wait_for(emu.gateway.wait_ready(READY_TIMEOUT), READY_TIMEOUT)
            await emu.messenger.posted.wait_until(
                lambda: set(posted_accessions(deliveries)) >= published,
                RUN_TIMEOUT,
                lambda: f"posted {dict(posted_accessions(deliveries))}\n{second.log_tail()}",
            )
            loop = asyncio.get_running_loop()
            deadline = loop.time() + RUN_TIMEOUT
            while outbox_states(db).get("pending"):
                assert loop.time() < deadline, outbox_states(db)
                await asyncio.sleep(0.02)
            # A poll already ran in this run (outside business hours the next is 10 min away);
            # a little longer lets any repeat it would have caused arrive.
            await asyncio.sleep(1.0)
        finally:
            second.kill()
            await second.reap()

        assert posted_accessions(deliveries) == Counter(dict.fromkeys(published, 1))
        assert all(n == 1 for n in messages_per_nonce(deliveries).values())
        assert outbox_states(db) == {"delivered": 1}
        assert integrity(db) == ["ok"]
        assert not emu.problems(), emu.problems()
        assert not edgar.problems(), edgar.problems()
