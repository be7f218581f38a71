"""/filings watch, unwatch and recent.

As with /deals, ``default_member_permissions`` would hide the whole group, and /filings recent
is for everyone: watch and unwatch check Manage Server here and refuse privately.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput
from bot.filings.model import Level
from bot.i18n import N_, _
from bot.limits import AUTOCOMPLETE_CHOICES, CHOICE_TEXT
from bot.render.filings import LEVEL_LABELS, level_label, recent_embed
from bot.symbols import MalformedSymbol
from bot.text import neutralise
from cogs._ui.access import EMBED_POST_NEEDS, admin_guild, channel_problem

if TYPE_CHECKING:
    from bot.app import Minerwatch

Interaction = discord.Interaction["Minerwatch"]
LEVEL_CHOICES: Final = [
    app_commands.Choice(name=f"{level.value}: {LEVEL_LABELS[level]}", value=level.value)
    for level in Level
]
ACTION: Final = N_("configure the filings watch")


class Filings(commands.Cog):
    """New SEC filings of the tracked companies."""

    filings = app_commands.Group(name="filings", description="SEC filings of the tracked companies")

    def __init__(self, bot: Minerwatch) -> None:
        self.bot = bot
        self.service = bot.services.filings
        self.symbols = bot.services.symbols

    @filings.command(name="watch", description="Post each new SEC filing of a tracked company")
    @app_commands.describe(
        channel="Where to post them (Minerwatch needs to post embeds there)",
        min_level="Post only filings at or above this level (default: every filing)",
    )
    @app_commands.choices(min_level=LEVEL_CHOICES)
    async def watch(
        self, interaction: Interaction, channel: discord.TextChannel, min_level: str = "routine"
    ) -> None:
        """Start (or move) this server's filings watch, after checking the bot can post there."""
        guild = admin_guild(interaction, ACTION)
        problem = channel_problem(channel, guild.me, EMBED_POST_NEEDS)
        if problem is not None:
            raise InvalidInput([problem])
        if min_level not in {level.value for level in Level}:
            allowed = ", ".join(level.value for level in Level)
            raise InvalidInput([_("min_level: must be one of {allowed}", allowed=allowed)])
        level = Level(min_level)
        await self.service.watch(guild.id, channel.id, level)
        text = _(
            "Watching SEC filings: each new filing of a tracked company ({level} and above) "
            "will be posted in {channel}. Filings made before now are not posted.",
            level=level_label(level),
            channel=channel.mention,
        )
        off = self.service.watcher.off_notice()
        if off is not None:
            text += " " + off
        await interaction.response.send_message(text, ephemeral=True)

    @filings.command(name="unwatch", description="Stop posting new SEC filings")
    async def unwatch(self, interaction: Interaction) -> None:
        """Stop this server's filings watch."""
        guild = admin_guild(interaction, ACTION)
        stopped = await self.service.unwatch(guild.id)
        text = (
            _("Stopped posting SEC filings.")
            if stopped
            else _("This server was not watching filings.")
        )
        await interaction.response.send_message(text, ephemeral=True)

    @filings.command(name="recent", description="The latest SEC filings of the tracked companies")
    @app_commands.describe(company="A tracked company (symbol or name); all of them if left out")
    async def recent(
        self, interaction: Interaction, company: app_commands.Range[str, 1, 40] | None = None
    ) -> None:
        """List the latest filings found, newest first."""
        symbol = None if company is None else self._resolve(company)
        filings = await self.service.recent(symbol)
        embed = recent_embed(filings, symbol)
        await interaction.response.send_message(embed=discord.Embed.from_dict(embed))

    @recent.autocomplete("company")
    async def _company(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        index = self.symbols.index
        return [
            app_commands.Choice(name=label[:CHOICE_TEXT], value=symbol)
            for label, symbol in index.suggest(current)
            if symbol in index
        ][:AUTOCOMPLETE_CHOICES]

    def _resolve(self, text: str) -> str:
        index = self.symbols.index
        try:
            symbol: str | None = index.resolve(text)
        except MalformedSymbol:
            symbol = None
        if symbol is None or symbol not in index:
            matches = index.close_matches(text)
            hint = " " + _("Did you mean {matches}?", matches=", ".join(matches)) if matches else ""
            shown = neutralise(text.strip(), limit=40)
            raise InvalidInput(
                [_("company: “{shown}” is not a tracked company.{hint}", shown=shown, hint=hint)]
            )
        return symbol
