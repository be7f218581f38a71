"""Localised command names and descriptions: the emulator refuses what Discord would."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from discord_emulator import DiscordEmulator

from .spec_source import spec_path

SPEC_PATH = spec_path()
WITH_AND_WITHOUT_SPEC = pytest.mark.parametrize(
    "emu",
    [
        *([pytest.param({"spec_path": SPEC_PATH}, id="spec")] if SPEC_PATH else []),
        pytest.param({"use_spec": False}, id="own-checks-only"),
    ],
    indirect=True,
)


async def _put(emu: DiscordEmulator, commands: list[dict[str, Any]]) -> tuple[int, Any]:
    headers = {"Authorization": f"Bot {emu.token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        url = f"{emu.api_base}/applications/{emu.application_id}/commands"
        async with session.put(url, json=commands) as response:
            return response.status, await response.json()


def _command(**localised: Any) -> dict[str, Any]:
    return {"name": "price", "description": "Quote card", "type": 1, **localised}


@WITH_AND_WITHOUT_SPEC
async def test_french_names_and_descriptions_are_accepted(emu: DiscordEmulator) -> None:
    command = _command(
        name_localizations={"fr": "cours"},
        description_localizations={"fr": "Fiche de cotation"},
        options=[
            {
                "type": 3,
                "name": "sort",
                "description": "Order",
                "name_localizations": {"fr": "tri"},
                "description_localizations": {"fr": "Ordre des lignes"},
                "choices": [
                    {"name": "market cap", "value": "m", "name_localizations": {"fr": "capi"}}
                ],
            }
        ],
    )
    status, stored = await _put(emu, [command])
    assert status == 200
    assert stored[0]["name_localizations"] == {"fr": "cours"}


@WITH_AND_WITHOUT_SPEC
@pytest.mark.parametrize(
    ("localised", "where", "code"),
    [
        (
            {"name_localizations": {"fr": "Cours"}},
            "name_localizations",
            "APPLICATION_COMMAND_INVALID_NAME",
        ),
        (
            {"name_localizations": {"fr": "deux mots"}},
            "name_localizations",
            "APPLICATION_COMMAND_INVALID_NAME",
        ),
        ({"name_localizations": {"fr": "c" * 33}}, "name_localizations", None),
        ({"description_localizations": {"fr": "d" * 101}}, "description_localizations", None),
        ({"name_localizations": {"french": "cours"}}, "name_localizations", "LOCALE_INVALID"),
    ],
)
async def test_bad_localisations_are_refused(
    emu: DiscordEmulator, localised: dict[str, Any], where: str, code: str | None
) -> None:
    status, body = await _put(emu, [_command(**localised)])
    assert status == 400
    assert where in body["errors"]["0"]
    if code is not None:
        codes = [e["code"] for e in _all_errors(body["errors"]["0"][where])]
        assert code in codes
    assert emu.commands.in_scope(None) == []


@WITH_AND_WITHOUT_SPEC
async def test_a_choice_label_over_100_characters_in_french_is_refused(
    emu: DiscordEmulator,
) -> None:
    option = {
        "type": 3,
        "name": "sort",
        "description": "Order",
        "choices": [{"name": "m", "value": "m", "name_localizations": {"fr": "x" * 101}}],
    }
    status, body = await _put(emu, [_command(options=[option])])
    assert status == 400
    assert "name_localizations" in body["errors"]["0"]["options"]["0"]["choices"]["0"]


def _all_errors(tree: Any) -> list[dict[str, Any]]:
    """Flatten Discord's error tree below one field."""
    found: list[dict[str, Any]] = []
    if isinstance(tree, dict):
        found.extend(tree.get("_errors", []))
        for key, child in tree.items():
            if key != "_errors":
                found.extend(_all_errors(child))
    return found
