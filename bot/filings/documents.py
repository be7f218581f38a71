"""A filing's readable text: HTML to text (stdlib), and which documents hold the announcement.

The primary document of an 8-K is mostly cover page; the press release is exhibit 99.x.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any, Final

# Enough for the announcement; a 10-K would be megabytes and is never read.
MAX_TEXT: Final = 200_000
_EXHIBIT_99: Final = re.compile(r"ex[-_]?99", re.IGNORECASE)
_SKIPPED: Final = frozenset({"script", "style", "head", "title"})
_BLOCKS: Final = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table"})


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0
        self.size = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and self.size < MAX_TEXT:
            self.parts.append(data)
            self.size += len(data)


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML document, whitespace collapsed per line."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)[:MAX_TEXT]


def exhibit_99_names(listing: Any, limit: int = 1) -> list[str]:
    """Return the exhibit 99 documents named in a folder's ``index.json`` (the first ``limit``)."""
    items = listing.get("directory", {}).get("item", []) if isinstance(listing, dict) else []
    names = [
        str(item.get("name"))
        for item in items
        if isinstance(item, dict)
        and _EXHIBIT_99.search(str(item.get("name", "")))
        and str(item.get("name", "")).lower().endswith((".htm", ".html", ".txt"))
    ]
    return sorted(names)[:limit]
