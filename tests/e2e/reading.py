"""Reading replies: the text of their embeds, as a member reads it."""

from __future__ import annotations

from typing import Any

from discord_emulator import InteractionResult


def embed_text(embed: dict[str, Any]) -> str:
    """An embed's title, description and fields, one part a line."""
    parts = [str(embed.get("title", "")), str(embed.get("description", ""))]
    for field in embed.get("fields") or []:
        parts += [field["name"], field["value"]]
    return "\n".join(parts)


def embeds_text(result: InteractionResult) -> str:
    """Every embed of a reply, read in order."""
    return "\n".join(embed_text(embed) for embed in result.embeds)
