"""/help: what the bot can do, where its data comes from, and that it is not advice."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput
from bot.limits import EMBED_FIELD_VALUE
from bot.render.alert_help import ALERTS_INTRO, alert_help_lines
from bot.render.economics import economics_embed
from bot.render.pages import chunk_lines
from cogs._ui.interaction import Interaction

if TYPE_CHECKING:
    from bot.app import Minerwatch

NOT_ADVICE: Final = (
    "Minerwatch shows public data for information only. It is not investment advice."
)
DATA_SOURCES: Final = (
    "**Prices**: Yahoo Finance (may be delayed 15 min or more); `DEMO` marks synthetic prices.\n"
    "**Contracts**: company releases, filings and news coverage; every contract shows its "
    "source link and as-of date, and unknown figures stay unknown.\n"
    "**Filings**: SEC EDGAR; figures quoted from a filing are marked extracted, unverified.\n"
    "**Balance sheets**: total debt and cash from Yahoo Finance, with their dates.\n"
    "**Bitcoin network**: difficulty and block rewards from mempool.space "
    "(`/help topic:economics`)."
)
TOPICS: Final = ("alerts", "economics")
EMBED_COLOUR: Final = discord.Colour.from_rgb(247, 147, 26)  # bitcoin orange


def command_lines(bot: Minerwatch) -> list[str]:
    """List every slash command the tree holds, subcommands flattened, with its description."""
    lines: list[str] = []
    for command in sorted(bot.tree.get_commands(), key=lambda c: c.name):
        if isinstance(command, app_commands.Group):
            lines.extend(
                f"`/{sub.qualified_name}` {sub.description}"
                for sub in command.walk_commands()
                if isinstance(sub, app_commands.Command)
            )
        elif isinstance(command, app_commands.Command):
            lines.append(f"`/{command.name}` {command.description}")
    return lines


class Help(commands.Cog):
    """The /help command."""

    def __init__(self, bot: Minerwatch) -> None:
        self.bot = bot

    @app_commands.command(
        name="help", description="What Minerwatch does and where its data comes from"
    )
    @app_commands.describe(
        topic="alerts: every alert kind with an example · economics: EV per MW, revenue per MW, "
        "hashprice"
    )
    @app_commands.choices(topic=[app_commands.Choice(name=t, value=t) for t in TOPICS])
    async def help(self, interaction: Interaction, topic: str | None = None) -> None:
        if topic is not None and topic not in TOPICS:
            raise InvalidInput([f"topic: choose {', '.join(TOPICS)} (got {topic[:20]!r})"])
        if topic == "economics":
            page = economics_embed(self.bot.services.network.hashprice())
            await interaction.response.send_message(
                embed=discord.Embed.from_dict(page), ephemeral=True
            )
            return
        if topic == "alerts":
            await interaction.response.send_message(embed=alerts_embed(), ephemeral=True)
            return
        embed = discord.Embed(
            title="Minerwatch",
            description=(
                "Follows the listed Bitcoin miners that are leasing their power sites to AI "
                "clouds and Big Tech: prices, the AI-contract ledger, alerts and a daily summary."
            ),
            colour=EMBED_COLOUR,
        )
        for index, chunk in enumerate(chunk_lines(command_lines(self.bot), EMBED_FIELD_VALUE)):
            embed.add_field(name="Commands" if index == 0 else "\u200b", value=chunk, inline=False)
        embed.add_field(name="Data", value=DATA_SOURCES, inline=False)
        embed.set_footer(text=NOT_ADVICE)
        await interaction.response.send_message(embed=embed, ephemeral=True)


def alerts_embed() -> discord.Embed:
    """Return /help topic:alerts: each alert kind in words, with an example."""
    embed = discord.Embed(title="Alerts", description=ALERTS_INTRO, colour=EMBED_COLOUR)
    for index, chunk in enumerate(chunk_lines(alert_help_lines(), EMBED_FIELD_VALUE)):
        embed.add_field(name="Kinds" if index == 0 else "\u200b", value=chunk, inline=False)
    embed.set_footer(text=NOT_ADVICE)
    return embed


async def setup(bot: Minerwatch) -> None:
    await bot.add_cog(Help(bot))
