"""Filing cards: what they show, escaped, and ten of them within one message's limits."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.filings.model import Level
from bot.filings.posts import groups
from bot.limits import EMBED_TOTAL
from bot.outbox.model import embed_text_length
from bot.render.filings import filing_embed, recent_embed
from tests.factories import filing

AT = datetime(2026, 3, 2, 21, 5, tzinfo=UTC)


def test_a_likely_deal_card_quotes_its_figures_as_unverified() -> None:
    card = filing_embed(filing())
    assert card["title"] == "CIFR · 8-K: Cipher Digital Inc."
    assert (
        "Items: 1.01 material agreement; 9.01 financial statements and exhibits"
        in (card["description"])
    )
    assert f"<t:{int(AT.timestamp())}:f>" in card["description"]
    names = [f["name"] for f in card["fields"]]
    assert names == ["Classification", "Figures (extracted, unverified)"]
    assert "not investment advice" in card["footer"]["text"]


def test_a_routine_filing_shows_no_figures_and_outside_text_is_escaped() -> None:
    card = filing_embed(filing(level=Level.ROUTINE, title="@everyone **buy** <@&1>"))
    assert [f["name"] for f in card["fields"]] == ["Classification"]
    description = card["description"]
    assert "@\u200beveryone" in description and "\\*\\*buy\\*\\*" in description
    assert "\\<@&1>" in description  # shown as text, never a role mention


def test_ten_long_cards_are_split_to_fit_one_message_each_group() -> None:
    long = [filing(n, title="x" * 300, figures=("y" * 80,) * 6) for n in range(25)]
    batches = groups(long)
    assert sum(len(b) for b in batches) == 25
    for batch in batches:
        assert len(batch) <= 10
        assert sum(embed_text_length(filing_embed(f)) for f in batch) <= EMBED_TOTAL


def test_recent_lists_newest_first_and_says_when_empty() -> None:
    assert "No filings recorded yet" in recent_embed([], None)["description"]
    text = recent_embed([filing(2), filing(1, level=Level.ROUTINE)], "CIFR")["description"]
    first, second = text.splitlines()
    assert "likely AI/HPC deal" in first and "likely" not in second
