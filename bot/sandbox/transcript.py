"""Render what Discord would show as plain terminal text: messages, embeds, attachments."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from bot.sandbox.markup import Names, render_markup, restore_spaces
from discord_emulator import Attachment, Message
from discord_emulator.state import iter_components

WIDTH = 78  # a terminal line, minus the box border
BUTTON, LINK_STYLE = 2, 5
SELECTS = (3, 5, 6, 7, 8)


@dataclass
class Transcript:
    """Draw messages as a member sees them; markup is rendered where the client renders it."""

    names: Names | None = None
    attachments_dir: Path | None = None
    zone: tzinfo | None = None  # None: the machine's local time zone
    clock: Any = field(default=None)  # a callable returning "now" for relative times
    locale: str = "en-US"  # the Discord client's language, which draws the timestamps

    def message(self, message: Message) -> list[str]:
        """Draw a message's content, embeds, attachments and components."""
        lines: list[str] = []
        if message.content:
            lines.extend(self._wrap(self._markup(message.content), WIDTH))
        for embed in message.embeds:
            lines.extend(self.embed(embed))
        for attachment in message.attachments:
            lines.append(_attachment_line(attachment, self.attachments_dir))
        lines.extend(component_lines(message.components))
        return lines

    def embed(self, embed: dict[str, Any]) -> list[str]:
        """Draw one embed as a box: title, description, fields, footer.

        The client renders mentions and timestamps in the description and field values only;
        titles, field names, author and footer show them as typed.
        """
        lines: list[str] = []
        title = str(embed.get("title") or "")
        author = (embed.get("author") or {}).get("name")
        lines.append("╭─ " + " · ".join(part for part in (author, title) if part))
        if embed.get("description"):
            lines.extend(self._boxed(self._markup(str(embed["description"]))))
        for item in embed.get("fields") or []:
            lines.append(f"│ ▸ {item.get('name', '')}")
            lines.extend(self._boxed(self._markup(str(item.get("value", ""))), indent="│   "))
        if embed.get("image"):
            lines.append(f"│ [image: {embed['image'].get('url', '')}]")
        footer = (embed.get("footer") or {}).get("text")
        lines.append("╰─ " + (str(footer) if footer else ""))
        return lines

    def _markup(self, text: str) -> str:
        if self.names is None:
            return text
        now: datetime | None = self.clock() if self.clock is not None else None
        return render_markup(
            text, self.names, zone=self.zone, now=now, keep_together=True, locale=self.locale
        )

    def _boxed(self, text: str, indent: str = "│ ") -> list[str]:
        out: list[str] = []
        for paragraph in text.splitlines() or [""]:
            out.extend(indent + line for line in self._wrap(paragraph, WIDTH - len(indent)))
        return out

    @staticmethod
    def _wrap(text: str, width: int) -> list[str]:
        """Wrap at spaces only: a link, a date or a #channel is never cut in two."""
        lines: list[str] = []
        for paragraph in text.split("\n"):
            wrapped = textwrap.wrap(
                paragraph, width, break_long_words=False, break_on_hyphens=False
            )
            lines.extend(restore_spaces(line) for line in wrapped or [""])
        return lines


def render_message(message: Message, attachments_dir: Path | None = None) -> list[str]:
    """Draw a message without resolving names (markup stays as typed)."""
    return Transcript(attachments_dir=attachments_dir).message(message)


def render_embed(embed: dict[str, Any]) -> list[str]:
    """Draw one embed without resolving names."""
    return Transcript().embed(embed)


def component_lines(rows: list[dict[str, Any]]) -> list[str]:
    """Draw buttons as [label] (greyed ones marked) and select menus with their options."""
    lines: list[str] = []
    for row in rows:
        buttons: list[str] = []
        for component in row.get("components", []):
            kind = component.get("type")
            if kind == BUTTON:
                buttons.append(_button(component))
            elif kind in SELECTS:
                lines.append(_select(component))
        if buttons:
            lines.append("  ".join(buttons))
    hint = press_hint(rows)
    if hint:
        lines.append(hint)
    return lines


def button_label(component: dict[str, Any]) -> str:
    """Return what a button shows: its label, else its emoji."""
    emoji = component.get("emoji") or {}
    return str(component.get("label") or emoji.get("name") or "")


def press_hint(rows: list[dict[str, Any]]) -> str:
    """Tell the console user how to use the controls of a message (empty if none)."""
    components = list(iter_components(rows))
    pressable = [
        c
        for c in components
        if c.get("type") == BUTTON and c.get("style") != LINK_STYLE and not c.get("disabled")
    ]
    parts = []
    if pressable:
        parts.append(f"/press {button_label(pressable[0]) or '1'}")
        if any(button_label(c) in NEXT_LABELS for c in pressable):
            parts.append("/next")
        if any(button_label(c) in PREVIOUS_LABELS for c in pressable):
            parts.append("/prev")
    if any(c.get("type") in SELECTS and not c.get("disabled") for c in components):
        parts.append("/select OPTION")
    return f"  ({', '.join(parts)})" if parts else ""


NEXT_LABELS = ("▶", "▶️", "→", "›", "»", "Next", "next")
PREVIOUS_LABELS = ("◀", "◀️", "←", "‹", "«", "Previous", "previous", "Prev", "prev")


def _button(component: dict[str, Any]) -> str:
    label = button_label(component) or "?"
    if component.get("style") == LINK_STYLE:
        return f"[{label} ↗ {component.get('url', '')}]"
    return f"[{label} · disabled]" if component.get("disabled") else f"[{label}]"


def _select(component: dict[str, Any]) -> str:
    options = component.get("options") or []
    chosen = " | ".join(str(o.get("label", "")) for o in options) or "pick from the list"
    placeholder = component.get("placeholder") or "choose"
    state = " · disabled" if component.get("disabled") else ""
    return f"▾ {placeholder}{state}: {chosen}"


def _attachment_line(attachment: Attachment, folder: Path | None) -> str:
    if folder is None:
        return f"📎 {attachment.filename} ({attachment.size:,} bytes)"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{attachment.id}-{Path(attachment.filename).name}"
    path.write_bytes(attachment.data)
    return f"📎 {attachment.filename} ({attachment.size:,} bytes) saved to {path}"
