"""Structure: every cog loads, command names are unique, descriptions fit Discord's limits."""

from __future__ import annotations

import re
from collections.abc import Iterator

from discord import app_commands

from bot.app import Minerwatch, discover_cogs

# Discord's rules for application commands (names: lowercase letters, digits, - and _).
NAME = re.compile(r"^[-_a-z0-9]{1,32}$")


def _walk(
    commands: list[app_commands.Command | app_commands.Group],
) -> Iterator[app_commands.Command | app_commands.Group]:  # type: ignore[type-arg]
    for command in commands:
        yield command
        if isinstance(command, app_commands.Group):
            yield from _walk(command.commands)


def test_cogs_are_discovered() -> None:
    assert "cogs.help" in discover_cogs()


async def test_every_cog_adds_commands(loaded_bot: Minerwatch) -> None:
    assert set(loaded_bot.cogs) and all(cog.get_app_commands() for cog in loaded_bot.cogs.values())


async def test_top_level_names_are_unique(loaded_bot: Minerwatch) -> None:
    names = [command.name for command in loaded_bot.tree.get_commands()]
    assert len(names) == len(set(names)) > 0


async def test_names_and_descriptions_fit_discord_limits(loaded_bot: Minerwatch) -> None:
    for command in _walk(loaded_bot.tree.get_commands()):  # type: ignore[arg-type]
        assert NAME.match(command.name), command.name
        assert 1 <= len(command.description) <= 100, command.qualified_name
        if isinstance(command, app_commands.Command):
            assert len(command.parameters) <= 25
            for parameter in command.parameters:
                assert NAME.match(parameter.name), (command.qualified_name, parameter.name)
                assert 1 <= len(parameter.description) <= 100, (
                    command.qualified_name,
                    parameter.name,
                )
                assert parameter.description != "…", (command.qualified_name, parameter.name)
                assert len(parameter.choices) <= 25


async def test_payload_is_what_discord_accepts(loaded_bot: Minerwatch) -> None:
    """The synced JSON has the shape Discord requires for each command."""
    for command in loaded_bot.tree.get_commands():
        payload = command.to_dict(loaded_bot.tree)
        assert payload["name"] == command.name and payload["description"]
        assert payload.get("type", 1) == 1
