"""Components, modals, uploads, the 3-second window, double acknowledgements and webhook errors."""

from __future__ import annotations

import io

import aiohttp
import discord
import pytest
from PIL import Image

from discord_emulator import DiscordEmulator, EmulatorUsageError, InteractionResult

from .conftest import World
from .minibot import PNG, MiniBot


@pytest.fixture
async def asked(world: World, bot: MiniBot) -> InteractionResult:
    """The member ran /confirm: the answer offers two buttons and a select menu."""
    return await world.answer_to("confirm")


async def test_button_click_by_invoker_updates_message(
    emu: DiscordEmulator, world: World, bot: MiniBot, asked: InteractionResult
) -> None:
    message = asked.original
    assert message is not None and message.custom_ids() == ["confirm", "later", "pick"]
    click = await emu.click(message, "confirm", user_id=world.member.id)
    await click.wait_done()
    assert click.initial is not None and click.initial.type == 7
    assert click.payload["message"]["id"] == str(message.id)
    updated = emu.message(message.id)
    assert (
        updated is not None and updated.content == "confirmed by alice" and updated.components == []
    )
    assert bot.errors == []
    emu.assert_clean()


async def test_deferred_update_then_original_edit(
    emu: DiscordEmulator, world: World, asked: InteractionResult
) -> None:
    assert asked.original is not None
    # Anyone in the channel can click a public message's buttons.
    click = await (await emu.click(asked.original, "later", user_id=world.manager.id)).wait_done()
    assert click.initial is not None and click.initial.type == 6
    assert click.original_id == asked.original.id and click.edits == 1
    assert asked.original.content == "updated later"
    emu.assert_clean()


async def test_select_menu(emu: DiscordEmulator, world: World, asked: InteractionResult) -> None:
    assert asked.original is not None
    chosen = await (
        await emu.select(asked.original, "pick", ["IREN"], user_id=world.member.id)
    ).wait_done()
    assert chosen.content == "picked IREN" and chosen.ephemeral
    try:
        await emu.select(asked.original, "pick", ["NOPE"], user_id=world.member.id)
    except EmulatorUsageError as error:
        assert "does not offer" in str(error)
    else:
        raise AssertionError("a value the menu does not offer must be refused")
    emu.assert_clean()


async def test_clicks_are_checked_like_the_client(
    emu: DiscordEmulator, world: World, asked: InteractionResult
) -> None:
    assert asked.original is not None
    try:
        await emu.click(asked.original, "nope", user_id=world.member.id)
    except EmulatorUsageError as error:
        assert "confirm" in str(error)
    else:
        raise AssertionError("clicking a missing button must raise")


async def test_modal_submit(emu: DiscordEmulator, world: World, bot: MiniBot) -> None:
    shown = await world.answer_to("feedback")
    assert shown.modal is not None and shown.modal["title"] == "Feedback"
    submitted = await (await emu.submit_modal(shown, {"comment": "more miners"})).wait_done()
    assert submitted.content == "thanks: more miners" and submitted.ephemeral
    emu.assert_clean()


async def test_multipart_upload_is_kept(emu: DiscordEmulator, world: World, bot: MiniBot) -> None:
    result = await world.answer_to("chart")
    message = result.original
    assert message is not None
    (attachment,) = message.attachments
    assert attachment.filename == "chart.png" and attachment.data == PNG
    assert Image.open(io.BytesIO(attachment.data)).size == (1, 1)
    # attachment://chart.png in the embed points at the uploaded file, as on Discord.
    assert message.embeds[0]["image"]["url"] == attachment.url
    async with aiohttp.ClientSession() as session, session.get(attachment.url) as response:
        assert response.status == 200 and await response.read() == PNG
    (callback,) = emu.recorder.matching(
        "POST /interactions/{interaction_id}/{interaction_token}/callback"
    )
    assert callback.files[0].filename == "chart.png" and callback.body["type"] == 4
    emu.assert_clean()


async def test_late_first_response_is_unknown_interaction(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    emu.interaction_window = 0.1
    bot.late_by = 0.2
    result = await world.member_runs("ping")
    await result.wait_for(lambda r: r.rejected)
    assert result.failed and [e.code for e in result.rejected] == [10062]
    assert emu.unanswered() == [result]
    assert any("unanswered interaction" in p for p in emu.problems())
    assert isinstance(bot.errors[0], discord.app_commands.CommandInvokeError)
    assert (
        isinstance(bot.errors[0].original, discord.NotFound)
        and bot.errors[0].original.code == 10062
    )


async def test_double_acknowledgement_is_refused(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    result = await world.answer_to("twice")
    await result.wait_for(lambda r: r.followups)
    assert result.content == "one" and result.followups[0].content == "1 failed"
    assert [e.code for e in result.rejected] == [40060]
    (error,) = bot.errors
    assert isinstance(error, discord.HTTPException) and error.status == 400 and error.code == 40060
    emu.assert_clean()


async def test_webhook_routes_need_an_acknowledged_live_token(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    result = await world.answer_to("ping")
    base = f"{emu.api_base}/webhooks/{emu.application_id}"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/{result.token}/messages/@original") as response:
            assert response.status == 200
            assert (await response.json())["content"] == "pong"
        async with session.post(f"{base}/not-a-token?wait=true", json={"content": "x"}) as response:
            assert response.status == 404 and (await response.json())["code"] == 10015
        result.token_ttl = 0
        async with session.patch(
            f"{base}/{result.token}/messages/@original", json={"content": "x"}
        ) as response:
            assert response.status == 401 and (await response.json())["code"] == 50027
