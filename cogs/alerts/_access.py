"""Who is asking, and whether the bot can post alerts where they ask."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.alerts.model import Member
from bot.errors import InvalidInput

if TYPE_CHECKING:
    from bot.app import Minerwatch


def member_for(interaction: discord.Interaction[Minerwatch]) -> Member:
    """Return the member asking, an admin when they have Manage Server here."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    # Discord computes the member's permissions into the interaction: no role cache needed.
    return Member(
        user_id=interaction.user.id,
        guild_id=interaction.guild_id,
        is_admin=interaction.permissions.manage_guild,
    )


def missing_post_permissions(permissions: discord.Permissions, *, thread: bool) -> list[str]:
    """List what the bot lacks to post an alert (a mention and embeds) with ``permissions``."""
    send = (
        ("Send Messages in Threads", permissions.send_messages_in_threads)
        if thread
        else ("Send Messages", permissions.send_messages)
    )
    needed = (
        ("View Channel", permissions.view_channel),
        send,
        ("Embed Links", permissions.embed_links),
    )
    return [name for name, allowed in needed if not allowed]


def check_can_post_here(interaction: discord.Interaction[Minerwatch]) -> None:
    """Refuse a channel alert where the bot could not post it, saying what is missing."""
    # app_permissions are the bot's own permissions in this channel, computed by Discord.
    thread = isinstance(interaction.channel, discord.Thread)
    missing = missing_post_permissions(interaction.app_permissions, thread=thread)
    if missing:
        raise InvalidInput(
            [
                f"I cannot post alerts in <#{interaction.channel_id}>: I am missing "
                f"{', '.join(missing)} there. Ask a server admin to grant it, add the alert "
                "in a channel where I can post, or add `dm:True` to get it by direct message."
            ]
        )
