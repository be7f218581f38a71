"""Section titles: Discord prints <t:…> markup raw in embed titles, so none may hold it."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.render.summary import changes_embed


def test_the_changes_section_names_its_start_in_the_description_not_the_title() -> None:
    since = datetime(2026, 12, 3, 21, 30, tzinfo=UTC)
    embed = changes_embed([], since=since, budget=6000)
    assert "<t:" not in embed["title"]
    assert embed["title"] == "Contracts added or changed since the last summary"
    assert embed["description"] == f"Since <t:{int(since.timestamp())}:f>\nNone."


def test_without_a_previous_summary_there_is_no_start_line() -> None:
    embed = changes_embed([], since=None, budget=6000)
    assert embed["description"] == "None."
