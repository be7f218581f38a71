"""/alert: price alerts that post in the channel they were created in, or by DM."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.alerts._cog import Alerts

if TYPE_CHECKING:
    from bot.app import Minerwatch


async def setup(bot: Minerwatch) -> None:
    """Add the Alerts cog."""
    await bot.add_cog(Alerts(bot))
