"""/deals and /company: the AI hosting contract ledger and the companies behind it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.deals._cog import Deals
from cogs.deals._company import Companies

if TYPE_CHECKING:
    from bot.app import Minerwatch


async def setup(bot: Minerwatch) -> None:
    """Add the Deals and Companies cogs."""
    await bot.add_cog(Deals(bot))
    await bot.add_cog(Companies(bot))
