"""Slash commands in French: every description and choice, names where they read naturally."""

from __future__ import annotations

from typing import Any

from bot.app import Minerwatch
from bot.i18n.commands import CatalogueTranslator
from discord_emulator.checks import check_commands

from .catalogue_use import command_texts
from .test_catalogues import keys


async def _payloads(bot: Minerwatch) -> list[dict[str, Any]]:
    await bot.tree.set_translator(CatalogueTranslator())
    translator = bot.tree.translator
    assert translator is not None
    return [
        await command.get_translated_payload(bot.tree, translator)
        for command in bot.tree.get_commands()
    ]


async def test_every_command_text_has_a_french_entry(loaded_bot: Minerwatch) -> None:
    french = {msgid for context, msgid in keys("fr") if context is None}
    texts = command_texts(loaded_bot.tree.get_commands())  # type: ignore[arg-type]
    assert texts - french == set()


async def test_french_payloads_are_what_discord_accepts(loaded_bot: Minerwatch) -> None:
    """Names keep Discord's rule (lowercase, no spaces, 32), descriptions and labels fit 100."""
    payloads = await _payloads(loaded_bot)
    assert check_commands(payloads) == []


async def test_every_command_and_option_is_described_in_french(loaded_bot: Minerwatch) -> None:
    undescribed = []

    def visit(item: dict[str, Any], path: str) -> None:
        if "fr" not in (item.get("description_localizations") or {}):
            undescribed.append(path)
        for option in item.get("options") or []:
            visit(option, f"{path} {option['name']}")

    for payload in await _payloads(loaded_bot):
        visit(payload, payload["name"])
    assert undescribed == []


async def test_french_names_where_they_read_naturally(loaded_bot: Minerwatch) -> None:
    payloads = {p["name"]: p for p in await _payloads(loaded_bot)}
    assert payloads["price"]["name_localizations"] == {"fr": "cours"}
    assert payloads["board"]["name_localizations"] == {"fr": "tableau"}
    board_options = {o["name"]: o for o in payloads["board"]["options"]}
    assert board_options["sort"]["name_localizations"] == {"fr": "tri"}
    labels = {c["name"]: c.get("name_localizations") for c in board_options["sort"]["choices"]}
    assert labels["market cap"] == {"fr": "capitalisation"}


async def test_the_french_command_names_are_unique_where_they_meet(
    loaded_bot: Minerwatch,
) -> None:
    """Two commands (or two options of one command) must not share a French name."""
    siblings: list[list[str]] = []
    payloads = await _payloads(loaded_bot)
    siblings.append([_french_name(p) for p in payloads])

    def visit(item: dict[str, Any]) -> None:
        options = item.get("options") or []
        if options:
            siblings.append([_french_name(o) for o in options])
        for option in options:
            visit(option)

    for payload in payloads:
        visit(payload)
    assert [names for names in siblings if len(names) != len(set(names))] == []


def _french_name(item: dict[str, Any]) -> str:
    return str((item.get("name_localizations") or {}).get("fr", item["name"]))
