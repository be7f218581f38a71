"""No words for members written straight into the renderers and cogs: all go through _()."""

from __future__ import annotations

from pathlib import Path

import pytest

from .catalogue_use import ROOT
from .literals import untranslated

# Where member-facing text is written: every renderer and cog, and the shared helpers.
CHECKED = ("bot/render", "cogs")
ALSO_CHECKED = (
    "bot/format.py",
    "bot/tree.py",
    "bot/errors.py",
    "bot/prices/service.py",
    "bot/symbols.py",
    "bot/alerts/validation.py",
)


def modules() -> list[str]:
    found = [
        str(path.relative_to(ROOT))
        for folder in CHECKED
        for path in sorted((ROOT / folder).rglob("*.py"))
    ]
    return [*found, *ALSO_CHECKED]


@pytest.mark.parametrize("module", modules())
def test_translated_modules_write_no_words_outside_the_catalogues(module: str) -> None:
    assert list(untranslated(ROOT / module)) == []


def test_the_scan_sees_words_in_an_embed_and_a_reply(tmp_path: Path) -> None:
    """The scan flags prose in an embed or a reply, and leaves catalogue calls alone."""
    module = tmp_path / "sample.py"
    module.write_text(
        "from bot.i18n import _\n"
        "def card(price):\n"
        '    """A docstring is not a reply."""\n'
        '    log.info("prices polled for %s", price)\n'
        '    embed = {"title": "Miners board", "description": _("Day range")}\n'
        '    send_message(f"Stale since {price}")\n'
        '    return {"footer": {"text": _("Page {n}", n=1)}, "color": "UP"}\n',
        encoding="utf-8",
    )
    assert [text for _, text in untranslated(module)] == ["Miners board", "Stale since …"]
