"""/summary: preview the daily summary, post it daily in a channel, or stop it.

``default_member_permissions`` would apply to the whole ``/summary`` group, and ``preview``
is for everyone; so ``config`` and ``off`` check Manage Server here, from the permissions
Discord computed into the interaction.
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Final

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput
from bot.format import timestamp
from bot.i18n import N_, _
from bot.render.languages import language_name
from bot.summary.timing import parse_schedule
from bot.summary.zones import suggest_zones, zone_problem
from cogs._ui.access import EMBED_POST_NEEDS, admin_guild, channel_problem
from cogs._ui.interaction import Interaction
from cogs._ui.languages import LANGUAGE_CHOICES, chosen_language

if TYPE_CHECKING:
    from bot.app import Minerwatch

log = logging.getLogger(__name__)

DAY_LABELS: Final = {
    "trading": N_("NYSE trading days"),
    "daily": N_("every day"),
    "weekdays": N_("weekdays (Monday to Friday)"),
}
PREVIEW_NOTE: Final = N_(
    "Preview of today's summary as it would be posted now (only you see this), in the "
    "server's language."
)
# What the bot needs in the summary channel: to see it, post, embed and attach the chart.
NEEDED: Final = (*EMBED_POST_NEEDS, (N_("Attach Files"), "attach_files"))
ADMIN_ACTION: Final = N_("configure the daily summary")


class Summary(commands.Cog):
    """The daily summary: preview, config, off."""

    summary = app_commands.Group(
        name="summary", description="The daily summary of the miners", guild_only=True
    )

    def __init__(self, bot: Minerwatch) -> None:
        self.bot = bot

    @summary.command(name="preview", description="Render today's summary now (only you see it)")
    async def preview(self, interaction: Interaction) -> None:
        """Show the summary this server would get now, privately."""
        guild_id = _guild_id(interaction)
        # A first render draws the chart (about a second): answer within Discord's window.
        await interaction.response.defer(ephemeral=True, thinking=True)
        composed = await self.bot.summaries.preview(guild_id)
        files = [discord.File(io.BytesIO(f.data), filename=f.filename) for f in composed.files]
        await interaction.followup.send(
            content=_(PREVIEW_NOTE),
            embeds=[discord.Embed.from_dict(embed) for embed in composed.payload["embeds"]],
            files=files,
            ephemeral=True,
        )

    @summary.command(
        name="config", description="Post the daily summary in a channel at a local time"
    )
    @app_commands.describe(
        channel="Where to post it (Minerwatch needs to post embeds and attach files there)",
        time="Local time as 24-hour HH:MM (default 16:30)",
        timezone="IANA time zone, e.g. America/New_York (the default), Europe/Paris",
        days="Which days (default: NYSE trading days)",
        language="The language of the automatic posts (default: the server's Discord language)",
    )
    @app_commands.choices(
        days=[app_commands.Choice(name=label, value=key) for key, label in DAY_LABELS.items()],
        language=LANGUAGE_CHOICES,
    )
    async def config(
        self,
        interaction: Interaction,
        channel: discord.TextChannel,
        time: app_commands.Range[str, 1, 20] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        days: str | None = None,
        language: str | None = None,
    ) -> None:
        """Turn the daily summary on, or change it; options left out keep their value."""
        guild = admin_guild(interaction, ADMIN_ACTION)
        problems: list[str] = []
        problem = channel_problem(channel, guild.me, NEEDED)
        if problem is not None:
            problems.append(problem)
        bad_zone = zone_problem(timezone) if timezone is not None else None
        if bad_zone is not None:
            problems.append(bad_zone)
        try:
            parse_schedule(time, None if bad_zone else timezone, days)
        except InvalidInput as exc:
            problems.extend(exc.problems)
        if problems:
            raise InvalidInput(problems)
        if language is not None:
            await self.bot.services.languages.choose_for_guild(guild.id, chosen_language(language))
        config = await self.bot.summaries.configure(
            guild.id, channel.id, at=time, zone=timezone, days=days
        )
        next_run = self.bot.summaries.next_run(config)
        days_label = DAY_LABELS.get(config.days)
        text = _(
            "The daily summary will be posted in {channel} at {time} ({zone}) on {days}, "
            "in {language}.",
            channel=channel.mention,
            time=config.at,
            zone=config.zone,
            days=_(days_label) if days_label is not None else config.days,
            language=language_name(self.bot.services.languages.for_guild(guild.id)),
        )
        if next_run is not None:
            text += " " + _(
                "Next: {when} ({relative}).",
                when=timestamp(next_run, "F"),
                relative=timestamp(next_run, "R"),
            )
        await interaction.response.send_message(text, ephemeral=True)

    @config.autocomplete("timezone")
    async def _zones(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest IANA time zones by prefix or substring (from memory)."""
        return [app_commands.Choice(name=zone, value=zone) for zone in suggest_zones(current)]

    @summary.command(name="off", description="Stop posting the daily summary")
    async def off(self, interaction: Interaction) -> None:
        """Stop this server's daily summary."""
        guild = admin_guild(interaction, ADMIN_ACTION)
        stopped = await self.bot.summaries.turn_off(guild.id)
        text = _("Stopped the daily summary.") if stopped else _("The daily summary was not on.")
        await interaction.response.send_message(text, ephemeral=True)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Stop the summary of a server the bot was removed from (its job goes too)."""
        await self.bot.summaries.forget_guild(guild.id)


def _guild_id(interaction: Interaction) -> int:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


async def setup(bot: Minerwatch) -> None:
    await bot.add_cog(Summary(bot))
