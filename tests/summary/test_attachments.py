"""Files with outbox messages: stored once per content, sent as multipart, pruned when done."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from discord.http import MultipartParameters

from bot.outbox.discord_sender import DiscordSender
from bot.outbox.model import Destination, OutboxFile, OutboxKind, OutboxMessage, Payload
from bot.outbox.sender import UndeliverableError
from bot.store import Store

NOW = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
PAYLOAD: Payload = {
    "content": "",
    "embeds": [{"title": "Chart", "image": {"url": "attachment://miners-1mo.png"}}],
    "allowed_mentions": {"users": []},
}


def message(n: int, chart: OutboxFile) -> OutboxMessage:
    return OutboxMessage(
        dedupe_key=f"summary:{n}:2026-11-25",
        kind=OutboxKind.SUMMARY,
        destination=Destination.channel(10_000 + n),
        payload=PAYLOAD,
        guild_id=n,
        files=(chart,),
    )


async def count_files(store: Store) -> int:
    row = await store.db.fetch_one("SELECT count(*) FROM outbox_files")
    assert row is not None
    return int(row[0])


async def test_one_chart_for_a_thousand_messages_is_stored_once(store: Store) -> None:
    chart = OutboxFile("miners-1mo.png", PNG)
    async with store.db.transaction() as conn:
        created = await store.outbox.enqueue(
            conn, [message(n, chart) for n in range(1000)], now=NOW
        )
    assert len(created) == 1000
    assert await count_files(store) == 1
    (row,) = [r for r in await store.outbox.rows() if r.guild_id == 7]
    assert row.payload["files"] == [{"filename": "miners-1mo.png", "sha256": chart.sha256}]
    assert await store.outbox.file(chart.sha256) == PNG
    # Queued again (another run of the same minute): still one copy.
    async with store.db.transaction() as conn:
        await store.outbox.enqueue(conn, [message(2000, chart)], now=NOW)
    assert await count_files(store) == 1


async def test_files_are_pruned_only_when_no_pending_message_needs_them(store: Store) -> None:
    chart = OutboxFile("miners-1mo.png", PNG)
    async with store.db.transaction() as conn:
        (row_id,) = await store.outbox.enqueue(conn, [message(1, chart)], now=NOW)
    later = NOW + timedelta(days=30)
    assert await store.outbox.prune_files(before=later) == 0  # still pending
    assert await store.outbox.mark_delivered(row_id, 555, now=NOW)
    assert await store.outbox.prune_files(before=NOW) == 0  # not old enough
    assert await store.outbox.prune_files(before=later) == 1
    assert await store.outbox.file(chart.sha256) is None


def test_a_file_is_hashed_once_and_never_empty() -> None:
    chart = OutboxFile("a.png", PNG)
    assert len(chart.sha256) == 64 and chart.ref["sha256"] == chart.sha256
    with pytest.raises(ValueError, match="at least one byte"):
        OutboxFile("empty.png", b"")


class FakeHTTP:
    """discord.py's HTTPClient at the REST boundary: records what each send carried."""

    def __init__(self) -> None:
        self.sent: list[tuple[dict[str, Any], list[tuple[str, bytes]]]] = []

    async def send_message(self, channel_id: int, *, params: MultipartParameters) -> dict[str, Any]:
        assert params.multipart is not None and params.files is not None
        body = json.loads(params.multipart[0]["value"])
        files = [(f.filename, f.fp.read()) for f in params.files]
        self.sent.append((body, files))
        return {"id": str(5_000 + len(self.sent)), "channel_id": str(channel_id)}


class Files:
    """A file source that counts reads."""

    def __init__(self, known: dict[str, bytes]) -> None:
        self.known = known
        self.reads = 0

    async def file(self, sha256: str) -> bytes | None:
        self.reads += 1
        return self.known.get(sha256)


async def test_the_sender_attaches_the_files_as_multipart() -> None:
    chart = OutboxFile("miners-1mo.png", PNG)
    http, files = FakeHTTP(), Files({chart.sha256: PNG})
    sender = DiscordSender(SimpleNamespace(http=http), files=files)  # type: ignore[arg-type]
    payload: Payload = {**PAYLOAD, "files": [chart.ref]}
    for n in range(3):
        await sender.send_channel(77, payload, f"n{n}")
    body, sent = http.sent[0]
    assert sent == [("miners-1mo.png", PNG)]
    assert body["attachments"] == [{"id": 0, "filename": "miners-1mo.png"}]
    assert body["nonce"] == "n0" and body["enforce_nonce"] is True
    assert files.reads == 1  # the same chart for the next servers comes from memory


async def test_a_file_that_is_not_stored_makes_the_message_undeliverable() -> None:
    sender = DiscordSender(SimpleNamespace(http=FakeHTTP()), files=Files({}))  # type: ignore[arg-type]
    payload: Payload = {**PAYLOAD, "files": [{"filename": "x.png", "sha256": "0" * 64}]}
    with pytest.raises(UndeliverableError) as caught:
        await sender.send_channel(77, payload, "n")
    assert caught.value.reason == "rejected"
