"""The discord.py Sender: what it sends (nonce, mentions, embeds) and how errors map."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import aiohttp
import discord
import pytest
from discord.http import MultipartParameters

from bot.outbox.discord_sender import DiscordSender
from bot.outbox.model import Payload
from bot.outbox.sender import RetryableSendError, UndeliverableError

PAYLOAD: Payload = {
    "content": "<@42> your price alert fired.",
    "embeds": [{"title": "CIFR rose above $12.00", "color": 0x2ECC71}],
    "allowed_mentions": {"users": [42]},
}


class FakeHTTP:
    """discord.py's HTTPClient at the REST boundary: records calls, raises what it is told."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, dict[str, Any]]] = []
        self.opened: list[int] = []
        self.errors: list[BaseException] = []

    async def send_message(self, channel_id: int, *, params: MultipartParameters) -> dict[str, Any]:
        if self.errors:
            raise self.errors.pop(0)
        assert params.payload is not None
        self.sent.append((channel_id, params.payload))
        return {"id": str(5_000 + len(self.sent)), "channel_id": str(channel_id)}

    async def start_private_message(self, user_id: int) -> dict[str, Any]:
        self.opened.append(user_id)
        return {"id": str(800 + user_id), "type": 1}


def http_error(kind: type[discord.HTTPException], status: int, code: int) -> discord.HTTPException:
    response = SimpleNamespace(status=status, reason="x")
    return kind(response, {"code": code, "message": "refused"})  # type: ignore[arg-type]


@pytest.fixture
def http() -> FakeHTTP:
    return FakeHTTP()


@pytest.fixture
def sender(http: FakeHTTP) -> DiscordSender:
    return DiscordSender(SimpleNamespace(http=http))  # type: ignore[arg-type]


async def test_channel_send_carries_an_enforced_nonce_and_narrow_mentions(
    sender: DiscordSender, http: FakeHTTP
) -> None:
    """The body has the nonce with enforce_nonce, the embeds, and only the owners' mentions."""
    message_id = await sender.send_channel(77, PAYLOAD, "abc123")
    ((channel_id, body),) = http.sent
    assert (message_id, channel_id) == (5_001, 77)
    assert body["nonce"] == "abc123" and body["enforce_nonce"] is True
    assert body["content"] == PAYLOAD["content"]
    assert body["embeds"][0]["title"] == "CIFR rose above $12.00"
    assert body["allowed_mentions"]["users"] == [42]
    assert body["allowed_mentions"]["parse"] == []  # no @everyone, no roles


async def test_dm_opens_the_channel_once(sender: DiscordSender, http: FakeHTTP) -> None:
    """The DM channel id is looked up once, then remembered."""
    await sender.send_dm(9, {**PAYLOAD, "allowed_mentions": {"users": []}}, "n1")
    await sender.send_dm(9, PAYLOAD, "n2")
    assert http.opened == [9]
    assert [channel for channel, _ in http.sent] == [809, 809]


@pytest.mark.parametrize(
    ("dm", "error", "expected", "reason"),
    [
        (
            False,
            http_error(discord.Forbidden, 403, 50013),
            UndeliverableError,
            "missing_permissions",
        ),
        (
            False,
            http_error(discord.Forbidden, 403, 50001),
            UndeliverableError,
            "missing_permissions",
        ),
        (False, http_error(discord.NotFound, 404, 10003), UndeliverableError, "channel_gone"),
        (True, http_error(discord.Forbidden, 403, 50007), UndeliverableError, "dm_closed"),
        (False, http_error(discord.HTTPException, 400, 50035), UndeliverableError, "rejected"),
        (False, http_error(discord.DiscordServerError, 503, 0), RetryableSendError, None),
        (True, http_error(discord.HTTPException, 429, 0), RetryableSendError, None),
        (False, aiohttp.ClientConnectionError("reset"), RetryableSendError, None),
        (True, TimeoutError(), RetryableSendError, None),
        (True, http_error(discord.NotFound, 404, 10003), RetryableSendError, None),
    ],
)
async def test_errors_map_to_the_outbox_vocabulary(
    sender: DiscordSender,
    http: FakeHTTP,
    dm: bool,
    error: BaseException,
    expected: type[Exception],
    reason: str | None,
) -> None:
    """Each discord.py failure becomes retryable or undeliverable with the right reason."""
    http.errors.append(error)
    send = sender.send_dm(9, PAYLOAD, "n") if dm else sender.send_channel(77, PAYLOAD, "n")
    with pytest.raises(expected) as caught:
        await send
    if reason is not None:
        assert caught.value.reason == reason  # type: ignore[attr-defined]


async def test_rate_limits_carry_their_retry_after(sender: DiscordSender, http: FakeHTTP) -> None:
    """discord.py's RateLimited (a long 429) becomes a retry hint."""
    http.errors.append(discord.RateLimited(42.0))
    with pytest.raises(RetryableSendError) as caught:
        await sender.send_channel(77, PAYLOAD, "n")
    assert caught.value.retry_after == 42.0


async def test_a_forgotten_dm_channel_is_reopened(sender: DiscordSender, http: FakeHTTP) -> None:
    """An unknown cached DM channel is dropped, so the next attempt opens a new one."""
    await sender.send_dm(9, PAYLOAD, "n1")
    http.errors.append(http_error(discord.NotFound, 404, 10003))
    with pytest.raises(RetryableSendError):
        await sender.send_dm(9, PAYLOAD, "n2")
    await sender.send_dm(9, PAYLOAD, "n2")
    assert http.opened == [9, 9]


async def test_unknown_errors_are_not_hidden(sender: DiscordSender, http: FakeHTTP) -> None:
    """A programming error surfaces as itself (the worker logs it and retries the row)."""
    http.errors.append(KeyError("bug"))
    with pytest.raises(KeyError):
        await sender.send_channel(77, PAYLOAD, "n")
