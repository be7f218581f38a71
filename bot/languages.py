"""Which language each text is written in: replies, a server's automatic posts, direct messages.

A reply follows the member's Discord locale on that interaction. A server's automatic posts
follow its chosen language, else its Discord locale as last seen (French for French, else
English). A direct message follows the member's locale as last seen.

The bot is the only writer of these settings, so they are read once at start and kept in
memory: automatic posts are rendered inside the store's write transactions, without a read.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Coroutine
from typing import Any, TypeVar

from bot.clock import Clock
from bot.i18n.language import DEFAULT, Language, language_for
from bot.outbox.model import Destination
from bot.store.languages import LanguageRepo

log = logging.getLogger(__name__)
_Seen = TypeVar("_Seen", bound=str)


class Languages:
    """Remember the locales members and servers are seen with, and answer which to write in."""

    def __init__(self, repo: LanguageRepo, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock
        self._members: dict[int, Language] = {}
        self._guild_locales: dict[int, str] = {}
        self._chosen: dict[int, Language] = {}
        # The background writes of locales seen (see saw), until they have landed.
        self._writing: set[asyncio.Task[None]] = set()

    async def load(self) -> None:
        """Read every remembered language (once, at start)."""
        seen = await self._repo.everything()
        self._members = dict(seen.members)
        self._guild_locales = dict(seen.guild_locales)
        self._chosen = dict(seen.chosen)

    async def saw(
        self, user_id: int, locale: str | None, guild_id: int | None, guild_locale: str | None
    ) -> Language:
        """Note an interaction's locales; return the language to reply in.

        Known at once in memory; kept in the store in the background, so that the reply never
        waits for the store's writer (busy for a second at times with a market-wide move).
        """
        language = language_for(locale)
        if self._members.get(user_id) != language:
            self._members[user_id] = language
            write = self._repo.saw_member(user_id, language, now=self._clock.now())
            self._keep(write, self._members, user_id, language)
        if (
            guild_id is not None
            and guild_locale
            and self._guild_locales.get(guild_id) != guild_locale
        ):
            self._guild_locales[guild_id] = guild_locale
            write = self._repo.saw_guild_locale(guild_id, guild_locale, now=self._clock.now())
            self._keep(write, self._guild_locales, guild_id, guild_locale)
        return language

    def _keep(
        self, write: Coroutine[Any, Any, None], memory: dict[int, _Seen], key: int, value: _Seen
    ) -> None:
        """Run ``write`` in the background; if it fails, the next interaction writes again."""

        async def keep() -> None:
            try:
                await write
            except (sqlite3.Error, ValueError):  # ValueError: the store was closed meanwhile
                # Remembering is a convenience for later posts: the reply itself never fails.
                log.warning("could not remember the locale seen for %s", key, exc_info=True)
                if memory.get(key) == value:
                    del memory[key]

        task = asyncio.get_running_loop().create_task(keep(), name="remember-locale")
        self._writing.add(task)
        task.add_done_callback(self._writing.discard)

    async def flush(self) -> None:
        """Wait for the locales noted so far to be in the store (before closing it)."""
        while self._writing:
            await asyncio.gather(*self._writing, return_exceptions=True)

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
