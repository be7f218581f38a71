"""The marker of an outbox row on the message it becomes, and how it is recognised when read.

Discord forgets a nonce after a few minutes and does not return it when a channel is read,
so an answer lost in a crash can only be recovered from the message itself. Every outbox
message ends with a short reference to its row:

- with embeds, at the end of the last embed's footer: ``… · ref 1a2b3c4d5e6f``;
- without, as a last subtext line of the content: ``-# ref 1a2b3c4d5e6f``;

each "ref" preceded by an invisible separator. Members see a small "ref" code (useful when
reporting a message) and nothing else. It cannot be forged: it starts with U+2063 INVISIBLE
SEPARATOR, which ``bot.text.neutralise`` removes from every user-supplied text, it counts
only at the very end of the footer or content (the bot always writes its own last), and only
on a plain message authored by the bot's own user, never on a member's message, a webhook's
or an interaction reply.
"""

from __future__ import annotations

from typing import Any, Final, cast

from bot.limits import EMBED_FOOTER, EMBED_TOTAL, MESSAGE_CONTENT
from bot.outbox.model import Payload, embed_text_length

# Neutralised out of user-supplied text (bot.text's invisible controls), so no member can
# type a marker the bot would later take for its own.
SEPARATOR: Final = "\u2063"
# 12 base-36 digits of the row's nonce (~62 bits): unique among the few hundred messages
# one search reads, short enough to sit in a footer.
CODE_LENGTH: Final = 12
FOOTER_JOIN: Final = " · "
CONTENT_LINE: Final = "\n-# "  # Discord's subtext: small grey print under the message
DEFAULT_MESSAGE_TYPE: Final = 0  # a plain message, not a reply, an interaction's or a system one
ELLIPSIS: Final = "…"


def marker_for(nonce: str) -> str:
    """Return the marker of the row sent with ``nonce``."""
    return f"{SEPARATOR}ref {nonce[:CODE_LENGTH]}"


def stamp(payload: Payload, nonce: str) -> Payload:
    """Return ``payload`` ending with its row's marker, still within Discord's limits."""
    marker = marker_for(nonce)
    embeds = [dict(embed) for embed in payload["embeds"]]
    if not embeds:
        return {**payload, "content": _stamp_content(payload["content"], marker)}
    last = embeds[-1]
    footer = dict(last.get("footer") or {})
    text = str(footer.get("text") or "")
    suffix = f"{FOOTER_JOIN}{marker}" if text else marker
    # Over the message's embed total, the last description gives way first: the footer
    # holds the source and the "not investment advice" line.
    over = sum(embed_text_length(e) for e in embeds) + len(suffix) - EMBED_TOTAL
    if over > 0:
        description = str(last.get("description") or "")
        cut = min(over, len(description))
        last["description"] = _clip(description, len(description) - cut)
        if not last["description"]:
            del last["description"]
        over -= cut
    room = min(EMBED_FOOTER - len(suffix), len(text) - max(over, 0))
    footer["text"] = _clip(text, room) + suffix
    last["footer"] = footer
    return cast(Payload, {**payload, "embeds": embeds})


def carries(message: dict[str, Any], marker: str, bot_user_id: int) -> bool:
    """Tell whether a message read from Discord is the bot's own post with ``marker``."""
    author = message.get("author") or {}
    if str(author.get("id")) != str(bot_user_id):
        return False  # a member quoting the marker is not the bot
    if message.get("webhook_id") is not None or message.get("type", 0) != DEFAULT_MESSAGE_TYPE:
        return False  # interaction replies and system messages may echo user text
    if message.get("interaction_metadata") or message.get("interaction"):
        return False
    embeds = message.get("embeds") or []
    if embeds:
        footer = (embeds[-1] or {}).get("footer") or {}
        return str(footer.get("text") or "").endswith(marker)
    return str(message.get("content") or "").endswith(marker)


def _stamp_content(content: str, marker: str) -> str:
    if not content:
        return CONTENT_LINE.lstrip("\n") + marker
    line = CONTENT_LINE + marker
    return _clip(content, MESSAGE_CONTENT - len(line)) + line


def _clip(text: str, limit: int) -> str:
    """Return ``text`` cut to ``limit`` characters, an ellipsis marking the cut."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    return text[: limit - 1].rstrip() + ELLIPSIS
