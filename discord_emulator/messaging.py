"""Create, edit and delete messages from request bodies: permissions, files, nonces, events."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

from . import errors
from . import permissions as perm
from .gateway import Gateway
from .ids import iso_timestamp
from .payloads import message_payload
from .recorder import UploadedFile
from .state import DM_CHANNEL, EPHEMERAL, LOADING, Attachment, Channel, Message, World
from .waiting import Signal

# Flags a sender may set: suppress embeds, ephemeral, suppress notifications, components v2.
SETTABLE_FLAGS = (1 << 2) | EPHEMERAL | (1 << 12) | (1 << 15)
GUILD_MESSAGES_INTENT = 1 << 9
DIRECT_MESSAGES_INTENT = 1 << 12


class Messenger:
    """Apply message bodies to the world and tell the gateway and waiting tests about it."""

    def __init__(
        self, world: World, gateway: Gateway, attachment_url: Callable[[int, int, str], str]
    ) -> None:
        self.world = world
        self.gateway = gateway
        self.attachment_url = attachment_url
        self.posted = Signal()
        self.nonce_window = 300.0
        self.strict_embed_permission = False
        self.stripped_embeds: list[Message] = []
        # Called with ("MESSAGE_CREATE" | "MESSAGE_UPDATE" | ..., message): the sandbox
        # console prints the bot's own posts as they arrive.
        self.listeners: list[Callable[[str, Message], None]] = []
        self._nonces: dict[tuple[int, int, str], tuple[Message, float]] = {}

    def channel_for_send(
        self, channel_id: int, body: dict[str, Any], files: list[UploadedFile]
    ) -> Channel:
        """Return a channel the bot may post this body in, or raise Discord's 404/403."""
        channel = self.world.live_channel(channel_id)
        if channel is None:
            raise errors.unknown_channel()
        if channel.type == DM_CHANNEL:
            recipient = self.world.users[channel.recipient_ids[0]]
            if not recipient.dms_open or recipient.bot:
                raise errors.cannot_dm()
            return channel
        perms = self.world.bot_permissions_in(channel)
        if not perms & perm.VIEW_CHANNEL:
            raise errors.missing_access()
        if not perms & perm.SEND_MESSAGES:
            raise errors.missing_permissions()
        if files and not perms & perm.ATTACH_FILES:
            raise errors.missing_permissions()
        if body.get("embeds") and not perms & perm.EMBED_LINKS and self.strict_embed_permission:
            raise errors.missing_permissions()
        return channel

    def forget_nonces(self) -> None:
        """Forget every enforced nonce now, as Discord does a few minutes after a send."""
        self._nonces.clear()

    def find_nonce(self, channel_id: int, author_id: int, body: dict[str, Any]) -> Message | None:
        """Return the message an enforced nonce already created within the window."""
        nonce = body.get("nonce")
        if nonce is None or not body.get("enforce_nonce"):
            return None
        found = self._nonces.get((channel_id, author_id, str(nonce)))
        if found is None or time.monotonic() - found[1] > self.nonce_window or found[0].deleted:
            return None
        return found[0]

    def create(
        self,
        channel: Channel,
        author_id: int,
        body: dict[str, Any],
        files: list[UploadedFile],
        **fields: Any,
    ) -> Message:
        """Create a message from a body (refusing empty ones) and announce it."""
        message = Message(
            id=self.world.ids.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author_id=author_id,
            **fields,
        )
        self.apply(message, body, files, creating=True)
        if not fields.get("flags", 0) & LOADING:
            self.refuse_empty(message)
        self._strip_embeds_without_permission(channel, message)
        nonce = body.get("nonce")
        if nonce is not None:
            message.nonce = nonce
            if body.get("enforce_nonce"):
                self._nonces[(channel.id, author_id, str(nonce))] = (message, time.monotonic())
        self.world.store(message)
        self._announce("MESSAGE_CREATE", message)
        return message

    def edit(self, message: Message, body: dict[str, Any], files: list[UploadedFile]) -> Message:
        """Edit a message with a PATCH body, keeping what the body does not mention."""
        before = copy.copy(message)
        self.apply(message, body, files, creating=False)
        message.flags &= ~LOADING
        try:
            self.refuse_empty(message)
        except errors.ApiError:
            # Roll back: Discord rejects the edit as a whole.
            message.__dict__.update(before.__dict__)
            raise
        message.edited_timestamp = iso_timestamp()
        self._announce("MESSAGE_UPDATE", message)
        return message

    def delete(self, message: Message) -> None:
        """Delete a message."""
        message.deleted = True
        data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        if not message.ephemeral:
            self.gateway.dispatch(
                "MESSAGE_DELETE", data, guild_id=message.guild_id, intent=self._intent(message)
            )
        self.posted.notify()

    def apply(
        self, message: Message, body: dict[str, Any], files: list[UploadedFile], *, creating: bool
    ) -> None:
        """Copy content, embeds, components, flags and attachments from a body onto a message."""
        if "content" in body:
            message.content = body.get("content") or ""
        if "embeds" in body:
            message.embeds = [
                _normalise_embed(e) for e in body.get("embeds") or [] if isinstance(e, dict)
            ]
        if "components" in body:
            message.components = list(body.get("components") or [])
        if "flags" in body and isinstance(body.get("flags"), int):
            flags = body["flags"] & SETTABLE_FLAGS
            # The ephemeral flag cannot be changed after creation.
            message.flags = (
                flags if creating else (flags & ~EPHEMERAL) | (message.flags & EPHEMERAL)
            )
        if creating and isinstance(body.get("tts"), bool):
            message.tts = body["tts"]
        if creating and isinstance(body.get("message_reference"), dict):
            message.message_reference = body["message_reference"]
            message.type = 19
        message.attachments = self._attachments(message, body, files, creating=creating)
        _resolve_attachment_urls(message)

    def _attachments(
        self, message: Message, body: dict[str, Any], files: list[UploadedFile], *, creating: bool
    ) -> list[Attachment]:
        """Return kept attachments plus new uploads (`files[n]` is attachment id n)."""
        uploads: dict[int, UploadedFile] = {}
        for position, upload in enumerate(files):
            index = _file_index(upload.field_name)
            uploads[index if index is not None else position] = upload
        listed = body.get("attachments")
        if not isinstance(listed, list):
            kept = [] if creating else list(message.attachments)
            return kept + [self._new_attachment(message, u, None) for u in uploads.values()]
        existing = {str(a.id): a for a in message.attachments}
        result: list[Attachment] = []
        for entry in listed:
            if not isinstance(entry, dict):
                continue
            ref = str(entry.get("id"))
            if ref in existing:
                result.append(existing[ref])
            elif ref.isdigit() and int(ref) in uploads:
                upload = uploads.pop(int(ref))
                result.append(self._new_attachment(message, upload, entry))
        return result

    def _new_attachment(
        self, message: Message, upload: UploadedFile, entry: dict[str, Any] | None
    ) -> Attachment:
        """Store an uploaded file as an attachment served by the emulator."""
        attachment_id = self.world.ids.next()
        filename = str((entry or {}).get("filename") or upload.filename)
        return Attachment(
            id=attachment_id,
            filename=filename,
            data=upload.data,
            url=self.attachment_url(message.channel_id, attachment_id, filename),
            content_type=_guess_type(filename, upload.content_type),
            description=(entry or {}).get("description"),
        )

    def refuse_empty(self, message: Message) -> None:
        """Raise Discord's 50006 for a message with nothing to show."""
        if (
            not message.content.strip()
            and not message.embeds
            and not message.attachments
            and not message.components
        ):
            raise errors.empty_message()

    def _strip_embeds_without_permission(self, channel: Channel, message: Message) -> None:
        """Drop embeds the bot may not post, as Discord does; refuse the send if nothing is left."""
        if channel.guild_id is None or not message.embeds or message.webhook_id is not None:
            return
        if self.world.bot_permissions_in(channel) & perm.EMBED_LINKS:
            return
        message.embeds = []
        if not message.content.strip() and not message.attachments and not message.components:
            raise errors.missing_permissions()
        self.stripped_embeds.append(message)

    def _intent(self, message: Message) -> int:
        """Return the intent that carries events about this message."""
        return DIRECT_MESSAGES_INTENT if message.guild_id is None else GUILD_MESSAGES_INTENT

    def _announce(self, event: str, message: Message) -> None:
        """Dispatch a message event (never for ephemeral messages) and wake waiting tests."""
        if not message.ephemeral and not message.loading:
            self.gateway.dispatch(
                event,
                message_payload(self.world, message, gateway=True),
                guild_id=message.guild_id,
                intent=self._intent(message),
            )
        for listener in self.listeners:
            listener(event, message)
        self.posted.notify()


