"""The emulated world: users, guilds, roles, channels, members and messages."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import permissions as perm
from .ids import SnowflakeFactory, iso_timestamp

TEXT_CHANNEL = 0
DM_CHANNEL = 1
EPHEMERAL = 1 << 6
LOADING = 1 << 7


@dataclass
class User:
    """A Discord user; `dms_open=False` makes DMs from the bot fail with 50007."""

    id: int
    username: str
    bot: bool = False
    global_name: str | None = None
    dms_open: bool = True
    locale: str = "en-US"
    """The language of the user's Discord client, sent as each interaction's ``locale``."""


@dataclass
class Role:
    """A guild role with its permission bitfield."""

    id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False


@dataclass
class Overwrite:
    """A channel permission overwrite for a role (type 0) or a member (type 1)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0


@dataclass
class Channel:
    """A guild text channel or a DM channel."""

    id: int
    name: str
    type: int = TEXT_CHANNEL
    guild_id: int | None = None
    position: int = 0
    overwrites: list[Overwrite] = field(default_factory=list)
    topic: str | None = None
    recipient_ids: list[int] = field(default_factory=list)
    deleted: bool = False
    last_message_id: int | None = None


@dataclass
class Member:
    """A user's membership in a guild."""

    user_id: int
    guild_id: int
    role_ids: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=iso_timestamp)
    nick: str | None = None


@dataclass
class Guild:
    """A guild; its @everyone role has the guild's own id, as on Discord."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    locale: str = "en-US"
    bot_role_id: int | None = None


@dataclass
class Attachment:
    """An uploaded file, with its bytes kept so tests can open it."""

    id: int
    filename: str
    data: bytes
    url: str
    content_type: str | None = None
    description: str | None = None

    @property
    def size(self) -> int:
        """Return the file size in bytes."""
        return len(self.data)


@dataclass
class Message:
    """A message as Discord stores it, whoever posted it."""

    id: int
    channel_id: int
    author_id: int
    guild_id: int | None = None
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    tts: bool = False
    nonce: str | int | None = None
    timestamp: str = field(default_factory=iso_timestamp)
    edited_timestamp: str | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_id: int | None = None
    interaction_user_id: int | None = None
    interaction_type: int | None = None
    interaction_name: str | None = None
    message_reference: dict[str, Any] | None = None
    deleted: bool = False
    created: float = field(default_factory=time.monotonic)

    @property
    def ephemeral(self) -> bool:
        """Tell whether only the invoking user can see this message."""
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """Tell whether this is a deferred "is thinking..." placeholder."""
        return bool(self.flags & LOADING)

    def custom_ids(self) -> list[str]:
        """Return every component custom_id on the message, nested ones included."""
        return [
            c["custom_id"]
            for c in iter_components(self.components)
            if isinstance(c.get("custom_id"), str)
        ]

    def text(self) -> str:
        """Return content plus all embed text, for loose assertions."""
        parts = [self.content]
        for embed in self.embeds:
            parts.extend(str(embed.get(key) or "") for key in ("title", "description"))
            for fld in embed.get("fields") or []:
                parts.extend((str(fld.get("name", "")), str(fld.get("value", ""))))
            parts.append(str((embed.get("footer") or {}).get("text", "")))
            parts.append(str((embed.get("author") or {}).get("name", "")))
        return "\n".join(p for p in parts if p)


def iter_components(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Walk a component tree (action rows, containers, sections, labels) depth first."""
    for component in components:
        yield component
        yield from iter_components(component.get("components") or [])
        for key in ("component", "accessory"):
            child = component.get(key)
            if isinstance(child, dict):
                yield from iter_components([child])


@dataclass
class Application:
    """The bot's application, including who owns it."""

    id: int
    name: str
    owner_id: int
    flags: int = 0
    team_id: int | None = None
    team_member_ids: list[int] = field(default_factory=list)


