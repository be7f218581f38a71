"""Benchmarks stand on the shipped packages and the local stand-ins, never on test modules."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT


def _top_level_imports(path: Path) -> set[str]:
    """The first component of every absolute module a file imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_no_benchmark_imports_a_test_module() -> None:
    scripts = sorted((REPO_ROOT / "bench").glob("*.py"))
    assert len(scripts) > 3
    reaching = {p.name for p in scripts if "tests" in _top_level_imports(p)}
    assert reaching == set()


def test_the_local_yahoo_imports_neither_tests_nor_the_bot() -> None:
    modules = sorted((REPO_ROOT / "yahoo_emulator").glob("*.py"))
    assert modules
    reaching = {p.name: sorted(_top_level_imports(p) & {"tests", "bot", "cogs"}) for p in modules}
    assert {name: found for name, found in reaching.items() if found} == {}


def test_the_local_edgar_imports_neither_tests_nor_the_bot() -> None:
    modules = sorted((REPO_ROOT / "edgar_emulator").glob("*.py"))
    assert modules
    reaching = {p.name: sorted(_top_level_imports(p) & {"tests", "bot", "cogs"}) for p in modules}
    assert {name: found for name, found in reaching.items() if found} == {}


def test_the_local_postgresql_imports_neither_tests_nor_the_bot() -> None:
    """The benchmarks start their cluster with it, so it must not stand on test modules."""
    modules = sorted((REPO_ROOT / "local_postgres").glob("*.py"))
    assert modules
    reaching = {p.name: sorted(_top_level_imports(p) & {"tests", "bot", "cogs"}) for p in modules}
    assert {name: found for name, found in reaching.items() if found} == {}
