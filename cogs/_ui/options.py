"""Option types several cogs share."""

from __future__ import annotations

from typing import Final, TypeAlias

from discord import app_commands

# Discord's integer options stop at the largest integer JavaScript holds exactly (2^53 - 1).
ID_MAX: Final = 2**53 - 1
# A stored row's number (an alert's, a contract's) as a member types it.
RowNumber: TypeAlias = app_commands.Range[int, 1, ID_MAX]
