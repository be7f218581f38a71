"""JSON payloads for users, members, guilds, channels and messages, as discord.py reads them."""

from __future__ import annotations

from typing import Any

from .state import DM_CHANNEL, Attachment, Channel, Guild, Member, Message, Role, User, World

GUILD_MEMBERS_INTENT = 1 << 1


def user_payload(user: User) -> dict[str, Any]:
    """Return a user object."""
    payload: dict[str, Any] = {
        "id": str(user.id),
        "username": user.username,
        "global_name": user.global_name,
        "discriminator": "0",
        "avatar": None,
        "avatar_decoration_data": None,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "primary_guild": None,
        "collectibles": None,
    }
    if user.bot:
        payload["bot"] = True
    return payload


def self_user_payload(user: User) -> dict[str, Any]:
    """Return the bot's own user object (GET /users/@me, READY.user)."""
    return {
        **user_payload(user),
        "verified": True,
        "mfa_enabled": False,
        "locale": "en-US",
        "email": None,
    }


def role_payload(role: Role) -> dict[str, Any]:
    """Return a role object."""
    return {
        "id": str(role.id),
        "name": role.name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": role.position,
        "permissions": str(role.permissions),
        "managed": role.managed,
        "mentionable": False,
        "flags": 0,
        "tags": {"bot_id": None} if role.managed else {},
    }


def member_payload(
    world: World, member: Member, *, with_user: bool = True, permissions: int | None = None
) -> dict[str, Any]:
    """Return a guild member object; `permissions` is only present inside interactions."""
    payload: dict[str, Any] = {
        "roles": [str(r) for r in member.role_ids],
        "nick": member.nick,
        "avatar": None,
        "banner": None,
        "joined_at": member.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "communication_disabled_until": None,
    }
    if with_user:
        payload["user"] = user_payload(world.users[member.user_id])
    if permissions is not None:
        payload["permissions"] = str(permissions)
    return payload


