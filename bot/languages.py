"""Which language each text is written in: replies, a server's automatic posts, direct messages.

A reply follows the member's Discord locale on that interaction. A server's automatic posts
follow its chosen language, else its Discord locale as last seen (French for French, else
English). A direct message follows the member's locale as last seen.

The bot is the only writer of these settings, so they are read once at start and kept in
memory: automatic posts are rendered inside the store's write transactions, without a read.
"""

from __future__ import annotations

import logging
import sqlite3

from bot.clock import Clock
from bot.i18n.language import DEFAULT, Language, language_for
from bot.outbox.model import Destination
from bot.store.languages import LanguageRepo

log = logging.getLogger(__name__)


class Languages:
    """Remember the locales members and servers are seen with, and answer which to write in."""

    def __init__(self, repo: LanguageRepo, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock
        self._members: dict[int, Language] = {}
        self._guild_locales: dict[int, str] = {}
        self._chosen: dict[int, Language] = {}

    async def load(self) -> None:
        """Read every remembered language (once, at start)."""
        seen = await self._repo.everything()
        self._members = dict(seen.members)
        self._guild_locales = dict(seen.guild_locales)
        self._chosen = dict(seen.chosen)

    async def saw(
        self, user_id: int, locale: str | None, guild_id: int | None, guild_locale: str | None
    ) -> Language:
        """Note an interaction's locales; return the language to reply in."""
        language = language_for(locale)
        try:
            if self._members.get(user_id) != language:
                await self._repo.saw_member(user_id, language, now=self._clock.now())
                self._members[user_id] = language
            if (
                guild_id is not None
                and guild_locale
                and (self._guild_locales.get(guild_id) != guild_locale)
            ):
                await self._repo.saw_guild_locale(guild_id, guild_locale, now=self._clock.now())
                self._guild_locales[guild_id] = guild_locale
        except sqlite3.Error:
            # Remembering is a convenience for later posts: the reply itself must not fail.
            log.warning("could not remember the locale of member %s", user_id, exc_info=True)
        return language

    def for_guild(self, guild_id: int) -> Language:
        """Return the language of a server's automatic posts."""
        return self._chosen.get(guild_id) or language_for(self._guild_locales.get(guild_id))

    def chosen_for_guild(self, guild_id: int) -> Language | None:
        """Return the language a server chose, or None when it follows its Discord locale."""
        return self._chosen.get(guild_id)

    async def choose_for_guild(self, guild_id: int, language: Language | None) -> None:
        """Set a server's language (None: follow its Discord locale)."""
        await self._repo.set_guild(guild_id, language, now=self._clock.now())
        if language is None:
            self._chosen.pop(guild_id, None)
        else:
            self._chosen[guild_id] = language

    def for_member(self, user_id: int) -> Language:
        """Return the language of a direct message to a member (their last seen locale)."""
        return self._members.get(user_id, DEFAULT)

    def for_post(self, destination: Destination, guild_id: int | None) -> Language:
        """Return the language of an automatic post: a member's in DMs, else the server's."""
        if destination.user_id is not None:
            return self.for_member(destination.user_id)
        return self.for_guild(guild_id) if guild_id is not None else DEFAULT
