"""SQL for languages: a server's chosen language and locale, and each member's last seen one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from bot.i18n.language import Language, parse_language
from bot.store.db import Database

GUILD_LANGUAGE: Final = """
    SELECT language, guild_locale FROM guild_settings WHERE guild_id = ?
"""
SET_GUILD_LANGUAGE: Final = """
    INSERT INTO guild_settings (guild_id, language, updated_at) VALUES (:guild, :language, :now)
    ON CONFLICT (guild_id) DO UPDATE SET
        language = excluded.language, updated_at = excluded.updated_at
"""
SET_GUILD_LOCALE: Final = """
    INSERT INTO guild_settings (guild_id, guild_locale, updated_at) VALUES (:guild, :locale, :now)
    ON CONFLICT (guild_id) DO UPDATE SET
        guild_locale = excluded.guild_locale, updated_at = excluded.updated_at
"""
MEMBER_LANGUAGE: Final = "SELECT language FROM member_languages WHERE user_id = ?"
SET_MEMBER_LANGUAGE: Final = """
    INSERT INTO member_languages (user_id, language, seen_at) VALUES (:user, :language, :now)
    ON CONFLICT (user_id) DO UPDATE SET
        language = excluded.language, seen_at = excluded.seen_at
"""
LOCALE_LIMIT: Final = 16  # Discord's locales are short ("en-US", "zh-TW"); the column checks it


@dataclass(frozen=True, slots=True)
class GuildLanguage:
    """A server's chosen language (None: not chosen) and its Discord locale as last seen."""

    chosen: Language | None
    guild_locale: str | None


class LanguageRepo:
    """Where languages are kept between runs."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def guild(self, guild_id: int) -> GuildLanguage:
        """Return what a server chose and the locale it was last seen with."""
        row = await self._db.fetch_one(GUILD_LANGUAGE, (guild_id,))
        if row is None:
            return GuildLanguage(None, None)
        chosen = parse_language(row["language"]) if row["language"] else None
        return GuildLanguage(chosen, row["guild_locale"])

    async def set_guild(self, guild_id: int, language: Language | None, *, now: datetime) -> None:
        """Choose a server's language (None: follow its Discord locale again)."""
        params = {"guild": guild_id, "language": language, "now": _iso(now)}
        await self._db.execute(SET_GUILD_LANGUAGE, params)

    async def saw_guild_locale(self, guild_id: int, locale: str, *, now: datetime) -> None:
        """Remember the Discord locale a server was last seen with."""
        params = {"guild": guild_id, "locale": locale[:LOCALE_LIMIT], "now": _iso(now)}
        await self._db.execute(SET_GUILD_LOCALE, params)

    async def member(self, user_id: int) -> Language | None:
        """Return the language a member was last seen using, or None if never seen."""
        row = await self._db.fetch_one(MEMBER_LANGUAGE, (user_id,))
        return None if row is None else parse_language(row["language"])

    async def saw_member(self, user_id: int, language: Language, *, now: datetime) -> None:
        """Remember the language a member was last seen using."""
        params = {"user": user_id, "language": language, "now": _iso(now)}
        await self._db.execute(SET_MEMBER_LANGUAGE, params)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