def _normalise_embed(embed: dict[str, Any]) -> dict[str, Any]:
    """Return an embed the way Discord echoes it back (type rich, no nulls)."""
    clean = {k: v for k, v in embed.items() if v is not None}
    clean.setdefault("type", "rich")
    return clean


def _resolve_attachment_urls(message: Message) -> None:
    """Point attachment://name references in embeds at the uploaded file, as Discord does."""
    by_name = {a.filename: a.url for a in message.attachments}
    for embed in message.embeds:
        for key in ("image", "thumbnail"):
            part = embed.get(key)
            if not isinstance(part, dict):
                continue
            url = part.get("url")
            if isinstance(url, str) and url.startswith("attachment://"):
                target = by_name.get(url.removeprefix("attachment://"))
                if target is not None:
                    embed[key] = {**part, "url": target, "proxy_url": target}


def _file_index(field_name: str) -> int | None:
    """Return n for a `files[n]` form field."""
    if field_name.startswith("files[") and field_name.endswith("]") and field_name[6:-1].isdigit():
        return int(field_name[6:-1])
    return None


def _guess_type(filename: str, declared: str | None) -> str | None:
    """Return a content type as Discord infers it from the file name."""
    lower = filename.lower()
    for suffix, kind in (
        (".png", "image/png"),
        (".jpg", "image/jpeg"),
        (".jpeg", "image/jpeg"),
        (".gif", "image/gif"),
        (".txt", "text/plain; charset=utf-8"),
        (".csv", "text/csv; charset=utf-8"),
        (".json", "application/json"),
    ):
        if lower.endswith(suffix):
            return kind
    return None if declared in (None, "application/octet-stream") else declared
