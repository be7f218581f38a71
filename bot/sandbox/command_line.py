"""Read a typed slash command into a command path and option values, as the client's picker would.

``/deals list company:CIFR`` names its options; ``/price IREN`` fills them in order. A word
shaped like ``name:value`` is always an option name, so a misspelt or unknown one is an error
that lists the valid options instead of silently becoming some option's value. When more
words are typed than there are options, the rest belong to the last one if it takes text:
``/price core scientific`` asks for "core scientific".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SUBCOMMAND, GROUP, STRING = 1, 2, 3
# A name is lower-case letters, digits, - and _; "https://…" and "16:30" are values.
_NAMED = re.compile(r"^(?P<name>[a-z][a-z0-9_-]*):(?!//)(?P<value>.*)$", re.DOTALL)


class CommandLineError(ValueError):
    """The typed line does not fit the command; the message ends with the usage line."""


@dataclass(frozen=True)
class ParsedCommand:
    """A command path ("deals list") and its options as typed, each with its definition."""

    path: str
    values: dict[str, tuple[dict[str, Any], str]]


def parse_command(definition: dict[str, Any], words: list[str]) -> ParsedCommand:
    """Match words against a synced command; raise CommandLineError if they do not fit."""
    path, rest = [str(definition["name"])], list(words)
    options: list[dict[str, Any]] = definition.get("options") or []
    while rest and (branch := _branch(options, rest[0])) is not None:
        path.append(rest.pop(0))
        options = branch.get("options") or []
    if _branches(options):
        names = " | ".join(o["name"] for o in _branches(options))
        shown = f" {rest[0]!r} is not one of them." if rest else ""
        raise CommandLineError(f"/{' '.join(path)} needs one of: {names}.{shown}")
    by_name = {o["name"]: o for o in options}
    named: dict[str, str] = {}
    positional: list[str] = []
    for word in rest:
        match = _NAMED.match(word)
        if match is None:
            positional.append(word)
            continue
        name = match["name"]
        if name not in by_name:
            raise CommandLineError(
                f"/{' '.join(path)} has no option {name!r}. {_options_line(options)}\n"
                f"usage: {usage(path, options)}"
            )
        if name in named:
            raise CommandLineError(
                f"option {name!r} is given twice.\nusage: {usage(path, options)}"
            )
        named[name] = match["value"]
    values = {name: (by_name[name], value) for name, value in named.items()}
    free = [o for o in options if o["name"] not in named]
    for option, word in zip(free, positional, strict=False):
        values[option["name"]] = (option, word)
    surplus = positional[len(free) :]
    if surplus:
        last = free[-1] if free else None
        if last is None or last["type"] != STRING:
            raise CommandLineError(
                f"too many values for /{' '.join(path)}: {' '.join(surplus)!r}\n"
                f"usage: {usage(path, options)}"
            )
        # A multi-word name ("core scientific") is one value of the last text option.
        values[last["name"]] = (last, " ".join([values[last["name"]][1], *surplus]))
    missing = [o["name"] for o in options if o.get("required") and o["name"] not in values]
    if missing:
        raise CommandLineError(
            f"/{' '.join(path)} needs {', '.join(missing)}.\nusage: {usage(path, options)}"
        )
    return ParsedCommand(" ".join(path), values)


def usage(path: list[str], options: list[dict[str, Any]]) -> str:
    """Return "/deals list [company] [status]": required options bare, optional in brackets."""
    parts = [f"/{' '.join(path)}"]
    for option in options:
        shown = option["name"]
        if option.get("choices"):
            shown += ":" + "|".join(str(c["value"]) for c in option["choices"])
        parts.append(shown if option.get("required") else f"[{shown}]")
    return " ".join(parts)


def _options_line(options: list[dict[str, Any]]) -> str:
    if not options:
        return "It takes no options."
    return "Its options: " + ", ".join(o["name"] for o in options) + "."


def _branches(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for o in options if o["type"] in (SUBCOMMAND, GROUP)]


def _branch(options: list[dict[str, Any]], word: str) -> dict[str, Any] | None:
    return next((o for o in _branches(options) if o["name"] == word), None)
