"""Where prices live: market/ knows quotes and history only; one index, one "no quote" error."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import bot
import cogs

BOT = Path(bot.__file__).parent
COGS = Path(cogs.__file__).parent
# What quotes and history need nothing of: views, the ledger, members' input, the services.
ABOVE_MARKET = ("bot.render", "bot.ledger", "bot.symbols", "bot.prices", "bot.summary", "cogs")


def sources() -> Iterator[Path]:
    yield from BOT.rglob("*.py")
    yield from COGS.rglob("*.py")


def imported(path: Path) -> set[str]:
    """Return the modules ``path`` imports (absolute names)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def places(pattern: str) -> set[str]:
    """Return the modules of bot/ and cogs/ whose code matches ``pattern``."""
    found = re.compile(pattern)
    root = BOT.parent
    return {
        str(path.relative_to(root))
        for path in sources()
        if found.search(path.read_text(encoding="utf-8"))
    }


def test_market_imports_nothing_above_quotes_and_history() -> None:
    reaching_up = {
        f"{path.name} → {name}"
        for path in (BOT / "market").rglob("*.py")
        for name in imported(path)
        if name.startswith(ABOVE_MARKET)
    }
    assert reaching_up == set()


def test_prices_cog_has_no_reexport_shims() -> None:
    # The pager and private replies live in the UI kit (cogs/_ui); what is left is the cog's own.
    assert sorted(p.name for p in (COGS / "prices").glob("_*.py") if p.name != "__init__.py") == [
        "_asked.py",
        "_cog.py",
    ]


def test_the_symbol_index_is_built_in_one_place() -> None:
    assert places(r"SymbolIndex\.from_companies\(") == {"bot/symbols.py"}
    assert places(r"on_companies_changed") == set()  # nothing dispatched it


def test_the_no_quote_error_is_decided_in_one_place() -> None:
    assert places(r"(?<!class )UnknownSymbol\(") == {"bot/prices/service.py", "bot/prices/chart.py"}
    assert places(r"UNKNOWN_REJECTIONS\s*[:=]") == {"bot/prices/service.py"}
