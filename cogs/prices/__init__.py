"""Prices: /price, /board and /chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.prices._cog import Prices

if TYPE_CHECKING:
    from bot.app import Minerwatch


async def setup(bot: Minerwatch) -> None:
    await bot.add_cog(Prices(bot))
