"""The console drives the real bot: typed values, buttons and select menus go through Discord."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest

from bot.sandbox.console import Console
from bot.sandbox.session import SandboxSession
from tests.sandbox.scripts import demo_settings

COMPONENT = 3


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    session = await SandboxSession.start(demo_settings(tmp_path))
    try:
        yield Console(session, out=io.StringIO(), attachments_dir=tmp_path / "files")
    finally:
        problems = session.emu.problems()
        await session.stop()
        discord.http.Route.BASE = "https://discord.com/api/v10"
        assert not problems, problems


def _output(console: Console) -> str:
    assert isinstance(console.out, io.StringIO)
    return console.out.getvalue()


async def test_a_multi_word_name_reaches_the_bot_as_one_value(console: Console) -> None:
    await console.handle("/price core scientific")
    sent = list(console.session.emu.interactions.values())[-1].payload["data"]["options"]
    assert sent == [{"type": 3, "name": "symbol", "value": "core scientific"}]


async def test_next_sends_a_component_interaction_and_shows_the_new_page(
    console: Console,
) -> None:
    await console.handle("/deals list")
    await console.handle("/next")
    last = list(console.session.emu.interactions.values())[-1]
    assert last.type == COMPONENT and last.payload["data"]["component_type"] == 2
    assert "(the message was updated)" in _output(console)
    assert " · page 2/" in _output(console)
    assert console.failures == 0


async def test_a_select_menu_option_can_be_chosen(console: Console) -> None:
    chosen: list[str] = []

    class Pick(discord.ui.View):
        @discord.ui.select(
            placeholder="Pick a period",
            options=[discord.SelectOption(label=p, value=p.lower()) for p in ("1 Month", "1 Year")],
        )
        async def pick(
            self, interaction: discord.Interaction, select: discord.ui.Select[Pick]
        ) -> None:
            chosen.extend(select.values)
            await interaction.response.send_message(f"period set to {select.values[0]}")

    world = console.session.world
    channel = console.session.bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("Choose:", view=Pick())
    await console.session.emu.wait_for_posts(world.general.id)
    assert "▾ Pick a period: 1 Month | 1 Year" in _output(console)

    await console.handle("/select 1 Year")
    assert chosen == ["1 year"]
    assert "period set to 1 year" in _output(console)
    await console.handle("/select 5 Years")
    assert "! the menu has no option '5 Years' (options: 1 Month, 1 Year)" in _output(console)
