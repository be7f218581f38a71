"""The row's marker on a sent message: where it goes, Discord's limits, and who can carry it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.limits import EMBED_FOOTER, EMBED_TOTAL, MESSAGE_CONTENT
from bot.outbox.marker import SEPARATOR, carries, marker_for, stamp
from bot.outbox.model import Payload, embed_text_length, nonce_for
from bot.text import neutralise

NONCE = nonce_for("alert:7:1")
MARKER = marker_for(NONCE)
BOT = 1000
MEMBER = 2000


def payload(content: str = "", embeds: list[dict[str, Any]] | None = None) -> Payload:
    return {"content": content, "embeds": embeds or [], "allowed_mentions": {"users": []}}


def test_the_marker_ends_the_last_embeds_footer_and_keeps_what_was_there() -> None:
    sent = stamp(
        payload(embeds=[{"title": "a"}, {"title": "b", "footer": {"text": "Alert #7"}}]), NONCE
    )
    assert sent["embeds"][0] == {"title": "a"}
    assert sent["embeds"][1]["footer"]["text"] == f"Alert #7 · {MARKER}"
    assert MARKER.startswith(SEPARATOR) and MARKER.endswith(NONCE[:12])


def test_an_embed_without_a_footer_gets_one_and_the_input_is_not_changed() -> None:
    original = payload(embeds=[{"title": "a"}])
    sent = stamp(original, NONCE)
    assert sent["embeds"][0]["footer"] == {"text": MARKER}
    assert original["embeds"][0] == {"title": "a"}


def test_content_only_messages_get_a_subtext_line() -> None:
    assert stamp(payload("hello"), NONCE)["content"] == f"hello\n-# {MARKER}"
    assert stamp(payload(""), NONCE)["content"] == f"-# {MARKER}"


def test_a_message_at_discords_limits_stays_within_them() -> None:
    full_content = stamp(payload("x" * MESSAGE_CONTENT), NONCE)["content"]
    assert len(full_content) == MESSAGE_CONTENT and full_content.endswith(MARKER)

    long_footer = stamp(payload(embeds=[{"footer": {"text": "f" * EMBED_FOOTER}}]), NONCE)
    text = long_footer["embeds"][0]["footer"]["text"]
    assert len(text) == EMBED_FOOTER and text.endswith(MARKER)

    footer = "Source · Not investment advice"
    at_total = [
        {"description": "d" * 4_000},
        {"description": "e" * (EMBED_TOTAL - 4_000 - len(footer)), "footer": {"text": footer}},
    ]
    sent = stamp(payload(embeds=at_total), NONCE)
    assert sum(embed_text_length(e) for e in sent["embeds"]) <= EMBED_TOTAL
    # The description gives way; the disclaimer in the footer stays whole.
    assert sent["embeds"][1]["footer"]["text"] == f"{footer} · {MARKER}"
    assert sent["embeds"][1]["description"].endswith("…")


def message(author: int, **fields: Any) -> dict[str, Any]:
    return {"id": "1", "type": 0, "author": {"id": str(author)}, **fields}


def test_only_the_bots_own_plain_message_carries_a_marker() -> None:
    footer = {"embeds": [{"footer": {"text": f"Alert #7 · {MARKER}"}}]}
    assert carries(message(BOT, **footer), MARKER, BOT)
    assert carries(message(BOT, content=f"hi\n-# {MARKER}"), MARKER, BOT)
    # A member who copies the text is not the bot.
    assert not carries(message(MEMBER, **footer), MARKER, BOT)
    assert not carries(message(MEMBER, content=f"-# {MARKER}"), MARKER, BOT)
    # Interaction replies and webhook posts may echo what a member typed.
    assert not carries(message(BOT, webhook_id="5", **footer), MARKER, BOT)
    assert not carries(message(BOT, type=20, **footer), MARKER, BOT)
    assert not carries(message(BOT, interaction_metadata={"id": "9"}, **footer), MARKER, BOT)
    # Another row's marker, or this one anywhere but at the end, is not this row's.
    assert not carries(message(BOT, content=f"-# {marker_for('zzzzzzzzzzzzzzzz')}"), MARKER, BOT)
    assert not carries(message(BOT, content=f"-# {MARKER}\nlater text"), MARKER, BOT)


@pytest.mark.parametrize("typed", [MARKER, f"note -# {MARKER}", f"Alert #7 · {MARKER}"])
def test_a_marker_typed_by_a_member_is_neutralised(typed: str) -> None:
    """User text shown by the bot loses the invisible separator: it can never end as a marker."""
    shown = neutralise(typed)
    assert SEPARATOR not in shown
    bot_post = message(BOT, embeds=[{"description": shown, "footer": {"text": shown}}])
    assert not carries(bot_post, MARKER, BOT)
