"""The channel permissions the bot uses: one list, from which the invite link is derived.

Slash-command replies need no channel permission (Discord delivers them through the
interaction); these are for what the bot posts by itself: alerts, the daily summary and the
contract watch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import discord

Purpose = Literal["alerts", "summary", "watch"]


@dataclass(frozen=True, slots=True)
class Needed:
    """One permission, the name Discord's settings show for it, and what it is used for."""

    flag: str  # discord.Permissions attribute
    label: str
    purposes: frozenset[Purpose]
    in_threads_only: bool = False


ALL_PURPOSES: Final[frozenset[Purpose]] = frozenset({"alerts", "summary", "watch"})

BOT_PERMISSIONS: Final = (
    Needed("view_channel", "View Channel", ALL_PURPOSES),
    Needed("send_messages", "Send Messages", ALL_PURPOSES),
    # An alert may be set inside a thread; posting there takes this instead of Send Messages.
    Needed("send_messages_in_threads", "Send Messages in Threads", frozenset({"alerts"}), True),
    Needed("embed_links", "Embed Links", ALL_PURPOSES),
    Needed("attach_files", "Attach Files", frozenset({"summary"})),  # the summary's chart
)

# The OAuth2 scopes: `bot` adds the bot user, `applications.commands` its slash commands.
SCOPES: Final = ("bot", "applications.commands")


def permission_value() -> int:
    """Return the permission integer of every needed permission (the invite's `permissions`)."""
    return discord.Permissions(**{n.flag: True for n in BOT_PERMISSIONS}).value


def needed_for(purpose: Purpose, *, thread: bool = False) -> list[Needed]:
    """Return what posting for ``purpose`` needs in a channel (or in a thread)."""
    found: list[Needed] = []
    for needed in BOT_PERMISSIONS:
        if purpose not in needed.purposes:
            continue
        if needed.in_threads_only and not thread:
            continue
        if thread and needed.flag == "send_messages":
            continue  # in a thread, Send Messages in Threads replaces it
        found.append(needed)
    return found
