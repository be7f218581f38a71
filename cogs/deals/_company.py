"""/company: a tracked company's profile from the ledger, with its latest cached price."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from discord import app_commands
from discord.ext import commands

from bot.render.commitments import involving
from bot.render.company import company_pages
from cogs._ui.interaction import Interaction
from cogs._ui.pager import PAGE_TIMEOUT_SECONDS, Pages
from cogs.deals._options import HOST_MAX, company_choices, resolve_company

if TYPE_CHECKING:
    from bot.app import Minerwatch


class Companies(commands.Cog):
    """The /company command."""

    def __init__(self, bot: Minerwatch) -> None:
        self.bot = bot
        self.symbols = bot.services.symbols  # the companies, for autocomplete
        self.page_timeout = PAGE_TIMEOUT_SECONDS  # tests shorten it
        self._pages = Pages(bot)

    @app_commands.command(
        name="company", description="A company's profile: sites, power, mining, contracts, price"
    )
    @app_commands.describe(symbol="A tracked company: ticker or name, e.g. CIFR or cipher")
    async def company(
        self, interaction: Interaction, symbol: app_commands.Range[str, 1, HOST_MAX]
    ) -> None:
        """Show the profile the store holds, the contracts this server sees and the price."""
        found = resolve_company(self.symbols.index, symbol, "symbol")
        guild_id = interaction.guild_id

        async def pages() -> list[dict[str, Any]]:
            profile = await self.bot.ledger.company(found)
            # Its own deals and those where it is the tenant, end customer or backstop.
            contracts = involving(await self.bot.ledger.view(guild_id), found)
            quote = self.bot.market.quote(found)
            # A listed host's valuation per MW; others have no capacity to value.
            valuation = await self.bot.services.valuations.company(profile, contracts)
            today = self.bot.clock.now().date()
            return company_pages(profile, contracts, quote, today, valuation)

        await self._pages.send(interaction, pages, buttons_for=self.page_timeout)

    async def cog_unload(self) -> None:
        """Stop the page buttons this cog opened (a click on them is answered as expired)."""
        self._pages.close()

    @company.autocomplete("symbol")
    async def _symbol(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return company_choices(self.symbols.index, current)
