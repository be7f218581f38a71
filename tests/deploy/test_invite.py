"""`minerwatch invite`: the OAuth2 link with exactly the scopes and permissions the bot uses."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import discord
import pytest

from bot.deploy.permissions import BOT_PERMISSIONS, needed_for, permission_value
from bot.outbox.discord_sender import DiscordSender
from bot.outbox.model import Payload
from bot.outbox.sender import UndeliverableError
from cogs._ui.access import missing_post_permissions
from cogs.summary import NEEDED as SUMMARY_NEEDS
from discord_emulator import (
    ATTACH_FILES,
    EMBED_LINKS,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    DiscordEmulator,
    Guild,
    Overwrite,
)
from discord_emulator.permissions import MEMBER_OVERWRITE, SEND_MESSAGES_IN_THREADS

from .conftest import minerwatch

CHART = b"\x89PNG\r\n\x1a\n not really a chart"


def _query(url: str) -> dict[str, list[str]]:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "discord.com", "/oauth2/authorize")
    return parse_qs(parts.query)


async def test_invite_asks_discord_for_the_application_id(
    on_emulator: DiscordEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = await minerwatch(capsys, "invite")
    assert ran.status == 0, ran.err
    query = _query(ran.out.strip())
    assert query["client_id"] == [str(on_emulator.application_id)]
    assert query["scope"] == ["bot applications.commands"]
    assert query["permissions"] == [str(permission_value())]
    assert "%20" in ran.out  # the two scopes, space-separated as Discord expects


async def test_invite_with_an_id_and_a_dev_server(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MINERWATCH_DEV_GUILD_ID", "42")
    ran = await minerwatch(capsys, "invite", "--application-id", "1234")
    assert ran.status == 0
    query = _query(ran.out.strip())
    assert query["client_id"] == ["1234"] and query["guild_id"] == ["42"]


async def test_invite_without_id_or_token_says_where_to_find_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ran = await minerwatch(capsys, "invite")
    assert ran.status == 2 and ran.out == ""
    assert "pass --application-id" in ran.err and "Application ID" in ran.err


async def test_invite_with_a_rejected_token(
    rejected_token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = await minerwatch(capsys, "invite")
    assert ran.status == 1
    assert ran.err.startswith("Discord rejected DISCORD_TOKEN: 401")


def test_the_permission_integer_is_the_list() -> None:
    expected = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | SEND_MESSAGES_IN_THREADS
    assert permission_value() == expected
    assert len({n.flag for n in BOT_PERMISSIONS}) == len(BOT_PERMISSIONS)


def test_what_the_cogs_check_before_posting_is_in_the_list() -> None:
    """The permission checks the commands make name only permissions the invite grants."""
    flags = {n.flag for n in BOT_PERMISSIONS}
    assert {flag for _, flag in SUMMARY_NEEDS} <= flags
    labels = {n.label for n in BOT_PERMISSIONS}
    for thread in (False, True):
        assert set(missing_post_permissions(discord.Permissions.none(), thread=thread)) <= labels
    assert [n.label for n in needed_for("alerts", thread=True)] == [
        "View Channel",
        "Send Messages in Threads",
        "Embed Links",
    ]


class _Files:
    async def file(self, sha256: str) -> bytes | None:
        return CHART if sha256 == hashlib.sha256(CHART).hexdigest() else None


@pytest.fixture
async def strict_emu() -> AsyncIterator[DiscordEmulator]:
    """A Discord that enforces Embed Links too (as real Discord does by hiding the embed)."""
    async with DiscordEmulator(strict_embed_permission=True) as emulator:
        yield emulator


@pytest.fixture
async def invited(strict_emu: DiscordEmulator) -> AsyncIterator[tuple[Guild, DiscordSender]]:
    """A server whose only grant to the bot is the invite's permissions; the bot's sender."""
    guild = strict_emu.add_guild("Invited", bot_permissions=permission_value())
    strict_emu.world.guilds[guild.id].roles[guild.id].permissions = 0  # @everyone: nothing
    client = discord.Client(intents=discord.Intents.none())
    with strict_emu.patch_discord_py():
        await client.login(strict_emu.token)
        try:
            yield guild, DiscordSender(client, files=_Files())
        finally:
            await client.close()


def _summary_post() -> Payload:
    """What the daily summary sends: embeds showing an attached chart."""
    return {
        "content": "",
        "embeds": [{"title": "Daily summary", "image": {"url": "attachment://chart.png"}}],
        "allowed_mentions": {"parse": [], "users": []},  # type: ignore[typeddict-item]
        "files": [{"filename": "chart.png", "sha256": hashlib.sha256(CHART).hexdigest()}],
    }


async def test_the_invite_permissions_let_the_bot_post_what_it_posts(
    strict_emu: DiscordEmulator, invited: tuple[Guild, DiscordSender]
) -> None:
    guild, sender = invited
    daily = strict_emu.add_channel(guild.id, "daily")
    await sender.send_channel(daily.id, _summary_post(), "nonce-ok")
    posted = strict_emu.posts(daily.id)
    assert len(posted) == 1 and posted[0].attachments


@pytest.mark.parametrize("bit", [VIEW_CHANNEL, SEND_MESSAGES, EMBED_LINKS, ATTACH_FILES])
async def test_each_channel_permission_in_the_list_is_needed(
    strict_emu: DiscordEmulator, invited: tuple[Guild, DiscordSender], bit: int
) -> None:
    guild, sender = invited
    overwrite = Overwrite(id=strict_emu.bot_user.id, type=MEMBER_OVERWRITE, deny=bit)
    channel = strict_emu.add_channel(guild.id, "daily", overwrites=[overwrite])
    with pytest.raises(UndeliverableError) as refused:
        await sender.send_channel(channel.id, _summary_post(), f"nonce-{bit}")
    assert refused.value.reason == "missing_permissions"
