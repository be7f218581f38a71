"""Permission bits and Discord's permission arithmetic for members in channels."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .state import Channel, Guild

CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CHANGE_NICKNAME = 1 << 26
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
USE_EXTERNAL_APPS = 1 << 50

# What Discord reports for owners and administrators: every bit it knows.
ALL = (1 << 53) - 1

# A fresh guild's @everyone role, close to Discord's default.
DEFAULT_EVERYONE = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | MENTION_EVERYONE
    | USE_EXTERNAL_EMOJIS
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
    | USE_EXTERNAL_APPS
)

# What the bot's own managed role grants unless a test says otherwise.
DEFAULT_BOT = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY

ROLE_OVERWRITE = 0
MEMBER_OVERWRITE = 1


def guild_permissions(guild: Guild, user_id: int) -> int:
    """Return a member's guild-wide permissions (roles only, no channel overwrites)."""
    if user_id == guild.owner_id:
        return ALL
    member = guild.members.get(user_id)
    perms = guild.roles[guild.id].permissions
    if member is not None:
        for role_id in member.role_ids:
            role = guild.roles.get(role_id)
            if role is not None:
                perms |= role.permissions
    if perms & ADMINISTRATOR:
        return ALL
    return perms


def channel_permissions(guild: Guild, channel: Channel, user_id: int) -> int:
    """Return a member's permissions in a channel, applying overwrites in Discord's order."""
    perms = guild_permissions(guild, user_id)
    if perms == ALL:
        return ALL
    member = guild.members.get(user_id)
    role_ids = set(member.role_ids) if member is not None else set()
    by_target = {(o.type, o.id): o for o in channel.overwrites}
    everyone = by_target.get((ROLE_OVERWRITE, guild.id))
    if everyone is not None:
        perms = (perms & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for overwrite in channel.overwrites:
        if overwrite.type == ROLE_OVERWRITE and overwrite.id in role_ids:
            allow |= overwrite.allow
            deny |= overwrite.deny
    perms = (perms & ~deny) | allow
    own = by_target.get((MEMBER_OVERWRITE, user_id))
    if own is not None:
        perms = (perms & ~own.deny) | own.allow
    # Discord treats a channel you cannot see as one where you can do nothing.
    if not perms & VIEW_CHANNEL:
        return 0
    return perms


def has_all(perms: int, required: int) -> bool:
    """Tell whether every bit of `required` is set in `perms` (administrators have all)."""
    return perms & ADMINISTRATOR != 0 or perms & required == required
