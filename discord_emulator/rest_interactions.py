"""REST routes for interaction callbacks, followups and @original (interaction webhooks)."""

from __future__ import annotations

import time
from typing import Any

from . import errors
from .errors import ApiError, FieldError
from .payloads import message_payload
from .recorder import Violation
from .results import (
    AUTOCOMPLETE,
    DEFERRED_MESSAGE,
    DEFERRED_UPDATE,
    MESSAGE,
    MODAL,
    UPDATE,
    Callback,
    InteractionResult,
)
from .server import Call, Reply
from .state import EPHEMERAL, LOADING, Channel, Message

CHAT_INPUT_REPLY, REPLY = 20, 19
# Which first responses Discord accepts for each interaction type.
ALLOWED = {
    2: {MESSAGE, DEFERRED_MESSAGE, MODAL},
    3: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE, MODAL},
    4: {AUTOCOMPLETE},
    5: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE},
}


async def callback(call: Call) -> Reply:
    """POST /interactions/{interaction_id}/{interaction_token}/callback: the first response."""
    api = call.api
    interaction = api.interactions.get(call.snowflake("interaction_id", errors.unknown_interaction))
    if interaction is None or interaction.token != call.params["interaction_token"]:
        raise errors.unknown_interaction()
    refusal = _refusal(interaction)
    if refusal is not None:
        interaction.rejected.append(refusal)
        interaction.changed()
        raise refusal
    body = call.json
    kind = body.get("type")
    if (
        not isinstance(kind, int)
        or kind not in ALLOWED.get(interaction.type, set())
        or (kind in (DEFERRED_UPDATE, UPDATE) and interaction.source_message_id is None)
    ):
        error = FieldError(
            ("type",),
            "INTERACTION_RESPONSE_TYPE_INVALID",
            f"Response type {kind} is not valid for interaction type {interaction.type}",
        )
        api.recorder.violations.append(
            Violation("POST", call.template, call.request.path, "own", [error], body)
        )
        raise errors.invalid_form_body([error])
    raw = body.get("data")
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    message = _respond(call, interaction, kind, data)
    interaction.initial = Callback(kind, data, call.body.files, time.monotonic())
    interaction.changed()
    if not call.flag("with_response"):
        return Reply(status=204)
    return Reply(_callback_body(call, interaction, kind, message))


def _refusal(interaction: InteractionResult) -> ApiError | None:
    """Return the error for a second or late first response."""
    if interaction.initial is not None:
        return errors.already_acknowledged()
    if interaction.expired:
        return errors.unknown_interaction()
    return None


def _respond(
    call: Call, interaction: InteractionResult, kind: int, data: dict[str, Any]
) -> Message | None:
    """Apply a first response of a given type; return the message it created or changed."""
    api = call.api
    if kind in (MESSAGE, DEFERRED_MESSAGE):
        raw = data.get("flags")
        flags = raw if isinstance(raw, int) else 0
        extra = {"flags": LOADING | (flags & EPHEMERAL)} if kind == DEFERRED_MESSAGE else {}
        body = data if kind == MESSAGE else {}
        message = api.messenger.create(
            _channel(call, interaction),
            api.world.bot.id,
            body,
            call.body.files,
            **_webhook_fields(call, interaction),
            **extra,
        )
        interaction.original_id = message.id
        return message
    if kind in (DEFERRED_UPDATE, UPDATE):
        source = api.world.messages.get(interaction.source_message_id or 0)
        if source is None or source.deleted:
            raise errors.unknown_message()
        interaction.original_id = source.id
        if kind == UPDATE:
            api.messenger.edit(source, data, call.body.files)
        return source
    if kind == AUTOCOMPLETE:
        interaction.choices = list(data.get("choices") or [])
    elif kind == MODAL:
        interaction.modal = data
    return None


def _channel(call: Call, interaction: InteractionResult) -> Channel:
    """Return the channel of an interaction (replies work there even if it was deleted since)."""
    return call.api.world.channels[interaction.channel_id]


