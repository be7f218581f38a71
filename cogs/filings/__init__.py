"""/filings: new SEC filings of the tracked companies, posted to a channel and listed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.filings._cog import Filings

if TYPE_CHECKING:
    from bot.app import Minerwatch


async def setup(bot: Minerwatch) -> None:
    """Add the Filings cog."""
    await bot.add_cog(Filings(bot))
