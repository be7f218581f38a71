"""What the code asks of the catalogues: message ids read from the source, command texts."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from discord import app_commands

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("bot", "cogs")
# The calls that take a message id first: (context, id) for pgettext, (singular, plural) for
# ngettext.
GETTEXT = {"_", "N_"}
PLURAL = "ngettext"
CONTEXT = "pgettext"
CATALOGUE_CALLS = {*GETTEXT, PLURAL, CONTEXT}

MessageKey = tuple[str | None, str]  # (context, id) as Babel's catalogue keys them


def source_files() -> Iterator[Path]:
    """Yield every module of the bot and its cogs."""
    for folder in SOURCES:
        yield from sorted((ROOT / folder).rglob("*.py"))


def call_name(node: ast.Call) -> str | None:
    """Return the name of a function called by its bare name (``_`` for ``_("…")``), if any.

    Methods (``translations.ngettext(…)`` inside bot.i18n) are the machinery, not a use.
    """
    return node.func.id if isinstance(node.func, ast.Name) else None


def _literal(node: ast.expr) -> str:
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        raise AssertionError(f"line {node.lineno}: a message id must be a string literal")
    return node.value


def ids_in(path: Path) -> Iterator[MessageKey]:
    """Yield each message id a module passes to the catalogue calls."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or call_name(node) not in CATALOGUE_CALLS:
            continue
        name = call_name(node)
        first = node.args[0] if node.args else None
        if first is None:
            continue
        if name in GETTEXT:
            if isinstance(first, ast.Constant):
                yield None, _literal(first)
        elif name == PLURAL:
            _literal(node.args[1])  # the plural is keyed by its singular, as gettext does
            yield None, _literal(first)
        elif isinstance(first, ast.Constant) and isinstance(node.args[1], ast.Constant):
            yield _literal(first), _literal(node.args[1])


def ids_in_code() -> dict[MessageKey, Path]:
    """Return every message id the code uses, with one module that uses it."""
    return {key: path for path in source_files() for key in ids_in(path)}


def walk_commands(
    commands: list[app_commands.Command | app_commands.Group],  # type: ignore[type-arg]
) -> Iterator[app_commands.Command | app_commands.Group]:  # type: ignore[type-arg]
    """Yield every command and group, subcommands included."""
    for command in commands:
        yield command
        if isinstance(command, app_commands.Group):
            yield from walk_commands(command.commands)


def command_texts(
    commands: list[app_commands.Command | app_commands.Group],  # type: ignore[type-arg]
) -> set[str]:
    """Return every description and choice label of the slash commands."""
    texts: set[str] = set()
    for command in walk_commands(commands):
        texts.add(command.description)
        if isinstance(command, app_commands.Command):
            for parameter in command.parameters:
                texts.add(parameter.description)
                texts.update(choice.name for choice in parameter.choices)
    return texts


def command_names(
    commands: list[app_commands.Command | app_commands.Group],  # type: ignore[type-arg]
) -> tuple[set[str], set[str]]:
    """Return the command and group names, and the option names."""
    names: set[str] = set()
    options: set[str] = set()
    for command in walk_commands(commands):
        names.add(command.name)
        if isinstance(command, app_commands.Command):
            options.update(parameter.name for parameter in command.parameters)
    return names, options