def _webhook_fields(call: Call, interaction: InteractionResult) -> dict[str, Any]:
    """Return the message fields that mark a message as an interaction reply."""
    app_id = call.api.world.application.id
    command = interaction.type == 2
    return {
        "webhook_id": app_id,
        "application_id": app_id,
        "interaction_id": interaction.id,
        "interaction_user_id": interaction.user_id,
        "interaction_type": interaction.type,
        "interaction_name": interaction.name if command else None,
        "type": CHAT_INPUT_REPLY if command else REPLY,
    }


def _callback_body(
    call: Call, interaction: InteractionResult, kind: int, message: Message | None
) -> dict[str, Any]:
    """Return the with_response=true body that discord.py 2.7 reads."""
    summary: dict[str, Any] = {"id": str(interaction.id), "type": interaction.type}
    resource: dict[str, Any] = {"type": kind}
    if message is not None:
        summary["response_message_id"] = str(message.id)
        summary["response_message_loading"] = message.loading
        summary["response_message_ephemeral"] = message.ephemeral
        if kind in (MESSAGE, DEFERRED_MESSAGE, UPDATE):
            resource["message"] = message_payload(call.api.world, message)
    return {"interaction": summary, "resource": resource}


def _interaction(call: Call) -> InteractionResult:
    """Return the acknowledged interaction behind a webhook route, or raise Discord's error."""
    api = call.api
    interaction = api.interactions_by_token.get(call.params["webhook_token"])
    if interaction is None or call.params["webhook_id"] != str(api.world.application.id):
        raise errors.unknown_webhook()
    if not interaction.token_valid:
        raise errors.invalid_webhook_token()
    if interaction.initial is None:
        raise errors.unknown_webhook()
    return interaction


def _target(call: Call, interaction: InteractionResult) -> Message:
    """Return @original or a followup named by the path."""
    ref = call.params.get("message_id", "@original")
    message_id = (
        interaction.original_id if ref == "@original" else (int(ref) if ref.isdigit() else None)
    )
    owned = {interaction.original_id, *(m.id for m in interaction.followups)}
    message = call.api.world.messages.get(message_id or 0)
    if message is None or message.deleted or message.id not in owned:
        raise errors.unknown_message()
    return message


async def followup(call: Call) -> Reply:
    """POST /webhooks/{application_id}/{token}: a followup (fills a deferral's placeholder)."""
    api = call.api
    interaction = _interaction(call)
    original = interaction.original
    if (
        interaction.initial is not None
        and interaction.initial.type == DEFERRED_MESSAGE
        and original is not None
        and original.loading
    ):
        # Discord (deprecated, still live): this edits the "thinking" message, ephemeral flag kept.
        message = api.messenger.edit(original, call.json, call.body.files)
        interaction.edits += 1
    else:
        message = api.messenger.create(
            _channel(call, interaction),
            api.world.bot.id,
            call.json,
            call.body.files,
            **_webhook_fields(call, interaction),
        )
        interaction.followups.append(message)
    interaction.changed()
    if not call.flag("wait"):
        return Reply(status=204)
    return Reply(message_payload(api.world, message))


async def get_webhook_message(call: Call) -> Reply:
    """GET @original or a followup."""
    interaction = _interaction(call)
    return Reply(message_payload(call.api.world, _target(call, interaction)))


async def edit_webhook_message(call: Call) -> Reply:
    """PATCH @original or a followup."""
    interaction = _interaction(call)
    message = call.api.messenger.edit(_target(call, interaction), call.json, call.body.files)
    interaction.edits += 1
    interaction.changed()
    return Reply(message_payload(call.api.world, message))


async def delete_webhook_message(call: Call) -> Reply:
    """DELETE @original or a followup."""
    interaction = _interaction(call)
    call.api.messenger.delete(_target(call, interaction))
    interaction.changed()
    return Reply(status=204)
