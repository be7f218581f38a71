"""Layers: what cogs, validators and the text helpers may import, read from the source."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COGS = ROOT / "cogs"
# Modules that check input or clean text: they sit below rendering and never import it.
BELOW_RENDER = (
    "bot/text.py",
    "bot/format.py",
    "bot/ledger/changes.py",
    "bot/ledger/limits.py",
    "bot/ledger/consistency.py",
    "bot/alerts/validation.py",
)


def imports(path: Path) -> Iterator[str]:
    """Yield every module ``path`` imports (absolute names, as written)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            yield node.module


def cog_of(module: str) -> str | None:
    """Return the cog package a module belongs to ("deals" for cogs.deals._cog)."""
    parts = module.split(".")
    if parts[0] != "cogs" or len(parts) < 2 or parts[1].startswith("_"):
        return None
    return parts[1].removesuffix(".py")


def test_no_cog_imports_another_cogs_private_module() -> None:
    crossings = []
    for path in COGS.rglob("*.py"):
        owner = cog_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for module in imports(path):
            other = cog_of(module)
            private = any(part.startswith("_") for part in module.split(".")[2:])
            if other is not None and other != owner and private:
                crossings.append(f"{path.relative_to(ROOT)} imports {module}")
    assert crossings == []


def test_cogs_share_only_the_ui_kit() -> None:
    """What several cogs need (paging, private replies, access checks) lives in cogs/_ui."""
    shared = {
        module
        for path in COGS.rglob("*.py")
        for module in imports(path)
        if module.startswith("cogs._")
    }
    assert shared and all(module.startswith("cogs._ui.") for module in shared)


def test_no_cog_reaches_the_store() -> None:
    """The cogs read and write through services, never through bot.store."""
    for path in sorted(COGS.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        reaching = [line.strip() for line in source.splitlines() if ".store" in line]
        assert reaching == [], path.relative_to(COGS)


def test_validators_and_text_helpers_never_import_rendering() -> None:
    for name in BELOW_RENDER:
        path = ROOT / name
        assert path.exists(), name
        assert [m for m in imports(path) if m.startswith("bot.render")] == [], name
