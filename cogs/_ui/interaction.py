"""The interaction every cog handles: one the Minerwatch bot receives, typed with its services."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import discord

if TYPE_CHECKING:
    from bot.app import Minerwatch

Interaction: TypeAlias = discord.Interaction["Minerwatch"]
