"""No words for members written straight into the renderers and cogs: all go through _()."""

from __future__ import annotations

import ast
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


def literal_problems(path: Path) -> list[int]:
    """Return the lines where an InvalidInput is raised with a problem written in place (a
    string or f-string rather than a catalogue call): members would read it in English."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "InvalidInput":
            lines += _written_in_place(node.args)
    return lines


def _written_in_place(nodes: list[ast.expr]) -> list[int]:
    """Lines of the strings among ``nodes`` that no catalogue call (``_``, ``ngettext``) wraps."""
    found: list[int] = []
    for node in nodes:
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in CATALOGUE_CALLS:
            continue
        if isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.Constant) and isinstance(node.value, str)
        ):
            found.append(node.lineno)
            continue
        found += _written_in_place(
            [c for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)]
        )
    return found


CATALOGUE_CALLS = frozenset({"_", "ngettext", "pgettext"})


@pytest.mark.parametrize(
    "module",
    [str(p.relative_to(ROOT)) for d in ("bot", "cogs") for p in sorted((ROOT / d).rglob("*.py"))],
)
def test_every_refusal_a_member_reads_comes_from_the_catalogues(module: str) -> None:
    assert literal_problems(ROOT / module) == []


def test_the_refusal_scan_sees_a_problem_written_in_place(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text(
        "def check(n):\n"
        '    raise InvalidInput([_("value: too big")])\n'
        '    raise InvalidInput([f"id: alert {n} is not paused"])\n'
        '    raise InvalidInput(["give at least one field"])\n',
        encoding="utf-8",
    )
    assert literal_problems(module) == [3, 4]
