"""Snapshot files: what a member reads, kept as text beside the tests and compared exactly.

A snapshot is reviewed once, by a reader of its language; a change to it shows in the diff.
Set MINERWATCH_UPDATE_SNAPSHOTS=1 to write the current output after an intended change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).with_name("snapshots")
UPDATE = os.environ.get("MINERWATCH_UPDATE_SNAPSHOTS") == "1"


def embed_text(embed: dict[str, Any]) -> str:
    """Lay an embed out as a member reads it: title, text, fields, footer."""
    lines = [f"# {embed.get('title', '')}"]
    if embed.get("description"):
        lines += ["", str(embed["description"])]
    for field in embed.get("fields") or []:
        lines += ["", f"▸ {field['name']}", str(field["value"])]
    if embed.get("footer"):
        lines += ["", f"— {embed['footer']['text']}"]
    return "\n".join(lines) + "\n"


def message_text(content: str | None, embeds: list[dict[str, Any]]) -> str:
    """Lay a message out: its content, then each embed."""
    parts = [content or ""]
    parts += [embed_text(embed) for embed in embeds]
    return "\n".join(parts)


def assert_snapshot(name: str, text: str) -> None:
    """Compare ``text`` with the stored snapshot ``name`` (written when updating)."""
    path = FOLDER / f"{name}.txt"
    if UPDATE:
        FOLDER.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with MINERWATCH_UPDATE_SNAPSHOTS=1"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, json.dumps({"expected": expected, "got": text}, ensure_ascii=False)
