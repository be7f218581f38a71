"""Alert messages: what an embed shows, how firings group, and what notices say."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from bot.alerts.engine import Firing
from bot.alerts.messages import alert_messages, failure_notices, firing_embed
from bot.alerts.model import AlertKind, AlertState, Direction
from bot.limits import EMBED_FIELD_VALUE as NOTE_LIMIT
from bot.limits import EMBED_TOTAL as MAX_EMBED_TEXT
from bot.outbox.model import Destination, embed_text_length, nonce_for
from bot.text import neutralise
from tests.alerts.helpers import CHANNEL, OWNER, T0, alert


def firing(
    alert_id: int = 1, *, demo: bool = False, note: str | None = None, **kw: object
) -> Firing:
    a = alert(AlertKind.ABOVE, 50.0, AlertState.FIRED, id=alert_id, note=note, **kw)
    return Firing(
        alert=a,
        number=1,
        direction=Direction.UP,
        trigger_price=50.5,
        last_price=50.5,
        move_pct=None,
        as_of=T0,
        demo=demo,
    )


def test_embed_shows_symbol_condition_price_time_and_disclaimer() -> None:
    """The embed names the symbol, the condition, the triggering price and a Discord time."""
    embed = firing_embed(firing())
    assert embed["title"] == "CIFR rose above $50.00"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Condition"] == "above $50.00"
    assert fields["Triggered at"] == "$50.50"
    assert fields["Time"] == f"<t:{int(T0.timestamp())}:f> (<t:{int(T0.timestamp())}:R>)"
    assert embed["footer"]["text"].endswith("Not investment advice")
    assert "DEMO" not in json.dumps(embed)


def test_demo_quotes_are_labelled() -> None:
    """A firing from demo prices says so in the title and the footer."""
    embed = firing_embed(firing(demo=True))
    assert embed["title"].startswith("[DEMO]")
    assert "DEMO data" in embed["footer"]["text"]


def test_move_pct_embed_states_the_move() -> None:
    """move_pct firings show the signed move and the ± condition."""
    a = alert(AlertKind.MOVE_PCT, 5.0, AlertState.FIRED)
    f = Firing(a, 1, Direction.DOWN, 94.0, 94.0, -6.0, T0, False)
    embed = firing_embed(f)
    assert embed["title"] == "CIFR moved −6.0 % today"
    assert {x["name"]: x["value"] for x in embed["fields"]}["Condition"] == (
        "moves ±5.0 % vs previous close"
    )


@pytest.mark.parametrize(
    "note",
    ["@everyone buy now", "<@123456789012345678> look", "<@&123456789012345678>", "**bold**"],
)
def test_notes_are_neutralised(note: str) -> None:
    """The owner's note cannot ping anyone or inject markdown."""
    fields = {f["name"]: f["value"] for f in firing_embed(firing(note=note))["fields"]}
    assert fields["Note"] == neutralise(note, limit=NOTE_LIMIT)
    assert "@everyone" not in fields["Note"]
    assert not re.search(r"<@[&!]?\d+>", fields["Note"])
    assert "**" not in fields["Note"]


def test_messages_split_at_ten_embeds_and_keep_a_stable_key() -> None:
    """Twelve firings for one channel: two messages (10 + 2), keyed by their first firing."""
    messages = alert_messages([firing(i) for i in range(12, 0, -1)])
    assert [len(m.payload["embeds"]) for m in messages] == [10, 2]
    assert [m.dedupe_key for m in messages] == ["alert:1:1", "alert:11:1"]
    assert messages[0].alert_ids == tuple(range(1, 11))
    assert all(m.destination == Destination.channel(CHANNEL) for m in messages)
    assert messages[0].nonce == nonce_for("alert:1:1")


def test_messages_respect_the_embed_text_budget() -> None:
    """Long notes push embeds into another message before 6,000 characters of embed text."""
    messages = alert_messages([firing(i, note="x" * 200) for i in range(1, 40)])
    for message in messages:
        assert len(message.payload["embeds"]) <= 10
        assert sum(embed_text_length(e) for e in message.payload["embeds"]) <= MAX_EMBED_TEXT


def test_dm_messages_ping_nobody() -> None:
    """A DM needs no mention: allowed_mentions is empty."""
    (message,) = alert_messages([firing(via_dm=True)])
    assert message.destination == Destination.dm(OWNER)
    assert message.payload["allowed_mentions"] == {"users": []}
    assert "<@" not in message.payload["content"]


@pytest.mark.parametrize(
    ("reason", "destination", "mentions"),
    [
        ("dm_closed", Destination.channel(CHANNEL), [OWNER]),
        ("channel_gone", Destination.dm(OWNER), []),
        ("missing_permissions", Destination.dm(OWNER), []),
        ("rejected", None, None),
    ],
)
def test_failure_notices_go_where_the_owner_can_be_reached(
    reason: str, destination: Destination | None, mentions: list[int] | None
) -> None:
    """Closed DMs are reported in the channel; a gone or forbidden channel by DM."""
    a = alert(AlertKind.ABOVE, 50.0, AlertState.PAUSED, via_dm=reason == "dm_closed")
    notices = failure_notices(7, [a], reason)
    if destination is None:
        assert notices == []
        return
    (notice,) = notices
    assert notice.destination == destination
    assert notice.payload["allowed_mentions"] == {"users": mentions}
    assert notice.dedupe_key == f"undeliverable:7:{destination}:{OWNER}"
    assert "paused" in notice.payload["embeds"][0]["description"]


def test_expiry_notice_lists_each_alert_once() -> None:
    """Expired alerts of one owner and destination share one notice."""
    from bot.alerts.messages import expiry_notices

    alerts = [
        alert(AlertKind.ABOVE, 50.0, id=3, created_at=T0 - timedelta(days=90)),
        alert(AlertKind.BELOW, 40.0, id=4),
    ]
    (notice,) = expiry_notices(alerts)
    description = notice.payload["embeds"][0]["description"]
    assert "#3 CIFR above $50.00" in description and "#4 CIFR below $40.00" in description
    assert notice.dedupe_key == "expired:3"
