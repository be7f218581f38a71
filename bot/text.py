"""User-supplied text made safe to show (no pings, no markdown tricks) and measured as shown.

Below both the ledger and rendering: validators measure text the way renderers will show it
without importing any renderer.
"""

from __future__ import annotations

import re

import discord

# Zero-width and bidirectional controls can hide or reorder text; shown text drops them.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def visible_text(text: str) -> str:
    """Return ``text`` without the zero-width and bidirectional controls shown text drops."""
    return _INVISIBLE.sub("", text)


def neutralise(text: str, *, limit: int | None = None) -> str:
    """Return ``text`` with mentions and markdown escaped, invisible controls removed."""
    cleaned = _INVISIBLE.sub("", text)
    cleaned = discord.utils.escape_mentions(cleaned)
    cleaned = discord.utils.escape_markdown(cleaned, as_needed=False)
    # escape_mentions() leaves role (<@&1>), channel (<#1>), command (</x:1>), emoji and
    # timestamp (<t:1>) syntax intact; escaping "<" makes every one of them plain text.
    cleaned = cleaned.replace("<", "\\<")
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: max(limit - 1, 0)].rstrip("\\") + "…"
    return cleaned
