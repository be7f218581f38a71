"""Who is asking, what they may do here, and what the bot lacks to post where they ask."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import discord
from discord import app_commands

from bot.alerts.model import Member
from bot.errors import NotAllowed
from bot.i18n import N_, _
from bot.ledger.service import Actor
from cogs._ui.interaction import Interaction

if TYPE_CHECKING:
    from bot.app import Minerwatch

ADMINS: Final = N_("members with Manage Server")
# What posting an embed takes: see the channel, send in it, embed links. Each entry is the
# name a member sees in Discord's settings and the flag of discord.Permissions.
EMBED_POST_NEEDS: Final = (
    (N_("View Channel"), "view_channel"),
    (N_("Send Messages"), "send_messages"),
    (N_("Embed Links"), "embed_links"),
)
# In a thread, sending is its own permission.
THREAD_EMBED_POST_NEEDS: Final = (
    (N_("View Channel"), "view_channel"),
    (N_("Send Messages in Threads"), "send_messages_in_threads"),
    (N_("Embed Links"), "embed_links"),
)


def member_for(interaction: Interaction) -> Member:
    """Return the member asking, an admin when they have Manage Server here."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    # Discord computes the member's permissions into the interaction: no role cache needed.
    return Member(
        user_id=interaction.user.id,
        guild_id=interaction.guild_id,
        is_admin=interaction.permissions.manage_guild,
    )


async def actor_for(bot: Minerwatch, interaction: Interaction) -> Actor:
    """Return who is asking, with their rights here (Manage Server, bot owner)."""
    user = interaction.user
    # Discord computes the member's permissions into the interaction itself: no role cache
    # (which can lag behind a role just granted) is involved.
    is_admin = interaction.guild_id is not None and interaction.permissions.manage_guild
    return Actor(
        user_id=user.id,
        guild_id=interaction.guild_id,
        is_admin=is_admin,
        is_owner=await bot.is_owner(user),
    )


def admin_guild(interaction: Interaction, action: str) -> discord.Guild:
    """Return the server, refusing ``action`` outside one or to members without Manage Server."""
    guild = interaction.guild
    if guild is None:
        raise app_commands.NoPrivateMessage()
    if not interaction.permissions.manage_guild:
        raise NotAllowed(action, ADMINS)
    return guild


def missing_permissions(
    permissions: discord.Permissions, needs: Sequence[tuple[str, str]]
) -> list[str]:
    """List the names of ``needs`` that ``permissions`` does not grant, as members read them."""
    return [_(name) for name, flag in needs if not getattr(permissions, flag)]


def missing_in_channel(
    channel: discord.abc.GuildChannel, me: discord.Member | None, needs: Sequence[tuple[str, str]]
) -> list[str]:
    """List what the bot (``me``) lacks of ``needs`` in ``channel``; nothing when unknown."""
    if me is None:
        return []
    return missing_permissions(channel.permissions_for(me), needs)


def missing_post_permissions(permissions: discord.Permissions, *, thread: bool) -> list[str]:
    """List what the bot lacks to post an embed (in a thread or not) with ``permissions``."""
    return missing_permissions(permissions, THREAD_EMBED_POST_NEEDS if thread else EMBED_POST_NEEDS)


def channel_problem(
    channel: discord.abc.GuildChannel, me: discord.Member | None, needs: Sequence[tuple[str, str]]
) -> str | None:
    """Return the ``channel`` option's problem when the bot lacks ``needs`` there, else None."""
    missing = missing_in_channel(channel, me, needs)
    if not missing:
        return None
    return _(
        "channel: Minerwatch needs {permissions} in {channel}; grant it there or pick another "
        "channel",
        permissions=", ".join(missing),
        channel=channel.mention,
    )
