"""Which language: a member's locale for replies, a server's choice or locale for its posts."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot.clock import ManualClock
from bot.i18n.language import language_for
from bot.languages import Languages
from bot.store import Store

GUILD = 10
MEMBER = 20


@pytest.mark.parametrize(
    ("locale", "language"),
    [("fr", "fr"), ("FR", "fr"), ("en-US", "en"), ("en-GB", "en"), ("de", "en"), (None, "en")],
)
def test_french_for_any_french_locale_else_english(locale: str | None, language: str) -> None:
    assert language_for(locale) == language


async def test_a_servers_posts_follow_its_discord_language_until_it_chooses(
    store: Store, clock: ManualClock
) -> None:
    languages = Languages(store.languages, clock)
    assert languages.for_guild(GUILD) == "en"  # never seen: English
    assert await languages.saw(MEMBER, "en-US", GUILD, "fr") == "en"  # the member's reply
    assert languages.for_guild(GUILD) == "fr"  # the server's posts
    await languages.choose_for_guild(GUILD, "en")
    assert languages.for_guild(GUILD) == "en"
    assert languages.chosen_for_guild(GUILD) == "en"
    await languages.choose_for_guild(GUILD, None)  # auto again
    assert languages.for_guild(GUILD) == "fr"
    await languages.choose_for_guild(GUILD, "en")
    await languages.flush()
    restarted = Languages(store.languages, clock)
    await restarted.load()
    assert restarted.for_guild(GUILD) == "en" and restarted.chosen_for_guild(GUILD) == "en"


async def test_direct_messages_follow_the_members_last_seen_locale(
    store: Store, clock: ManualClock
) -> None:
    languages = Languages(store.languages, clock)
    assert languages.for_member(MEMBER) == "en"
    await languages.saw(MEMBER, "fr", None, None)
    assert languages.for_member(MEMBER) == "fr"
    await languages.saw(MEMBER, "en-GB", None, None)
    assert languages.for_member(MEMBER) == "en"
    # Kept in the store: a restarted bot still knows.
    await languages.flush()
    restarted = Languages(store.languages, clock)
    await restarted.load()
    assert restarted.for_member(MEMBER) == "en"


async def test_a_reply_does_not_wait_for_the_store_to_remember_the_locales(
    store: Store, clock: ManualClock
) -> None:
    languages = Languages(store.languages, clock)
    holding, release = asyncio.Event(), asyncio.Event()

    async def long_write() -> None:  # a market-wide evaluation holding the store's writer
        async with store.db.transaction():
            holding.set()
            await release.wait()

    writer = asyncio.create_task(long_write())
    await holding.wait()
    try:
        assert await asyncio.wait_for(languages.saw(MEMBER, "fr", GUILD, "fr"), 10) == "fr"
        assert languages.for_member(MEMBER) == "fr" and languages.for_guild(GUILD) == "fr"
    finally:
        release.set()
        await writer
    await languages.flush()
    restarted = Languages(store.languages, clock)
    await restarted.load()
    assert restarted.for_member(MEMBER) == "fr" and restarted.for_guild(GUILD) == "fr"


async def test_a_language_outside_the_two_is_refused_by_the_store(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        await store.db.execute(
            "INSERT INTO guild_settings (guild_id, language, updated_at) VALUES (1, 'de', 'x')"
        )
