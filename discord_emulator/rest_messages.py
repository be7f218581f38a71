"""REST routes for channel messages, DM channels and typing."""

from __future__ import annotations

from collections.abc import Mapping

from . import errors
from . import permissions as perm
from .errors import ApiError, FieldError
from .payloads import channel_payload, message_payload
from .server import Call, Reply
from .state import Message


async def create_message(call: Call) -> Reply:
    """POST /channels/{channel_id}/messages, honouring enforce_nonce."""
    api = call.api
    body = call.json
    channel = api.messenger.channel_for_send(
        call.snowflake("channel_id", errors.unknown_channel), body, call.body.files
    )
    again = api.messenger.find_nonce(channel.id, api.world.bot.id, body)
    if again is not None:
        return Reply(message_payload(api.world, again))
    message = api.messenger.create(channel, api.world.bot.id, body, call.body.files)
    return Reply(message_payload(api.world, message))


async def list_messages(call: Call) -> Reply:
    """GET /channels/{channel_id}/messages: `limit` (1-100, default 50), `before`, `after`.

    A page is always listed newest first. With `after` it holds the oldest `limit` messages
    after that id (so a client pages forward by passing the page's first id), otherwise the
    newest ones (before `before`, when given).
    """
    api = call.api
    channel = api.world.live_channel(call.snowflake("channel_id", errors.unknown_channel))
    if channel is None:
        raise errors.unknown_channel()
    query = call.request.query
    limit = _limit(query.get("limit"))
    if (
        channel.guild_id is not None
        and not api.world.bot_permissions_in(channel) & perm.READ_MESSAGE_HISTORY
    ):
        return Reply([])
    shown = [
        m
        for m in api.world.channel_messages.get(channel.id, [])
        if not m.deleted and not m.ephemeral
    ]
    before = _snowflake_query(query, "before")
    after = _snowflake_query(query, "after")
    if before is not None:
        shown = [m for m in shown if m.id < before]
    # The oldest after `after`; else the newest.
    shown = [m for m in shown if m.id > after][:limit] if after is not None else shown[-limit:]
    return Reply([message_payload(api.world, m) for m in reversed(shown)])


def _limit(raw: str | None) -> int:
    """Return the page size asked for, refusing what Discord refuses (50035)."""
    if raw is None:
        return 50
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise errors.invalid_form_body(
            [FieldError(("limit",), "NUMBER_TYPE_MAX", "int value should be between 1 and 100")]
        )
    return int(raw)


def _snowflake_query(query: Mapping[str, str], name: str) -> int | None:
    """Return a snowflake query parameter, refusing one that is not a number (50035)."""
    raw = query.get(name)
    if raw is None:
        return None
    if not raw.isdigit():
        raise errors.invalid_form_body(
            [FieldError((name,), "NUMBER_TYPE_COERCE", f'Value "{raw}" is not snowflake.')]
        )
    return int(raw)


def _channel_message(call: Call) -> Message:
    """Return the message named by the path, or raise 404."""
    api = call.api
    channel = api.world.live_channel(call.snowflake("channel_id", errors.unknown_channel))
    if channel is None:
        raise errors.unknown_channel()
    message = api.world.messages.get(call.snowflake("message_id", errors.unknown_message))
    if message is None or message.deleted or message.channel_id != channel.id or message.ephemeral:
        raise errors.unknown_message()
    return message


async def get_message(call: Call) -> Reply:
    """GET /channels/{channel_id}/messages/{message_id}."""
    return Reply(message_payload(call.api.world, _channel_message(call)))


async def edit_message(call: Call) -> Reply:
    """PATCH /channels/{channel_id}/messages/{message_id} (own messages only)."""
    api = call.api
    message = _channel_message(call)
    if message.author_id != api.world.bot.id:
        raise ApiError(403, 50005, "Cannot edit a message authored by another user")
    return Reply(
        message_payload(api.world, api.messenger.edit(message, call.json, call.body.files))
    )


async def delete_message(call: Call) -> Reply:
    """DELETE /channels/{channel_id}/messages/{message_id} (others' need MANAGE_MESSAGES)."""
    api = call.api
    message = _channel_message(call)
    channel = api.world.channels[message.channel_id]
    if (
        message.author_id != api.world.bot.id
        and not api.world.bot_permissions_in(channel) & perm.MANAGE_MESSAGES
    ):
        raise errors.missing_permissions()
    api.messenger.delete(message)
    return Reply(status=204)


async def open_dm(call: Call) -> Reply:
    """POST /users/@me/channels: open (or return) the DM channel with a user."""
    api = call.api
    recipient = call.json.get("recipient_id")
    user_id = (
        int(recipient) if isinstance(recipient, (int, str)) and str(recipient).isdigit() else None
    )
    if user_id is None:
        raise errors.invalid_form_body(
            [FieldError(("recipient_id",), "BASE_TYPE_REQUIRED", "This field is required")]
        )
    if user_id not in api.world.users:
        raise ApiError(400, 50033, "Invalid Recipient(s)")
    return Reply(channel_payload(api.world.dm_channel(user_id), api.world))


async def trigger_typing(call: Call) -> Reply:
    """POST /channels/{channel_id}/typing."""
    channel = call.api.world.live_channel(call.snowflake("channel_id", errors.unknown_channel))
    if channel is None:
        raise errors.unknown_channel()
    return Reply(status=204)
