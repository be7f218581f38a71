"""Checks that need Discord's OpenAPI spec itself (see spec_source for where it comes from)."""

from __future__ import annotations

import pytest

from discord_emulator.checks import LOCALES, check_message
from discord_emulator.spec import Spec

from .spec_source import HOW_TO_ENABLE, spec_path

SPEC_PATH = spec_path()
if SPEC_PATH is None:
    pytest.skip(HOW_TO_ENABLE, allow_module_level=True)
assert SPEC_PATH is not None


def test_spec_accepts_a_message_with_every_part_the_bot_sends() -> None:
    spec = Spec.load(SPEC_PATH)
    body = {
        "content": "CIFR signed 300 MW",
        "embeds": [
            {
                "title": "Deal",
                "description": "d" * 500,
                "color": 0x2ECC71,
                "timestamp": "2026-01-01T00:00:00+00:00",
                "fields": [{"name": f"f{i}", "value": "v", "inline": True} for i in range(10)],
                "footer": {"text": "Minerwatch"},
            }
        ],
        "components": [
            {
                "type": 1,
                "components": [{"type": 2, "style": 1, "custom_id": "more", "label": "More"}],
            }
        ],
        "allowed_mentions": {"parse": [], "users": [123]},
        "nonce": "1234567890",
        "enforce_nonce": True,
        "tts": False,
    }
    assert spec.validate("POST", "/channels/{channel_id}/messages", body) == []


def test_spec_catches_what_own_checks_do_not() -> None:
    spec = Spec.load(SPEC_PATH)
    body = {
        "embeds": [{"title": "t", "url": "not a url"}],
        "allowed_mentions": {"parse": ["nobody"]},
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 3, "custom_id": "s", "options": [{"label": "x" * 101, "value": "v"}]}
                ],
            }
        ],
    }
    found = {
        (e.path, e.code) for e in spec.validate("POST", "/channels/{channel_id}/messages", body)
    }
    assert (("embeds", 0, "url"), "URL_TYPE_INVALID_URL") in found
    assert (("allowed_mentions", "parse", 0), "BASE_TYPE_CHOICES") in found
    assert (
        ("components", 0, "components", 0, "options", 0, "label"),
        "BASE_TYPE_MAX_LENGTH",
    ) in found
    assert check_message(body) == []


def test_the_emulators_locales_are_the_specs() -> None:
    """Localisations may only use the client languages Discord lists."""
    locales = Spec.load(SPEC_PATH).document["components"]["schemas"]["AvailableLocalesEnum"]
    listed = locales.get("enum") or [choice["const"] for choice in locales["oneOf"]]
    assert set(listed) == LOCALES
