"""/help: what the bot can do, where its data comes from, and that it is not advice."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput
from bot.i18n import N_, _, pgettext
from bot.i18n.commands import COMMAND
from bot.limits import EMBED_FIELD_VALUE
from bot.render.alert_help import alert_help_lines, alerts_intro
from bot.render.economics import economics_embed
from bot.render.pages import chunk_lines
from cogs._ui.interaction import Interaction

if TYPE_CHECKING:
    from bot.app import Minerwatch

NOT_ADVICE: Final = N_(
    "Minerwatch shows public data for information only. It is not investment advice."
)
DATA_SOURCES: Final = N_(
    "**Prices**: Yahoo Finance (may be delayed 15 min or more); `DEMO` marks synthetic prices.\n"
    "**Contracts**: company releases, filings and news coverage; every contract shows its "
    "source link and as-of date, and unknown figures stay unknown.\n"
    "**Filings**: SEC EDGAR; figures quoted from a filing are marked extracted, unverified.\n"
    "**Balance sheets**: total debt and cash from Yahoo Finance, with their dates.\n"
    "**Bitcoin network**: difficulty and block rewards from mempool.space "
    "(`/help topic:economics`)."
)
TOPICS: Final = ("alerts", "economics")
BOT_NAME: Final = N_("Minerwatch")  # a name: the same in every language
EMBED_COLOUR: Final = discord.Colour.from_rgb(247, 147, 26)  # bitcoin orange


def command_lines(bot: Minerwatch) -> list[str]:
    """List every slash command the tree holds, subcommands flattened, with its description.

    Names and descriptions read as the member's Discord client shows them in their language.
    """
    lines: list[str] = []
    for command in sorted(bot.tree.get_commands(), key=lambda c: c.name):
        if isinstance(command, app_commands.Group):
            lines.extend(
                f"`/{_command_name(sub.qualified_name)}` {_(sub.description)}"
                for sub in command.walk_commands()
                if isinstance(sub, app_commands.Command)
            )
        elif isinstance(command, app_commands.Command):
            lines.append(f"`/{_command_name(command.name)}` {_(command.description)}")
    return lines


def _command_name(qualified: str) -> str:
    """Return a command's name in the current language ("alerte ajouter")."""
    return " ".join(pgettext(COMMAND, part) for part in qualified.split())


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
            raise InvalidInput(
                [
                    _(
                        "topic: choose {topics} (got {got})",
                        topics=", ".join(TOPICS),
                        got=repr(topic[:20]),
                    )
                ]
            )
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
            title=_(BOT_NAME),
            description=_(
                "Follows the listed Bitcoin miners that are leasing their power sites to AI "
                "clouds and Big Tech: prices, the AI-contract ledger, alerts and a daily summary."
            ),
            colour=EMBED_COLOUR,
        )
        for index, chunk in enumerate(chunk_lines(command_lines(self.bot), EMBED_FIELD_VALUE)):
            name = _("Commands") if index == 0 else "\u200b"
            embed.add_field(name=name, value=chunk, inline=False)
        embed.add_field(name=_("Data"), value=_(DATA_SOURCES), inline=False)
        embed.set_footer(text=_(NOT_ADVICE))
        await interaction.response.send_message(embed=embed, ephemeral=True)


def alerts_embed() -> discord.Embed:
    """Return /help topic:alerts: each alert kind in words, with an example."""
    embed = discord.Embed(title=_("Alerts"), description=alerts_intro(), colour=EMBED_COLOUR)
    for index, chunk in enumerate(chunk_lines(alert_help_lines(), EMBED_FIELD_VALUE)):
        name = _("Kinds") if index == 0 else "\u200b"
        embed.add_field(name=name, value=chunk, inline=False)
    embed.set_footer(text=_(NOT_ADVICE))
    return embed


async def setup(bot: Minerwatch) -> None:
    await bot.add_cog(Help(bot))
