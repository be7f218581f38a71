"""/status through the emulator: version, feed, per-symbol freshness, alerts, next summary."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.limits import EMBED_TOTAL as MAX_EMBED_TEXT
from bot.outbox.model import Destination, OutboxKind, OutboxMessage, embed_text_length
from bot.sandbox.session import SandboxSession
from bot.status import version
from discord_emulator import InteractionResult
from tests.e2e.reading import embeds_text as text


async def status(sandbox: SandboxSession) -> InteractionResult:
    result = await sandbox.invoke("status", user=sandbox.world.member)
    return await result.wait_done(timeout=5)


async def test_status_shows_version_feed_symbols_and_that_the_summary_is_off(
    sandbox: SandboxSession,
) -> None:
    result = await status(sandbox)
    assert result.ephemeral
    shown = text(result)
    assert f"Version {version()} · up " in shown
    assert "Prices: Replayed prices from a file, not live" in shown
    assert re.search(r"Last poll <t:\d+:R>", shown)
    assert "Provider: answering normally" in shown
    assert "Alerts active in this server: 0" in shown
    assert "Outbox: 0 message(s) waiting" in shown
    assert "Daily summary: off (`/summary config` turns it on)" in shown
    assert "Last summary: none yet" in shown
    for symbol in ("BTC-USD", "CIFR", "IREN", "NVDA"):
        assert re.search(rf"`{re.escape(symbol)}\s*` ✅ <t:\d+:R>", shown), symbol
    # Tracked symbols the replay file has no price for say so.
    assert re.search(r"`GOOGL\s*` ❌ no quote yet", shown)
    assert sum(embed_text_length(e) for e in result.embeds) <= MAX_EMBED_TEXT


async def test_status_shows_the_next_summary_time(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    config = await sandbox.invoke(
        "summary config",
        {"channel": sandbox.world.daily.id, "time": "09:00", "timezone": "Europe/Paris"},
    )
    await config.wait_done(timeout=5)
    # START is Wednesday 15:00 UTC: the next 09:00 in Paris is Thursday 08:00 UTC, but
    # Thursday 2026-11-26 is Thanksgiving (no NYSE session): so Friday.
    expected = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    shown = text(await status(sandbox))
    assert f"Next summary: <t:{int(expected.timestamp())}:F>" in shown
    assert f"in <#{sandbox.world.daily.id}>, 09:00 Europe/Paris on NYSE trading days" in shown
    e2e_clock.advance(timedelta(hours=8))  # quotes go stale in the session
    assert "⚠️ stale, last good <t:" in text(await status(sandbox))


async def test_status_counts_this_servers_active_alerts(sandbox: SandboxSession) -> None:
    created = await sandbox.invoke(
        "alert add",
        {"symbol": "CIFR", "condition": "above", "value": 16.0},
        user=sandbox.world.member,
    )
    await created.wait_done(timeout=5)
    assert "Alerts active in this server: 1 (1 armed)" in text(await status(sandbox))


async def test_status_says_how_unanswered_sends_were_settled(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    """A send that never got an answer is looked for before it goes again; /status counts it."""
    channel_id = sandbox.world.daily.id
    message = OutboxMessage(
        dedupe_key="notice:unanswered",
        kind=OutboxKind.NOTICE,
        destination=Destination.channel(channel_id),
        payload={
            "content": "Daily summary resumed.",
            "embeds": [],
            "allowed_mentions": {"users": []},
        },
    )
    store = sandbox.bot.store
    async with store.db.transaction() as conn:
        (row_id,) = await store.outbox.enqueue(conn, [message], now=e2e_clock.now())
    await store.outbox.begin_attempt(row_id, now=e2e_clock.now())  # then the process died

    await sandbox.bot.services.outbox.deliver_due()

    (post,) = await sandbox.emu.wait_for_posts(channel_id)
    assert post.content.startswith("Daily summary resumed.\n-# ")
    assert len(sandbox.emu.recorder.matching("GET /channels/{channel_id}/messages")) == 1
    assert (
        "Unanswered sends checked in the channel before resending: 0 already posted, "
        "1 not there and sent again, 0 sent after the read reached its limit "
        "(1 history page(s) read)"
    ) in text(await status(sandbox))
