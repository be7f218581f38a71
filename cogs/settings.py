"""/settings language: the language of a server's automatic posts (admins)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from discord import app_commands
from discord.ext import commands

from bot.i18n import N_
from bot.render.languages import language_set
from cogs._ui.access import admin_guild
from cogs._ui.interaction import Interaction
from cogs._ui.languages import LANGUAGE_CHOICES, chosen_language

if TYPE_CHECKING:
    from bot.app import Minerwatch

ADMIN_ACTION: Final = N_("choose the language of this server's posts")


class Settings(commands.Cog):
    """Server settings."""

    settings = app_commands.Group(
        name="settings", description="Server settings for Minerwatch (admins)", guild_only=True
    )

    def __init__(self, bot: Minerwatch) -> None:
        self.bot = bot

    @settings.command(
        name="language",
        description=(
            "The language of this server's automatic posts: alerts, summaries, watch and "
            "filings posts"
        ),
    )
    @app_commands.describe(language="English, French, or auto (the server's Discord language)")
    @app_commands.choices(language=LANGUAGE_CHOICES)
    async def language(self, interaction: Interaction, language: str) -> None:
        """Choose the language of this server's automatic posts."""
        guild = admin_guild(interaction, ADMIN_ACTION)
        languages = self.bot.services.languages
        await languages.choose_for_guild(guild.id, chosen_language(language))
        effective = languages.for_guild(guild.id)
        await interaction.response.send_message(
            language_set(effective, followed=chosen_language(language) is None), ephemeral=True
        )


async def setup(bot: Minerwatch) -> None:
    await bot.add_cog(Settings(bot))
