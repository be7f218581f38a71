"""Choices cogs offer: fixed lists from a table, and symbols suggested from memory."""

from __future__ import annotations

from collections.abc import Mapping

from discord import app_commands

from bot.symbols import SymbolIndex


def suggest_symbols(index: SymbolIndex, current: str) -> list[app_commands.Choice[str]]:
    """Return the tracked symbols and aliases matching what has been typed so far."""
    return [app_commands.Choice(name=label, value=value) for label, value in index.suggest(current)]


def fixed_choices(table: Mapping[str, str]) -> list[app_commands.Choice[str]]:
    """Return a fixed choice list from a table of label → value, in the table's order."""
    return [app_commands.Choice(name=label, value=value) for label, value in table.items()]
