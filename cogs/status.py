"""/status: how fresh the data is, the feed's health, alerts, deliveries and the next summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.render.status import status_embeds
from cogs._ui.interaction import Interaction

if TYPE_CHECKING:
    from bot.app import Minerwatch


class Status(commands.Cog):
    """The /status command."""

    def __init__(self, bot: Minerwatch) -> None:
        self.bot = bot

    @app_commands.command(
        name="status",
        description="Data freshness per symbol, last poll, errors, next summary, alerts, version",
    )
    async def status(self, interaction: Interaction) -> None:
        status = self.bot.services.status
        report = await status.report(interaction.guild_id, started_at=self.bot.started_at)
        embeds = [discord.Embed.from_dict(e) for e in status_embeds(report)]
        await interaction.response.send_message(embeds=embeds, ephemeral=True)


async def setup(bot: Minerwatch) -> None:
    await bot.add_cog(Status(bot))
