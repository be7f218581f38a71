"""The Sender that posts through discord.py's REST client, mapping its errors to the outbox's."""

from __future__ import annotations

import io
import logging
from collections import OrderedDict
from datetime import datetime
from typing import Any, Final, NoReturn, Protocol

import aiohttp
import discord
from discord.http import handle_message_parameters
from discord.utils import MISSING

from bot.outbox.history import HistorySearch
from bot.outbox.marker import stamp
from bot.outbox.model import Destination, Payload, PayloadFile
from bot.outbox.retry import Pace, RequestPace
from bot.outbox.sender import RetryableSendError, SearchResult, UndeliverableError

log = logging.getLogger(__name__)

# Discord's JSON error code for a channel that does not exist (any more).
UNKNOWN_CHANNEL: Final = 10003
# DM channel ids never change; remembering the last few thousand saves a request per DM.
DM_CACHE_SIZE: Final = 4_096
# A summary run sends one chart to every server: keep the last few files' bytes in memory
# rather than reading the same blob from the store for each message.
FILE_CACHE_SIZE: Final = 4


class FileSource(Protocol):
    """Where attachment bytes are kept, by content hash (the store's ``outbox_files``)."""

    async def file(self, sha256: str) -> bytes | None:
        """Return a stored file's bytes, or None when it is not stored."""
        ...


class DiscordSender:
    """Posts outbox payloads with a nonce Discord enforces, so a retry never posts twice."""

    def __init__(
        self,
        client: discord.Client,
        *,
        dm_cache_size: int = DM_CACHE_SIZE,
        files: FileSource | None = None,
        pace: Pace | None = None,
    ) -> None:
        self._client = client
        self._dm_channels: OrderedDict[int, int] = OrderedDict()
        self._dm_cache_size = dm_cache_size
        self._files = files
        self._file_cache: OrderedDict[str, bytes] = OrderedDict()
        self._pace = pace or RequestPace()  # Discord's global limit, shared by every send
        self._history = HistorySearch(client.http, self._pace)

    async def send_channel(self, channel_id: int, payload: Payload, nonce: str) -> int:
        """Post ``payload`` in channel ``channel_id``; return the message id."""
        try:
            return await self._post(channel_id, payload, nonce)
        except discord.Forbidden as exc:
            # 50013 Missing Permissions / 50001 Missing Access: a 403 on a channel always
            # means the bot may not post there until an admin changes something.
            raise UndeliverableError("missing_permissions", _describe(exc)) from exc
        except discord.NotFound as exc:
            # 10003 Unknown Channel: deleted, or the bot left the server.
            raise UndeliverableError("channel_gone", _describe(exc)) from exc
        except Exception as exc:
            _raise_common(exc)

    async def send_dm(self, user_id: int, payload: Payload, nonce: str) -> int:
        """Post ``payload`` in user ``user_id``'s direct messages; return the message id."""
        try:
            channel_id = await self._dm_channel(user_id)
            return await self._post(channel_id, payload, nonce)
        except discord.Forbidden as exc:
            # 50007 is the usual answer; any refusal to DM a user means the same to them.
            raise UndeliverableError("dm_closed", _describe(exc)) from exc
        except discord.NotFound as exc:
            if exc.code == UNKNOWN_CHANNEL:
                # A DM channel we remembered is gone: open a fresh one on the next attempt.
                self._dm_channels.pop(user_id, None)
                raise RetryableSendError(_describe(exc)) from exc
            raise UndeliverableError("dm_closed", _describe(exc)) from exc
        except Exception as exc:
            _raise_common(exc)

    async def find(self, destination: Destination, marker: str, after: datetime) -> SearchResult:
        """Read the destination since ``after`` for the bot's message carrying ``marker``."""
        user = self._client.user
        if user is None:
            raise RetryableSendError("not logged in yet: cannot tell the bot's own messages")
        try:
            if destination.user_id is not None:
                channel_id = await self._dm_channel(destination.user_id)
            else:
                assert destination.channel_id is not None
                channel_id = destination.channel_id
            return await self._history.search(channel_id, marker, after, user.id)
        except discord.Forbidden as exc:
            # The DM could not even be opened: the send that follows reports why.
            log.warning("cannot open %s to settle a send: %s", destination, _describe(exc))
            return SearchResult(None, 0, gave_up=True)
        except Exception as exc:
            _raise_common(exc)

    async def _post(self, channel_id: int, payload: Payload, nonce: str) -> int:
        # The row's marker goes on every message: after a lost answer, a read of the channel
        # recognises it (see bot/outbox/marker.py).
        payload = stamp(payload, nonce)
        users = [discord.Object(id=user_id) for user_id in payload["allowed_mentions"]["users"]]
        # Fresh File objects per attempt: discord.py reads (and closes) them as it sends.
        files = [await self._attachment(ref) for ref in payload.get("files", [])]
        # handle_message_parameters adds "enforce_nonce": true whenever a nonce is given.
        with handle_message_parameters(
            content=payload["content"] or MISSING,
            embeds=[discord.Embed.from_dict(embed) for embed in payload["embeds"]],
            allowed_mentions=discord.AllowedMentions(
                everyone=False, roles=False, replied_user=False, users=users
            ),
            nonce=nonce,
            files=files or MISSING,
        ) as params:
            await self._pace.wait()
            message: Any = await self._client.http.send_message(channel_id, params=params)
        return int(message["id"])

    async def _attachment(self, ref: PayloadFile) -> discord.File:
        """Return the file a payload names, read from the store (or the last few sent)."""
        sha256 = ref["sha256"]
        data = self._file_cache.get(sha256)
        if data is None:
            data = await self._files.file(sha256) if self._files is not None else None
            if data is None:
                # Nothing else can make this message whole: Discord would get a broken embed.
                raise UndeliverableError("rejected", f"attachment {sha256[:12]} is not stored")
            self._file_cache[sha256] = data
            if len(self._file_cache) > FILE_CACHE_SIZE:
                self._file_cache.popitem(last=False)
        else:
            self._file_cache.move_to_end(sha256)
        return discord.File(io.BytesIO(data), filename=ref["filename"])

    async def _dm_channel(self, user_id: int) -> int:
        cached = self._dm_channels.get(user_id)
        if cached is not None:
            self._dm_channels.move_to_end(user_id)
            return cached
        await self._pace.wait()
        channel: Any = await self._client.http.start_private_message(user_id)
        channel_id = int(channel["id"])
        self._dm_channels[user_id] = channel_id
        if len(self._dm_channels) > self._dm_cache_size:
            self._dm_channels.popitem(last=False)
        return channel_id


def _raise_common(exc: Exception) -> NoReturn:
    """Map the failures shared by channel and DM sends; re-raise anything unknown."""
    # A 429 refuses the request before Discord does anything: that answer is certain. After
    # a 5xx or a lost connection the message may exist (answered stays False).
    if isinstance(exc, discord.RateLimited):
        raise RetryableSendError(str(exc), retry_after=exc.retry_after, answered=True) from exc
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            raise RetryableSendError(_describe(exc), answered=True) from exc
        if exc.status >= 500:
            raise RetryableSendError(_describe(exc)) from exc
        # Any other 4xx: Discord refused this very message (e.g. an invalid form body).
        raise UndeliverableError("rejected", _describe(exc)) from exc
    if isinstance(exc, aiohttp.ClientError | TimeoutError | OSError):
        raise RetryableSendError(f"{type(exc).__name__}: {exc}") from exc
    raise exc


def _describe(exc: discord.HTTPException) -> str:
    return f"HTTP {exc.status} (code {exc.code}): {exc.text[:200]}"
