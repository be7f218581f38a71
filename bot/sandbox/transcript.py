"""Render what Discord would show as plain terminal text: messages, embeds, attachments."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from bot.sandbox.emulator import Attachment, Message

WIDTH = 78  # a terminal line, minus the box border


def render_embed(embed: dict[str, Any]) -> list[str]:
    """Draw one embed as a box: title, description, fields, footer."""
    lines: list[str] = []
    title = str(embed.get("title") or "")
    author = (embed.get("author") or {}).get("name")
    lines.append("╭─ " + " · ".join(part for part in (author, title) if part))
    if embed.get("description"):
        lines.extend(_boxed(str(embed["description"])))
    for field in embed.get("fields") or []:
        lines.append(f"│ ▸ {field.get('name', '')}")
        lines.extend(_boxed(str(field.get("value", "")), indent="│   "))
    if embed.get("image"):
        lines.append(f"│ [image: {embed['image'].get('url', '')}]")
    footer = (embed.get("footer") or {}).get("text")
    lines.append("╰─ " + (str(footer) if footer else ""))
    return lines


def render_message(message: Message, attachments_dir: Path | None = None) -> list[str]:
    """Draw a message's content, embeds and attachments (saved to ``attachments_dir``)."""
    lines: list[str] = []
    if message.content:
        lines.extend(textwrap.wrap(message.content, WIDTH, replace_whitespace=False) or [""])
    for embed in message.embeds:
        lines.extend(render_embed(embed))
    for attachment in message.attachments:
        lines.append(_attachment_line(attachment, attachments_dir))
    for row in message.components:
        labels = [
            str(c.get("label") or c.get("custom_id") or "") for c in row.get("components", [])
        ]
        if labels:
            lines.append("  ".join(f"[{label}]" for label in labels))
    return lines


def _attachment_line(attachment: Attachment, folder: Path | None) -> str:
    if folder is None:
        return f"📎 {attachment.filename} ({attachment.size:,} bytes)"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{attachment.id}-{Path(attachment.filename).name}"
    path.write_bytes(attachment.data)
    return f"📎 {attachment.filename} ({attachment.size:,} bytes) saved to {path}"


def _boxed(text: str, indent: str = "│ ") -> list[str]:
    out: list[str] = []
    for paragraph in text.splitlines() or [""]:
        out.extend(
            indent + line for line in (textwrap.wrap(paragraph, WIDTH - len(indent)) or [""])
        )
    return out
