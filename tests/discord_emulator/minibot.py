"""A small real discord.py bot whose commands exercise every emulator path."""

from __future__ import annotations

import asyncio
import base64
import io

import discord
from discord import app_commands
from discord.ext import commands

# A 1x1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
SYMBOLS = ["CIFR", "CLSK", "CORZ", "IREN", "MARA", "RIOT"]


class MiniBot(commands.Bot):
    """A bot with a handful of slash commands, recording the errors it hits."""

    def __init__(self, *, members_intent: bool = False) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.members = members_intent
        super().__init__(
            command_prefix=commands.when_mentioned, intents=intents, guild_ready_timeout=0.05
        )
        self.errors: list[BaseException] = []
        self.late_by = 0.0
        self.tree.error(self._on_tree_error)
        _add_commands(self)

    async def setup_hook(self) -> None:
        """Sync the command tree globally, as the real bot does at start."""
        await self.tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Skip discord.py's 5-second pause before a re-IDENTIFY, to keep tests fast."""

    async def _on_tree_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Keep command errors for the test to assert on (the tree only logs them)."""
        self.errors.append(error)


class Confirm(discord.ui.View):
    """A view with one button that edits the message it is on."""

    def __init__(self, owner: MiniBot) -> None:
        super().__init__(timeout=30)
        self.owner = owner

    @discord.ui.button(label="Confirm", custom_id="confirm", style=discord.ButtonStyle.success)
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[Confirm]
    ) -> None:
        """Answer the click by updating the message."""
        await interaction.response.edit_message(
            content=f"confirmed by {interaction.user.name}", view=None
        )

    @discord.ui.button(label="Later", custom_id="later")
    async def later(
        self, interaction: discord.Interaction, button: discord.ui.Button[Confirm]
    ) -> None:
        """Acknowledge the click first, then edit the message it is on."""
        await interaction.response.defer()
        await interaction.edit_original_response(content="updated later")

    @discord.ui.select(
        custom_id="pick", options=[discord.SelectOption(label=s) for s in ("CIFR", "IREN")]
    )
    async def pick(
        self, interaction: discord.Interaction, select: discord.ui.Select[Confirm]
    ) -> None:
        """Answer a choice privately."""
        await interaction.response.send_message(
            f"picked {', '.join(select.values)}", ephemeral=True
        )

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Confirm]
    ) -> None:
        """Keep view errors for the test."""
        self.owner.errors.append(error)


class Feedback(discord.ui.Modal, title="Feedback"):
    """A modal with one text input."""

    comment: discord.ui.TextInput[Feedback] = discord.ui.TextInput(
        label="Comment", custom_id="comment"
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Echo the comment back, ephemerally."""
        await interaction.response.send_message(f"thanks: {self.comment.value}", ephemeral=True)


def _add_commands(bot: MiniBot) -> None:
    """Register the slash commands."""

    @bot.tree.command(name="ping", description="Answer pong")
    async def ping(interaction: discord.Interaction) -> None:
        await asyncio.sleep(bot.late_by)
        await interaction.response.send_message("pong")

    @bot.tree.command(name="secret", description="Answer only to you")
    async def secret(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("for your eyes only", ephemeral=True)

    @bot.tree.command(name="slow", description="Defer, follow up, then edit the answer")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("working on it")
        await interaction.edit_original_response(content="done")
        await interaction.followup.send("one more thing", ephemeral=True)

    @bot.tree.command(name="price", description="Show a price")
    @app_commands.describe(symbol="Ticker symbol")
    async def price(interaction: discord.Interaction, symbol: str) -> None:
        await interaction.response.send_message(
            embed=discord.Embed(title=f"{symbol} price", description="$1.00")
        )

    @price.autocomplete("symbol")
    async def price_symbols(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=s, value=s)
            for s in SYMBOLS
            if s.lower().startswith(current.lower())
        ]

    deals = app_commands.Group(name="deals", description="Hosting deals")

    @deals.command(name="list", description="List deals of a company")
    @app_commands.describe(company="Ticker", limit="How many")
    async def deals_list(
        interaction: discord.Interaction, company: str, limit: app_commands.Range[int, 1, 10] = 3
    ) -> None:
        await interaction.response.send_message(f"{limit} deals of {company}")

    bot.tree.add_command(deals)

    @bot.tree.command(name="setup", description="Configure the bot (managers only)")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def setup(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("configured", ephemeral=True)

    @bot.tree.command(name="confirm", description="Ask for a confirmation")
    async def confirm(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("please confirm", view=Confirm(bot))

    @bot.tree.command(name="chart", description="Send a chart")
    async def chart(interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="chart").set_image(url="attachment://chart.png")
        await interaction.response.send_message(
            embed=embed, file=discord.File(io.BytesIO(PNG), filename="chart.png")
        )

    @bot.tree.command(name="feedback", description="Leave feedback")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Feedback())

    @bot.tree.command(name="import", description="Import a CSV of deals")
    async def import_(interaction: discord.Interaction, file: discord.Attachment) -> None:
        data = await file.read()
        await interaction.response.send_message(f"{file.filename}: {len(data)} bytes, {data[:3]!r}")

    @bot.tree.command(name="whois", description="Describe a member")
    async def whois(interaction: discord.Interaction, member: discord.Member) -> None:
        manager = member.guild_permissions.manage_guild
        await interaction.response.send_message(f"{member.name} manager={manager}")

    @bot.tree.command(name="twice", description="Acknowledge twice at once (a bug)")
    async def twice(interaction: discord.Interaction) -> None:
        results = await asyncio.gather(
            interaction.response.send_message("one"),
            interaction.response.send_message("two"),
            return_exceptions=True,
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        bot.errors.extend(failures)
        await interaction.followup.send(f"{len(failures)} failed")

    @bot.tree.command(name="bigembed", description="Send a title that is too long")
    async def bigembed(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message(embed=discord.Embed(title="x" * 300))
        except discord.HTTPException as error:
            bot.errors.append(error)
            await interaction.response.send_message("could not send that")
