"""Request validation: Discord's 50035 error tree, with and without the OpenAPI spec file."""

from __future__ import annotations

import io
from typing import Any

import aiohttp
import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discord_emulator import DiscordEmulator
from discord_emulator.checks import check_message

from .conftest import World
from .minibot import MiniBot
from .spec_source import spec_path

SPEC_PATH = spec_path()
# The spec variant runs when the spec is available (see spec_source: the one place that
# skips, with how to enable it, is test_openapi_spec.py).
WITH_AND_WITHOUT_SPEC = pytest.mark.parametrize(
    "emu",
    [
        *([pytest.param({"spec_path": SPEC_PATH}, id="spec")] if SPEC_PATH else []),
        pytest.param({"use_spec": False}, id="own-checks-only"),
    ],
    indirect=True,
)
TITLE_TOO_LONG = {
    "embeds": {
        "0": {
            "title": {
                "_errors": [
                    {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 256 or fewer in length."}
                ]
            }
        }
    }
}
MESSAGES = "POST /channels/{channel_id}/messages"


def _channel(bot: MiniBot, world: World) -> discord.TextChannel:
    channel = bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    return channel


@WITH_AND_WITHOUT_SPEC
async def test_long_embed_title_gets_discords_error_tree(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    with pytest.raises(discord.HTTPException) as caught:
        await _channel(bot, world).send(embed=discord.Embed(title="x" * 300))
    assert caught.value.status == 400 and caught.value.code == 50035
    assert "embeds.0.title" in caught.value.text
    (request,) = emu.recorder.matching(MESSAGES)
    assert request.status == 400
    assert request.response == {
        "message": "Invalid Form Body",
        "code": 50035,
        "errors": TITLE_TOO_LONG,
    }
    (violation,) = emu.violations
    assert violation.errors[0].path == ("embeds", 0, "title")
    assert violation.source == ("spec" if emu.spec is not None else "own")
    assert emu.posts(world.general.id) == []


@WITH_AND_WITHOUT_SPEC
async def test_embed_text_over_6000_is_refused(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    embeds = [discord.Embed(description="a" * 4096), discord.Embed(description="b" * 1905)]
    with pytest.raises(discord.HTTPException) as caught:
        await _channel(bot, world).send(embeds=embeds)
    assert caught.value.code == 50035
    (violation,) = emu.violations
    assert [(e.path, e.code) for e in violation.errors] == [
        (("embeds",), "MAX_EMBED_SIZE_EXCEEDED")
    ]
    assert violation.source == "own"
    # One character less is fine.
    await _channel(bot, world).send(
        embeds=[discord.Embed(description="a" * 4096), discord.Embed(description="b" * 1904)]
    )
    assert len(emu.posts(world.general.id)) == 1


@WITH_AND_WITHOUT_SPEC
async def test_interaction_response_is_validated_too(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    result = await world.answer_to("bigembed")
    assert result.content == "could not send that"
    (error,) = bot.errors
    assert isinstance(error, discord.HTTPException) and error.code == 50035
    assert emu.violations[0].errors[0].path == ("data", "embeds", 0, "title")


@WITH_AND_WITHOUT_SPEC
async def test_own_checks_on_messages_and_commands(emu: DiscordEmulator) -> None:
    headers = {"Authorization": f"Bot {emu.token}"}
    guild = emu.add_guild("g")
    channel = emu.add_channel(guild.id, "c")
    bad_commands: list[dict[str, Any]] = [
        {"name": "Price", "description": "upper case", "type": 1},
        {"name": "nodesc", "type": 1},
        {
            "name": "many",
            "description": "d",
            "options": [{"type": 3, "name": f"o{i}", "description": "d"} for i in range(26)],
        },
        {
            "name": "choices",
            "description": "d",
            "options": [
                {
                    "type": 3,
                    "name": "c",
                    "description": "d",
                    "choices": [{"name": str(i), "value": str(i)} for i in range(26)],
                }
            ],
        },
    ]
    bad_message = {
        "content": "x" * 2001,
        "embeds": [{"fields": [{"name": "", "value": "v"}]}],
        "components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "no id"}]}],
    }
    async with aiohttp.ClientSession(headers=headers) as session:
        url = f"{emu.api_base}/applications/{emu.application_id}/commands"
        async with session.put(url, json=bad_commands) as response:
            errors = (await response.json())["errors"]
        async with session.post(
            f"{emu.api_base}/channels/{channel.id}/messages", json=bad_message
        ) as response:
            message_errors = (await response.json())["errors"]
    assert errors["0"]["name"]["_errors"][0]["code"] == "APPLICATION_COMMAND_INVALID_NAME"
    assert errors["1"]["description"]["_errors"][0]["code"] == "BASE_TYPE_REQUIRED"
    assert errors["2"]["options"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    assert errors["3"]["options"]["0"]["choices"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    assert message_errors["content"]["_errors"][0]["message"] == "Must be 2000 or fewer in length."
    assert (
        message_errors["embeds"]["0"]["fields"]["0"]["name"]["_errors"][0]["code"]
        == "BASE_TYPE_REQUIRED"
    )
    assert "custom_id" in message_errors["components"]["0"]["components"]["0"]
    assert emu.commands.in_scope(None) == []
    assert len(emu.violations) == 2


async def test_spec_can_be_switched_off_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINERWATCH_DISCORD_SPEC", "off")
    assert DiscordEmulator().spec is None
    monkeypatch.setenv("MINERWATCH_DISCORD_SPEC", "/nonexistent/openapi.json")
    assert DiscordEmulator().spec is None
    if SPEC_PATH is not None:
        monkeypatch.setenv("MINERWATCH_DISCORD_SPEC", str(SPEC_PATH))
        assert DiscordEmulator().spec is not None


async def test_validation_cost_is_measured(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    for _ in range(5):
        await world.answer_to("price", {"symbol": "CIFR"})
    stats = emu.validation_stats()
    assert stats["count"] >= 6
    assert stats["mean_ms"] < 10


_text = st.text(alphabet="ab ", min_size=1, max_size=1024)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.tuples(_text, _text), max_size=4), min_size=1, max_size=10))
def test_embed_total_rule_matches_discords_count(
    embeds_fields: list[list[tuple[str, str]]],
) -> None:
    embeds = [
        {"fields": [{"name": n[:256], "value": v} for n, v in fields]} for fields in embeds_fields
    ]
    total = sum(len(f["name"]) + len(f["value"]) for e in embeds for f in e["fields"])
    codes = {e.code for e in check_message({"embeds": embeds})}
    blank = any(
        not f["name"].strip() or not f["value"].strip() for e in embeds for f in e["fields"]
    )
    assert ("MAX_EMBED_SIZE_EXCEEDED" in codes) == (total > 6000)
    assert ("BASE_TYPE_REQUIRED" in codes) == blank


@WITH_AND_WITHOUT_SPEC
async def test_rich_discord_py_payloads_pass(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    """What discord.py rightly sends (int snowflakes, string bitfields, nulls) is not flagged."""
    channel = _channel(bot, world)
    embed = (
        discord.Embed(
            title="Deal",
            url="https://example.com/d",
            description="300 MW",
            colour=0x2ECC71,
            timestamp=discord.utils.utcnow(),
        )
        .set_author(name="Minerwatch", icon_url="https://example.com/a.png")
        .set_footer(text="source: filing", icon_url="https://example.com/f.png")
        .set_thumbnail(url="https://example.com/t.png")
        .add_field(name="Company", value="CIFR")
        .add_field(name="Partner", value="AWS", inline=False)
    )
    view = discord.ui.View()
    view.add_item(discord.ui.Button(label="Filing", url="https://example.com/filing"))
    view.add_item(discord.ui.Select(custom_id="s", options=[discord.SelectOption(label="a")]))
    first = await channel.send("first")
    member = await bot.fetch_user(world.member.id)
    reply = await channel.send(
        f"{member.mention} look",
        embed=embed,
        view=view,
        reference=first,
        allowed_mentions=discord.AllowedMentions(users=[member], roles=False, everyone=False),
        file=discord.File(io.BytesIO(b"a,b\n1,2\n"), "deal.csv"),
    )
    await reply.edit(content="edited", attachments=reply.attachments, embed=embed.copy())
    await channel.send(embed=discord.Embed(title="t"), silent=True, suppress_embeds=False)
    assert emu.violations == []
    stored = emu.message(reply.id)
    assert stored is not None and stored.attachments[0].data == b"a,b\n1,2\n"
    emu.assert_clean()


async def test_discord_py_urls_are_restored() -> None:
    before = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    async with DiscordEmulator() as emulator:
        with emulator.patch_discord_py():
            assert emulator.api_base == discord.http.Route.BASE
            assert emulator.gateway_url == discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    assert before == (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
