"""The emulator is a library of its own: it never reaches into the bot, and its HTTP side
never reaches back into the facade that builds it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import discord_emulator

PACKAGE = Path(discord_emulator.__file__).resolve().parent
# Only these may import the facade: the package's front door and the facade itself.
FACADE_USERS = {"__init__", "emulator"}


def _imports(path: Path) -> set[str]:
    """Every module a file imports, top-level or inside functions, relative ones made absolute."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "discord_emulator." if node.level else ""
            if node.module:
                found.add(base + node.module)
            if node.level and node.module is None:
                found.update(base + alias.name for alias in node.names)
    return found


def _modules() -> dict[str, set[str]]:
    return {path.stem: _imports(path) for path in sorted(PACKAGE.glob("*.py"))}


def test_the_package_has_modules_to_check() -> None:
    assert {"emulator", "server", "rest_basic", "routes"} <= set(_modules())


def test_no_module_imports_the_bot_or_its_cogs() -> None:
    reaching = {
        name: sorted(m for m in imported if m.split(".")[0] in ("bot", "cogs"))
        for name, imported in _modules().items()
    }
    assert {name: found for name, found in reaching.items() if found} == {}


def test_server_and_route_handlers_do_not_import_the_facade() -> None:
    users = {
        name for name, imported in _modules().items() if "discord_emulator.emulator" in imported
    }
    assert users <= FACADE_USERS


def test_importing_the_emulator_loads_nothing_of_the_bot() -> None:
    probe = (
        "import sys, discord_emulator; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('bot', 'cogs')))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
