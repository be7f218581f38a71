"""Alert messages for the outbox: who gets which firing or notice, in how many posts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final, TypeVar

from bot.alerts.engine import Firing
from bot.alerts.model import Alert
from bot.i18n import speaking
from bot.i18n.language import DEFAULT, Language
from bot.limits import EMBED_TOTAL, EMBEDS_PER_MESSAGE
from bot.outbox.model import (
    Destination,
    OutboxKind,
    OutboxMessage,
    Payload,
    embed_text_length,
)
from bot.render.alerts import (
    FAILURE_REASONS,
    NOTICE_LINES,
    expiry_embed,
    failure_embed,
    fired_text,
    firing_embed,
)

T = TypeVar("T")
# Rendering hands the event loop back after this long (commands wait meanwhile).
RENDER_SLICE_SECONDS: Final = 0.004
# The language of a post to a destination (of a server, when not a DM): bot.languages answers.
LanguageOf = Callable[[Destination, int | None], Language]


def in_english(_destination: Destination, _guild_id: int | None) -> Language:
    """Write every post in English (where no server or member language is known)."""
    return DEFAULT


def destination_of(alert: Alert) -> Destination:
    """Return where an alert posts: its owner's DMs, or the channel it was created in."""
    return Destination.dm(alert.owner_id) if alert.via_dm else Destination.channel(alert.channel_id)


def alert_messages(
    firings: Sequence[Firing], language_of: LanguageOf = in_english
) -> list[OutboxMessage]:
    """Group one evaluation's firings into messages: one per destination, ≤ 10 embeds each.

    Each message is written in its destination's language: the server's, or the member's DMs.
    """
    return [m for part in _firing_parts(firings, language_of) for m in part]


async def alert_messages_in_slices(
    firings: Sequence[Firing], language_of: LanguageOf = in_english
) -> list[OutboxMessage]:
    """``alert_messages``, handing the event loop back every few milliseconds of rendering
    (a market-wide jump renders thousands of embeds)."""
    messages: list[OutboxMessage] = []
    started = time.perf_counter()
    for part in _firing_parts(firings, language_of):
        messages += part
        if time.perf_counter() - started > RENDER_SLICE_SECONDS:
            await asyncio.sleep(0)
            started = time.perf_counter()
    return messages


def _firing_parts(
    firings: Sequence[Firing], language_of: LanguageOf
) -> Iterator[list[OutboxMessage]]:
    """Yield the messages of each destination in turn (see ``alert_messages``)."""
    ordered = sorted(firings, key=lambda f: (f.alert.id, f.number))
    for destination, group in _by_destination(ordered, lambda f: destination_of(f.alert)):
        with speaking(language_of(destination, group[0].alert.guild_id)):
            part = _firing_messages(destination, group)
        yield part  # outside the block: the caller may hand the loop over meanwhile


def _firing_messages(destination: Destination, group: list[Firing]) -> list[OutboxMessage]:
    """Return one destination's firings as messages of at most 10 embeds."""
    messages: list[OutboxMessage] = []
    embeds = [(firing, firing_embed(firing)) for firing in group]
    for chunk in _chunks(embeds):
        first = chunk[0][0]
        owners = _unique(f.alert.owner_id for f, _ in chunk)
        messages.append(
            OutboxMessage(
                # Every firing lands in exactly one message, so the first one names it.
                dedupe_key=f"alert:{first.alert.id}:{first.number}",
                kind=OutboxKind.ALERT,
                destination=destination,
                guild_id=None if destination.is_dm else first.alert.guild_id,
                payload=_payload(destination, owners, [e for _, e in chunk], len(chunk)),
                alert_ids=tuple(_unique(f.alert.id for f, _ in chunk)),
            )
        )
    return messages


def _payload(
    destination: Destination, owners: list[int], embeds: list[dict[str, Any]], count: int
) -> Payload:
    content = fired_text(owners, count, dm=destination.is_dm)
    users = [] if destination.is_dm else owners  # nobody to ping in a DM
    return {"content": content, "embeds": embeds, "allowed_mentions": {"users": users}}


def expiry_notices(
    alerts: Sequence[Alert], language_of: LanguageOf = in_english
) -> list[OutboxMessage]:
    """Tell each owner once, where their alerts post, which of them expired."""
    messages: list[OutboxMessage] = []
    ordered = sorted(alerts, key=lambda a: a.id)
    for (destination, owner), group in _by_destination(
        ordered, lambda a: (destination_of(a), a.owner_id)
    ):
        for start in range(0, len(group), NOTICE_LINES):
            chunk = group[start : start + NOTICE_LINES]
            with speaking(language_of(destination, chunk[0].guild_id)):
                embed = expiry_embed(chunk)
            messages.append(_notice(f"expired:{chunk[0].id}", destination, owner, chunk, embed))
    return messages


def failure_notices(
    outbox_id: int, alerts: Sequence[Alert], reason: str, language_of: LanguageOf = in_english
) -> list[OutboxMessage]:
    """Tell the owners of paused alerts why, wherever they can still be reached."""
    # Closed DMs are reported in the channel the alert was created in; a gone or forbidden
    # channel by DM.
    if reason not in FAILURE_REASONS:
        return []

    def where(alert: Alert) -> tuple[Destination, int]:
        """Return where to tell the owner of ``alert``, and who that is."""
        if reason == "dm_closed":
            return Destination.channel(alert.channel_id), alert.owner_id
        return Destination.dm(alert.owner_id), alert.owner_id

    messages: list[OutboxMessage] = []
    for (destination, owner), group in _by_destination(sorted(alerts, key=lambda a: a.id), where):
        with speaking(language_of(destination, group[0].guild_id)):
            embed = failure_embed(reason, group)
        assert embed is not None  # the reason was checked above
        key = f"undeliverable:{outbox_id}:{destination}:{owner}"
        messages.append(_notice(key, destination, owner, group, embed))
    return messages


def _notice(
    key: str, destination: Destination, owner: int, alerts: Sequence[Alert], embed: dict[str, Any]
) -> OutboxMessage:
    if destination.is_dm:
        payload: Payload = {"content": "", "embeds": [embed], "allowed_mentions": {"users": []}}
    else:
        payload = {
            "content": f"<@{owner}>",
            "embeds": [embed],
            "allowed_mentions": {"users": [owner]},
        }
    return OutboxMessage(
        dedupe_key=key,
        kind=OutboxKind.NOTICE,
        destination=destination,
        guild_id=None if destination.is_dm else alerts[0].guild_id,
        payload=payload,
        alert_ids=tuple(a.id for a in alerts),
    )


def _by_destination(items: Iterable[T], key: Callable[[T], Any]) -> list[tuple[Any, list[T]]]:
    """Group ``items`` by ``key`` keeping first-seen order (groups and items)."""
    groups: dict[Any, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return list(groups.items())


def _chunks(embeds: list[tuple[T, dict[str, Any]]]) -> list[list[tuple[T, dict[str, Any]]]]:
    """Split embeds into messages of at most 10 embeds and 6,000 characters of embed text."""
    chunks: list[list[tuple[T, dict[str, Any]]]] = []
    current: list[tuple[T, dict[str, Any]]] = []
    size = 0
    for item in embeds:
        length = embed_text_length(item[1])
        if current and (len(current) == EMBEDS_PER_MESSAGE or size + length > EMBED_TOTAL):
            chunks.append(current)
            current, size = [], 0
        current.append(item)
        size += length
    if current:
        chunks.append(current)
    return chunks


def _unique(values: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(values))
