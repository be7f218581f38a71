"""Whether the bot can post alerts where a member asks for them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.errors import InvalidInput
from bot.i18n import _
from cogs._ui.access import missing_post_permissions

if TYPE_CHECKING:
    from bot.app import Minerwatch


def check_can_post_here(interaction: discord.Interaction[Minerwatch]) -> None:
    """Refuse a channel alert where the bot could not post it, saying what is missing."""
    # app_permissions are the bot's own permissions in this channel, computed by Discord.
    thread = isinstance(interaction.channel, discord.Thread)
    missing = missing_post_permissions(interaction.app_permissions, thread=thread)
    if missing:
        raise InvalidInput(
            [
                _(
                    "I cannot post alerts in <#{channel}>: I am missing {permissions} there. "
                    "Ask a server admin to grant it, add the alert in a channel where I can "
                    "post, or add `dm:True` to get it by direct message.",
                    channel=interaction.channel_id,
                    permissions=", ".join(missing),
                )
            ]
        )
