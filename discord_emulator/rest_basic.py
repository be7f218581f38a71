"""REST routes for login, gateway discovery, users, guilds and application commands."""

from __future__ import annotations

from typing import Any

from . import errors
from .errors import ApiError
from .payloads import (
    application_payload,
    channel_payload,
    member_payload,
    role_payload,
    self_user_payload,
    user_payload,
)
from .server import Call, Reply


async def get_me(call: Call) -> Reply:
    """GET /users/@me."""
    return Reply(self_user_payload(call.api.world.bot))


async def get_application(call: Call) -> Reply:
    """GET /oauth2/applications/@me."""
    return Reply(application_payload(call.api.world))


async def get_gateway(call: Call) -> Reply:
    """GET /gateway."""
    return Reply({"url": call.api.gateway_url()})


async def get_gateway_bot(call: Call) -> Reply:
    """GET /gateway/bot (used by AutoShardedBot to learn how many shards to run)."""
    return Reply(call.api.gateway_bot())


async def get_user(call: Call) -> Reply:
    """GET /users/{user_id}."""
    user = call.api.world.users.get(call.snowflake("user_id", _unknown_user))
    if user is None:
        raise _unknown_user()
    return Reply(user_payload(user))


async def get_guild_member(call: Call) -> Reply:
    """GET /guilds/{guild_id}/members/{user_id}."""
    guild = call.api.world.guilds.get(call.snowflake("guild_id", _unknown_guild))
    if guild is None:
        raise _unknown_guild()
    member = guild.members.get(call.snowflake("user_id", _unknown_member))
    if member is None:
        raise _unknown_member()
    return Reply(member_payload(call.api.world, member))


async def list_roles(call: Call) -> Reply:
    """GET /guilds/{guild_id}/roles (the bot must be in the guild)."""
    guild = call.api.world.guilds.get(call.snowflake("guild_id", _unknown_guild))
    if guild is None:
        raise _unknown_guild()
    if call.api.world.bot.id not in guild.members:
        raise ApiError(403, 50001, "Missing Access")
    return Reply([role_payload(role) for role in guild.roles.values()])


async def get_channel(call: Call) -> Reply:
    """GET /channels/{channel_id}."""
    channel = call.api.world.live_channel(call.snowflake("channel_id", errors.unknown_channel))
    if channel is None:
        raise errors.unknown_channel()
    return Reply(channel_payload(channel, call.api.world))


def _scope(call: Call) -> int | None:
    """Return a command route's guild (None = global), checking the application id."""
    if call.params.get("application_id") != str(call.api.world.application.id):
        raise ApiError(403, 50001, "Missing Access")
    if "guild_id" not in call.params:
        return None
    guild_id = call.snowflake("guild_id", _unknown_guild)
    if guild_id not in call.api.world.guilds:
        raise ApiError(403, 50001, "Missing Access")
    return guild_id


async def put_commands(call: Call) -> Reply:
    """PUT /applications/{application_id}[/guilds/{guild_id}]/commands: bulk overwrite."""
    definitions = call.body.json if isinstance(call.body.json, list) else []
    return Reply(
        call.api.commands.overwrite(_scope(call), [d for d in definitions if isinstance(d, dict)])
    )


async def list_commands(call: Call) -> Reply:
    """GET /applications/{application_id}[/guilds/{guild_id}]/commands."""
    return Reply(call.api.commands.in_scope(_scope(call)))


async def create_command(call: Call) -> Reply:
    """POST /applications/{application_id}[/guilds/{guild_id}]/commands: create or replace one."""
    return Reply(call.api.commands.upsert(_scope(call), call.json), status=201)


async def get_command(call: Call) -> Reply:
    """GET one command."""
    found = call.api.commands.get(_scope(call), call.params["command_id"])
    if found is None:
        raise _unknown_command()
    return Reply(found)


async def edit_command(call: Call) -> Reply:
    """PATCH one command (fields not given are kept)."""
    scope = _scope(call)
    found = call.api.commands.get(scope, call.params["command_id"])
    if found is None:
        raise _unknown_command()
    merged: dict[str, Any] = {**found, **call.json}
    call.api.commands.delete(scope, found["id"])
    return Reply(call.api.commands.upsert(scope, merged))


async def delete_command(call: Call) -> Reply:
    """DELETE one command."""
    if not call.api.commands.delete(_scope(call), call.params["command_id"]):
        raise _unknown_command()
    return Reply(status=204)


def _unknown_user() -> ApiError:
    """Build Discord's 404 for an unknown user."""
    return ApiError(404, 10013, "Unknown User")


def _unknown_guild() -> ApiError:
    """Build Discord's 404 for an unknown guild."""
    return ApiError(404, 10004, "Unknown Guild")


def _unknown_member() -> ApiError:
    """Build Discord's 404 for an unknown member."""
    return ApiError(404, 10007, "Unknown Member")


def _unknown_command() -> ApiError:
    """Build Discord's 404 for an unknown application command."""
    return ApiError(404, 10063, "Unknown application command")
