"""/company: a tracked company's profile from the store, with its latest cached price."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import NotFound
from bot.render.commitments import involving
from bot.render.company import company_pages
from cogs.deals._options import HOST_MAX, company_choices, resolve_company
from cogs.deals._views import PAGE_TIMEOUT_SECONDS, send_pages

if TYPE_CHECKING:
    from bot.app import Minerwatch

Interaction = discord.Interaction["Minerwatch"]


class Companies(commands.Cog):
    """The /company command."""

    def __init__(self, bot: Minerwatch) -> None:
        self.bot = bot
        self.symbols = bot.services.symbols  # the companies, for autocomplete
        self.page_timeout = PAGE_TIMEOUT_SECONDS  # tests shorten it

    @app_commands.command(
        name="company", description="A company's profile: sites, power, mining, contracts, price"
    )
    @app_commands.describe(symbol="A tracked company: ticker or name, e.g. CIFR or cipher")
    async def company(
        self, interaction: Interaction, symbol: app_commands.Range[str, 1, HOST_MAX]
    ) -> None:
        """Show the profile the store holds, the contracts this server sees and the price."""
        found = resolve_company(self.symbols.index, symbol, "symbol")
        profile = await self.bot.store.ledger.company(found)
        if profile is None:
            raise NotFound("company", found)
        # Its own deals and those where it is the tenant, end customer or backstop.
        contracts = involving(await self.bot.ledger.view(interaction.guild_id), found)
        pages = company_pages(
            profile, contracts, self.bot.market.quote(found), self.bot.clock.now().date()
        )
        await send_pages(interaction, pages, page_timeout=self.page_timeout)

    @company.autocomplete("symbol")
    async def _symbol(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return company_choices(self.symbols.index, current)
