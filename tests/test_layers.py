"""Layers: what cogs, market, render, validators and text helpers may import, from the source."""

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


def modules_under(folder: str) -> Iterator[tuple[Path, str]]:
    """Yield each module below ``folder`` with every module it imports."""
    for path in sorted((ROOT / folder).rglob("*.py")):
        for module in imports(path):
            yield path, module


def test_market_knows_only_quotes_and_history() -> None:
    """Prices are assembled above market/: it never reaches up into views, services or cogs."""
    above = ("bot.render", "bot.prices", "bot.symbols", "bot.ledger", "bot.store", "cogs")
    reaching = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path, module in modules_under("bot/market")
        if module.startswith(above)
    ]
    assert reaching == []


def test_render_draws_view_models_without_reaching_services() -> None:
    """Renderers get plain data: no store, no symbol directory, no service module."""
    services = ("bot.store", "bot.prices", "bot.symbols", "bot.services", "cogs")
    reaching = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path, module in modules_under("bot/render")
        if module.startswith(services) or module.endswith(".service")
    ]
    assert reaching == []
