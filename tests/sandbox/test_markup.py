"""Discord markup in the console: drawn as the client draws it, never cut by the line wrapper."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.sandbox.markup import Names, render_markup
from bot.sandbox.transcript import Transcript
from discord_emulator import Message

NAMES = Names(
    channel={1: "alerts"}.get,
    user={2: "you"}.get,
    role={3: "traders"}.get,
)
NEW_YORK = ZoneInfo("America/New_York")
MOMENT = 1796331600  # 2026-12-03 21:00 UTC: 4:00 PM in New York


def test_timestamps_follow_the_style_in_the_readers_zone() -> None:
    shown = {
        style: render_markup(f"<t:{MOMENT}:{style}>", NAMES, zone=NEW_YORK) for style in "tTdDfF"
    }
    assert shown == {
        "t": "4:00 PM",
        "T": "4:00:00 PM",
        "d": "12/03/2026",
        "D": "December 3, 2026",
        "f": "December 3, 2026 4:00 PM",
        "F": "Thursday, December 3, 2026 4:00 PM",
    }
    assert render_markup(f"<t:{MOMENT}>", NAMES, zone=NEW_YORK) == shown["f"]
    assert render_markup(f"<t:{MOMENT}:t>", NAMES, zone=UTC) == "9:00 PM"


def test_relative_timestamps_count_from_now() -> None:
    now = datetime.fromtimestamp(MOMENT, UTC)
    assert render_markup(f"<t:{MOMENT + 300}:R>", NAMES, now=now) == "in 5 minutes"
    assert render_markup(f"<t:{MOMENT - 3 * 86400}:R>", NAMES, now=now) == "3 days ago"
    assert render_markup(f"<t:{MOMENT - 10}:R>", NAMES, now=now) == "a few seconds ago"


def test_a_french_client_draws_timestamps_in_french() -> None:
    now = datetime.fromtimestamp(MOMENT, UTC)
    shown = {
        style: render_markup(f"<t:{MOMENT}:{style}>", NAMES, zone=NEW_YORK, locale="fr")
        for style in "tdDF"
    }
    assert shown == {
        "t": "16:00",
        "d": "03/12/2026",
        "D": "3 décembre 2026",
        "F": "jeudi 3 décembre 2026 16:00",
    }
    ago = render_markup(f"<t:{MOMENT - 3 * 86400}:R>", NAMES, now=now, locale="fr")
    assert ago == "il y a 3 jours"
    unknown = render_markup(f"<t:{MOMENT}:D>", NAMES, zone=NEW_YORK, locale="xx-YY")
    assert unknown == "December 3, 2026"  # a locale Babel does not know: the en-US client's


def test_mentions_become_names_and_unknown_ones_say_so() -> None:
    text = "<#1> <@2> <@!2> <@&3> </deals list:9> | <#8> <@8> <@&8>"
    assert render_markup(text, NAMES) == (
        "#alerts @you @you @traders /deals list | #unknown-channel @unknown-user @deleted-role"
    )


def test_escaped_markup_is_shown_literally() -> None:
    # The bot escapes "<" in user text so that it never pings or renders.
    assert render_markup(r"note: \<@2> and \<t:1:R>", NAMES) == "note: <@2> and <t:1:R>"


def test_wrapping_never_cuts_a_date_a_channel_or_a_link() -> None:
    url = "https://example.com/a-very-long-path-with-hyphens-that-must-stay-one-piece/x"
    text = f"Alert posts in <#1>, expires <t:{MOMENT}:F>. " * 3 + f"Source [the filing]({url})"
    transcript = Transcript(names=NAMES, zone=NEW_YORK)
    lines = transcript.message(Message(id=5, channel_id=1, author_id=2, content=text))
    joined = "\n".join(lines)
    assert joined.count("Thursday, December 3, 2026 4:00 PM") == 3
    assert joined.count("#alerts") == 3 and url in joined
    assert "<t:" not in joined and "<#" not in joined
    assert all(len(line) <= 78 for line in lines if url not in line)


def test_embed_descriptions_and_values_render_titles_and_footers_do_not() -> None:
    embed = {
        "title": "Since <t:1:f>",
        "description": "In <#1>",
        "fields": [{"name": "As of <t:1:f>", "value": f"<t:{MOMENT}:D>"}],
        "footer": {"text": "<@2>"},
    }
    lines = Transcript(names=NAMES, zone=NEW_YORK).embed(embed)
    assert lines[0] == "╭─ Since <t:1:f>"  # the client shows markup in titles as typed
    assert "│ In #alerts" in lines and "│   December 3, 2026" in lines
    assert "│ ▸ As of <t:1:f>" in lines and lines[-1] == "╰─ <@2>"