def channel_payload(channel: Channel, world: World) -> dict[str, Any]:
    """Return a channel object (guild text channel or DM)."""
    if channel.type == DM_CHANNEL:
        return {
            "id": str(channel.id),
            "type": DM_CHANNEL,
            "last_message_id": _opt_id(channel.last_message_id),
            "flags": 0,
            "recipients": [user_payload(world.users[uid]) for uid in channel.recipient_ids],
        }
    return {
        "id": str(channel.id),
        "type": channel.type,
        "guild_id": _opt_id(channel.guild_id),
        "name": channel.name,
        "position": channel.position,
        "permission_overwrites": [
            {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
            for o in channel.overwrites
        ],
        "topic": channel.topic,
        "nsfw": False,
        "last_message_id": _opt_id(channel.last_message_id),
        "rate_limit_per_user": 0,
        "parent_id": None,
        "flags": 0,
    }


def guild_create_payload(world: World, guild: Guild, intents: int) -> dict[str, Any]:
    """Return GUILD_CREATE; without the members intent it lists only the bot's member."""
    members = list(guild.members.values())
    if not intents & GUILD_MEMBERS_INTENT:
        members = [m for m in members if m.user_id == world.bot.id]
    channels = [world.channels[cid] for cid in guild.channel_ids if not world.channels[cid].deleted]
    bot_member = guild.members[world.bot.id]
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(guild.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "preferred_locale": guild.locale,
        "features": [],
        "max_members": 500000,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "application_id": None,
        "widget_enabled": False,
        "roles": [role_payload(r) for r in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "soundboard_sounds": [],
        "incidents_data": None,
        # Gateway-only fields of GUILD_CREATE.
        "joined_at": bot_member.joined_at,
        "large": False,
        "unavailable": False,
        "member_count": len(guild.members),
        "voice_states": [],
        "members": [member_payload(world, m) for m in members],
        "channels": [channel_payload(c, world) for c in channels],
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "embedded_activities": [],
        "lazy": True,
    }


def attachment_payload(attachment: Attachment) -> dict[str, Any]:
    """Return an attachment object; its URL is served by the emulator."""
    payload: dict[str, Any] = {
        "id": str(attachment.id),
        "filename": attachment.filename,
        "size": attachment.size,
        "url": attachment.url,
        "proxy_url": attachment.url,
        "content_type": attachment.content_type,
    }
    if attachment.description is not None:
        payload["description"] = attachment.description
    return payload


def message_payload(world: World, message: Message, *, gateway: bool = False) -> dict[str, Any]:
    """Return a message as REST does (plus `guild_id` and `member` for gateway events)."""
    author = world.users[message.author_id]
    payload: dict[str, Any] = {
        "id": str(message.id),
        "channel_id": str(message.channel_id),
        "type": message.type,
        "content": message.content,
        "author": user_payload(author),
        "timestamp": message.timestamp,
        "edited_timestamp": message.edited_timestamp,
        "tts": message.tts,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "mention_channels": [],
        "attachments": [attachment_payload(a) for a in message.attachments],
        "embeds": message.embeds,
        "components": message.components,
        "pinned": False,
        "flags": message.flags,
        "reactions": [],
    }
    if message.nonce is not None:
        payload["nonce"] = message.nonce
    if message.webhook_id is not None:
        payload["webhook_id"] = str(message.webhook_id)
    if message.application_id is not None:
        payload["application_id"] = str(message.application_id)
    if message.message_reference is not None:
        payload["message_reference"] = message.message_reference
    if message.interaction_id is not None and message.interaction_user_id is not None:
        user = user_payload(world.users[message.interaction_user_id])
        owners = (
            {"0": str(message.guild_id)}
            if message.guild_id is not None
            else {"1": str(message.interaction_user_id)}
        )
        payload["interaction_metadata"] = {
            "id": str(message.interaction_id),
            "type": message.interaction_type or 2,
            "user": user,
            "authorizing_integration_owners": owners,
        }
        if message.interaction_name:
            payload["interaction_metadata"]["name"] = message.interaction_name
            payload["interaction"] = {
                "id": str(message.interaction_id),
                "type": 2,
                "name": message.interaction_name,
                "user": user,
            }
    if gateway and message.guild_id is not None:
        payload["guild_id"] = str(message.guild_id)
        guild = world.guilds.get(message.guild_id)
        member = guild.members.get(message.author_id) if guild is not None else None
        if member is not None:
            payload["member"] = member_payload(world, member, with_user=False)
    return payload


def application_payload(world: World) -> dict[str, Any]:
    """Return GET /oauth2/applications/@me, with an owner and optionally a team."""
    app = world.application
    team: dict[str, Any] | None = None
    if app.team_id is not None:
        team = {
            "id": str(app.team_id),
            "name": f"{app.name} team",
            "icon": None,
            "owner_user_id": str(app.owner_id),
            "members": [
                {
                    "membership_state": 2,
                    "team_id": str(app.team_id),
                    "user": user_payload(world.users[uid]),
                    "role": "admin" if uid == app.owner_id else "developer",
                    "permissions": ["*"],
                }
                for uid in app.team_member_ids
            ],
        }
    owner = world.users[app.owner_id]
    return {
        "id": str(app.id),
        "name": app.name,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "hook": True,
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": app.flags,
        "owner": user_payload(owner) if team is None else _team_pseudo_user(app.team_id or 0),
        "team": team,
        "bot": self_user_payload(world.bot),
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "approximate_guild_count": len(world.guilds),
        "tags": [],
        "integration_types_config": {"0": {}},
    }


def _team_pseudo_user(team_id: int) -> dict[str, Any]:
    """Return the pseudo-user Discord reports as owner of a team-owned application."""
    # Its id is the team's id and flag 1024 marks it TEAM_PSEUDO_USER.
    return {
        "id": str(team_id),
        "username": f"team{team_id}",
        "global_name": None,
        "discriminator": "0000",
        "avatar": None,
        "public_flags": 1024,
        "flags": 1024,
    }


def _opt_id(value: int | None) -> str | None:
    """Return a snowflake as a string, keeping None."""
    return None if value is None else str(value)
