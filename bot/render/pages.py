"""Split titled lists of embed fields into pages that each fit Discord's embed limits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from bot.i18n import N_, _
from bot.limits import (
    EMBED_DESCRIPTION,
    EMBED_FIELD_NAME,
    EMBED_FIELD_VALUE,
    EMBED_FIELDS,
    EMBED_TITLE,
    EMBED_TOTAL,
)

# The footer is ours and short; keeping it far below Discord's 2,048 leaves room for fields.
FOOTER_BUDGET: Final = 300
PAGE_MARK: Final = N_(" · page {page}/{pages}")
# "· page 999/999" at most (as long in French): the count is known once pages are packed.
PAGE_MARK_RESERVE: Final = len(" · page 999/999")
ELLIPSIS: Final = "…"


def clip(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters with an ellipsis, never ending on a backslash."""
    if len(text) <= limit:
        return text
    # A trailing backslash would escape the ellipsis and could unbalance the markdown shown.
    return text[: max(limit - 1, 0)].rstrip("\\") + ELLIPSIS


@dataclass(frozen=True, slots=True)
class Field:
    """One embed field; its name and value are clipped to Discord's limits when packed."""

    name: str
    value: str
    inline: bool = False

    def clipped(self) -> Field:
        """Return the field within Discord's per-field limits (blank texts replaced)."""
        return Field(
            clip(self.name.strip() or "\u200b", EMBED_FIELD_NAME),
            clip(self.value.strip() or "\u200b", EMBED_FIELD_VALUE),
            self.inline,
        )

    @property
    def size(self) -> int:
        """Return how many characters the field adds to the embed total."""
        return len(self.name) + len(self.value)


@dataclass(frozen=True, slots=True)
class PageFrame:
    """What every page shows around its fields; ``description`` is on the first page only."""

    title: str
    colour: int
    description: str = ""
    continued: str = ""  # the description of the following pages
    footer: str = ""

    def base_size(self, *, first: bool) -> int:
        """Return the characters the frame uses on a page, page mark included."""
        text = self.description if first else self.continued
        return (
            len(clip(self.title, EMBED_TITLE))
            + len(clip(text, EMBED_DESCRIPTION))
            + len(clip(self.footer, FOOTER_BUDGET))
            + PAGE_MARK_RESERVE
        )


def paginate(
    frame: PageFrame, fields: Sequence[Field], *, per_page: int = EMBED_FIELDS
) -> list[dict[str, Any]]:
    """Pack ``fields`` in order into as few embed dicts as fit, at most ``per_page`` each."""
    per_page = max(1, min(per_page, EMBED_FIELDS))
    groups: list[list[Field]] = []
    current: list[Field] = []
    size = frame.base_size(first=True)
    for field in (f.clipped() for f in fields):
        # A lone field always fits: the largest frame plus the largest field is under 6,000.
        if current and (len(current) >= per_page or size + field.size > EMBED_TOTAL):
            groups.append(current)
            current = []
            size = frame.base_size(first=False)
        current.append(field)
        size += field.size
    groups.append(current)
    pages = len(groups)
    return [_embed(frame, group, index, pages) for index, group in enumerate(groups)]


def _embed(frame: PageFrame, fields: list[Field], index: int, pages: int) -> dict[str, Any]:
    footer = clip(frame.footer, FOOTER_BUDGET)
    if pages > 1:
        footer += _(PAGE_MARK, page=index + 1, pages=pages)
    embed: dict[str, Any] = {"title": clip(frame.title, EMBED_TITLE), "color": frame.colour}
    description = clip(frame.description if index == 0 else frame.continued, EMBED_DESCRIPTION)
    if description.strip():
        embed["description"] = description
    if fields:
        embed["fields"] = [{"name": f.name, "value": f.value, "inline": f.inline} for f in fields]
    if footer.strip(" ·"):
        embed["footer"] = {"text": footer.lstrip(" ·")}
    return embed


def split_text(text: str, limit: int = EMBED_FIELD_VALUE) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters, at spaces where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit + 1)
        if cut < limit // 2:  # one very long word: cut it rather than make tiny pieces
            cut = limit
        while cut > 1 and text[cut - 1] == "\\":
            cut -= 1  # keep an escape with the character it escapes
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*pieces, text] if text else pieces


def chunk_lines(lines: Sequence[str], limit: int = EMBED_FIELD_VALUE) -> list[str]:
    """Join lines into as few blocks of at most ``limit`` characters as they fit in."""
    blocks: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            blocks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(current)
    return blocks
