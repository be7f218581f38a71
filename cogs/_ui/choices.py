"""Autocomplete choices every cog offers for a symbol option, answered from memory."""

from __future__ import annotations

from discord import app_commands

from bot.symbols import SymbolIndex


def suggest_symbols(index: SymbolIndex, current: str) -> list[app_commands.Choice[str]]:
    """Return the tracked symbols and aliases matching what has been typed so far."""
    return [app_commands.Choice(name=label, value=value) for label, value in index.suggest(current)]