class World:
    """Everything the emulated Discord knows, with helpers to build it from tests."""

    def __init__(self, *, bot_name: str = "Minerwatch") -> None:
        self.ids = SnowflakeFactory()
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.channel_messages: dict[int, list[Message]] = {}
        self.dm_channel_of: dict[int, int] = {}
        self.bot = self.add_user(bot_name, bot=True)
        owner = self.add_user(f"{bot_name.lower()}-owner")
        # Discord's application id equals the bot user's id for modern apps.
        self.application = Application(id=self.bot.id, name=bot_name, owner_id=owner.id)

    def add_user(self, username: str, *, bot: bool = False, dms_open: bool = True) -> User:
        """Create a user."""
        user = User(
            id=self.ids.next(), username=username, bot=bot, global_name=username, dms_open=dms_open
        )
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str,
        *,
        owner_id: int | None = None,
        bot_permissions: int = perm.DEFAULT_BOT,
        on_shard: tuple[int, int] | None = None,
    ) -> Guild:
        """Create a guild with @everyone, an owner, and the bot as a member with its own role.

        ``on_shard=(shard_id, shard_count)`` gives it an id on that shard.
        """
        guild_id = self.ids.next() if on_shard is None else self.ids.next_on_shard(*on_shard)
        if owner_id is None:
            owner_id = self.add_user(f"{name.lower().replace(' ', '-')}-owner").id
        guild = Guild(id=guild_id, name=name, owner_id=owner_id)
        guild.roles[guild_id] = Role(
            id=guild_id, name="@everyone", permissions=perm.DEFAULT_EVERYONE
        )
        bot_role = Role(
            id=self.ids.next(),
            name=self.bot.username,
            permissions=bot_permissions,
            position=1,
            managed=True,
        )
        guild.roles[bot_role.id] = bot_role
        guild.bot_role_id = bot_role.id
        self.guilds[guild_id] = guild
        self.add_member(guild_id, owner_id)
        self.add_member(guild_id, self.bot.id, role_ids=[bot_role.id])
        return guild

    def add_role(self, guild_id: int, name: str, permissions: int) -> Role:
        """Create a role in a guild."""
        guild = self.guilds[guild_id]
        role = Role(
            id=self.ids.next(), name=name, permissions=permissions, position=len(guild.roles)
        )
        guild.roles[role.id] = role
        return role

    def add_member(
        self, guild_id: int, user_id: int, *, role_ids: list[int] | None = None
    ) -> Member:
        """Add a user to a guild with the given roles."""
        member = Member(user_id=user_id, guild_id=guild_id, role_ids=list(role_ids or []))
        self.guilds[guild_id].members[user_id] = member
        return member

    def add_channel(
        self, guild_id: int, name: str, *, overwrites: list[Overwrite] | None = None
    ) -> Channel:
        """Create a text channel in a guild."""
        guild = self.guilds[guild_id]
        channel = Channel(
            id=self.ids.next(),
            name=name,
            guild_id=guild_id,
            position=len(guild.channel_ids),
            overwrites=list(overwrites or []),
        )
        guild.channel_ids.append(channel.id)
        self.channels[channel.id] = channel
        self.channel_messages[channel.id] = []
        return channel

    def dm_channel(self, user_id: int) -> Channel:
        """Return the bot's DM channel with a user, opening it on first use."""
        existing = self.dm_channel_of.get(user_id)
        if existing is not None:
            return self.channels[existing]
        channel = Channel(id=self.ids.next(), name="", type=DM_CHANNEL, recipient_ids=[user_id])
        self.channels[channel.id] = channel
        self.channel_messages[channel.id] = []
        self.dm_channel_of[user_id] = channel.id
        return channel

    def live_channel(self, channel_id: int) -> Channel | None:
        """Return a channel unless it does not exist or was deleted."""
        channel = self.channels.get(channel_id)
        return None if channel is None or channel.deleted else channel

    def guild_of(self, channel: Channel) -> Guild | None:
        """Return the guild a channel belongs to (None for DMs)."""
        return None if channel.guild_id is None else self.guilds.get(channel.guild_id)

    def bot_permissions_in(self, channel: Channel) -> int:
        """Return the bot's permissions in a channel (all of them in a DM)."""
        guild = self.guild_of(channel)
        if guild is None:
            return (
                perm.VIEW_CHANNEL
                | perm.SEND_MESSAGES
                | perm.EMBED_LINKS
                | perm.ATTACH_FILES
                | perm.READ_MESSAGE_HISTORY
            )
        return perm.channel_permissions(guild, channel, self.bot.id)

    def store(self, message: Message) -> None:
        """Store a message and make it the channel's latest."""
        self.messages[message.id] = message
        self.channel_messages.setdefault(message.channel_id, []).append(message)
        channel = self.channels.get(message.channel_id)
        if channel is not None:
            channel.last_message_id = message.id
