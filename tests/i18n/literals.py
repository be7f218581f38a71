"""Find user-visible words written straight into the code instead of through the catalogues."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from .catalogue_use import CATALOGUE_CALLS, call_name

# Prose: a lowercase word among other words, or a capitalised word ("Volume", "a b").
# Codes and marks ("USD", "[DEMO]", "MW", "pager:", "1mo") are not prose.
PROSE = re.compile(r"[A-Za-z][a-z]+\s+\S*[A-Za-z]|^\W*[A-Z][a-z]{2,}\b")
# A slash command to type ("/alert add symbol:CIFR …"): the command's own words, not prose.
COMMAND_LINE = re.compile(r"^`?/[a-z]+( [a-z_]+(:\S*)?)*`?$")
# An IANA time zone ("America/New_York"): a name, not prose.
TIME_ZONE = re.compile(r"^[A-Z][A-Za-z]+/[A-Za-z_]+$")
# Date patterns for Babel ("EEE dd MMM y"): runs of one pattern letter, not words.
DATE_PATTERN = re.compile(r"^(?:([GyYMLdEcaHhKkms])\1*[\s.,/-]*)+$")
# Calls whose text is for operators and developers, not members.
DEVELOPER_CALLS = frozenset(
    {
        "debug",
        "info",
        "warning",
        "error",
        "exception",
        "critical",
        "ValueError",
        "TypeError",
        "KeyError",
        "RuntimeError",
        "AssertionError",
        "NotImplementedError",
        "__init__",  # an exception's own message (super().__init__): the log's, not a reply
    }
)
# Drawing options passed by keyword to matplotlib ("upper left", "offset points"): settings.
DRAWING_KEYWORDS = frozenset({"loc", "textcoords", "xycoords", "ha", "va", "tz"})
# What a failing button or page was doing, written to the log beside the traceback.
LOG_KEYWORDS = frozenset({"action"})
# Slash command texts: the catalogue test reads them from the loaded commands.
COMMAND_TEXT_CALLS = frozenset({"command", "describe", "choices", "Choice", "Group", "rename"})


def _docstring_nodes(tree: ast.AST) -> set[int]:
    """Return the strings standing alone as statements: docstrings, attribute docstrings."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }


def _vocabulary(tree: ast.AST) -> set[str]:
    """Return the strings a module uses as dict keys: codes ("end customer"), not prose."""
    return {
        key.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for key in node.keys
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    }


def _assigns_all(node: ast.AST) -> bool:
    """Tell whether a statement sets ``__all__`` (exported names, not prose)."""
    return isinstance(node, ast.Assign) and any(
        isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
    )


def _exempt_nodes(tree: ast.AST) -> set[int]:
    """Return the ids of nodes whose strings are not member-facing prose."""
    exempt = _docstring_nodes(tree)

    def mark(node: ast.AST) -> None:
        exempt.update(id(inner) for inner in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = call_name(node) or (
                node.func.attr if isinstance(node.func, ast.Attribute) else None
            )
            if name in CATALOGUE_CALLS:
                # The message ids are the catalogue's; the filled-in values are checked.
                for arg in node.args:
                    mark(arg)
            elif name in DEVELOPER_CALLS or name in COMMAND_TEXT_CALLS:
                mark(node)
            for keyword in node.keywords:
                if keyword.arg in DRAWING_KEYWORDS or keyword.arg in LOG_KEYWORDS:
                    mark(keyword.value)
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:
                    mark(key)
        elif isinstance(node, ast.Subscript):
            mark(node.slice)
        elif isinstance(node, ast.Compare) or _assigns_all(node):
            mark(node)
        elif isinstance(node, ast.AnnAssign | ast.arg) and node.annotation is not None:
            mark(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                mark(decorator)
            if node.returns is not None:
                mark(node.returns)
    return exempt


def untranslated(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line, text) for each prose string in a module that bypasses the catalogues."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    exempt = _exempt_nodes(tree)
    vocabulary = _vocabulary(tree)
    for node in ast.walk(tree):
        if id(node) in exempt:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if (
                text not in vocabulary
                and PROSE.search(text)
                and not DATE_PATTERN.match(text)
                and not COMMAND_LINE.match(text)
                and not TIME_ZONE.match(text)
            ):
                yield node.lineno, text
        elif isinstance(node, ast.JoinedStr):
            literal = "".join(
                part.value if isinstance(part, ast.Constant) else "…" for part in node.values
            )
            exempt.update(id(part) for part in node.values)
            if PROSE.search(literal):
                yield node.lineno, literal
