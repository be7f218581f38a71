"""User text shown by the bot: no pings, no markdown tricks, no hidden characters."""

from __future__ import annotations

import re

import pytest

from bot.text import neutralise


@pytest.mark.parametrize(
    ("raw", "must_not_contain"),
    [
        ("@everyone look", "@everyone"),
        ("@here now", "@here"),
        ("<@123456789012345678> hi", "<@1"),
        ("<@&123456789012345678> role ping", "<@&"),
        ("<#123456789012345678>", "<#"),
        ("</deals add:123>", "</"),
        ("<t:1795651200:R>", "<t:"),
        ("**bold** and __under__", "**"),
        ("[click](https://evil.example)", "[click]("),
        ("```code fence```", "```"),
        ("a\u200bb\u202ec", "\u202e"),
    ],
)
def test_neutralise_defuses(raw: str, must_not_contain: str) -> None:
    """The dangerous sequence survives only escaped (right after a backslash), if at all."""
    live = re.compile(r"(?<!\\)" + re.escape(must_not_contain))
    assert live.search(neutralise(raw)) is None, neutralise(raw)


def test_neutralise_keeps_the_words_and_limits_length() -> None:
    assert "everyone" in neutralise("@everyone")
    shown = neutralise("x" * 500, limit=100)
    assert len(shown) <= 100 and shown.endswith("…")
