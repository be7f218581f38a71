"""SQL for languages: a server's chosen language and locale, and each member's last seen one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from bot.i18n.language import Language, parse_language
from bot.store.db import Database

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
SET_MEMBER_LANGUAGE: Final = """
    INSERT INTO member_languages (user_id, language, seen_at) VALUES (:user, :language, :now)
    ON CONFLICT (user_id) DO UPDATE SET
        language = excluded.language, seen_at = excluded.seen_at
"""
EVERY_GUILD: Final = """
    SELECT guild_id, language, guild_locale FROM guild_settings
    WHERE language IS NOT NULL OR guild_locale IS NOT NULL
"""
EVERY_MEMBER: Final = "SELECT user_id, language FROM member_languages"
LOCALE_LIMIT: Final = 16  # Discord's locales are short ("en-US", "zh-TW"); the column checks it


@dataclass(frozen=True, slots=True)
class SeenLanguages:
    """Everything remembered: members' languages, servers' locales and choices."""

    members: dict[int, Language]
    guild_locales: dict[int, str]
    chosen: dict[int, Language]


class LanguageRepo:
    """Where languages are kept between runs."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def everything(self) -> SeenLanguages:
        """Return every remembered language (read once at start)."""
        members = {
            row["user_id"]: language
            for row in await self._db.fetch_all(EVERY_MEMBER)
            if (language := parse_language(row["language"])) is not None
        }
        guilds = await self._db.fetch_all(EVERY_GUILD)
        locales = {row["guild_id"]: row["guild_locale"] for row in guilds if row["guild_locale"]}
        chosen = {
            row["guild_id"]: language
            for row in guilds
            if row["language"] and (language := parse_language(row["language"])) is not None
        }
        return SeenLanguages(members, locales, chosen)

    async def set_guild(self, guild_id: int, language: Language | None, *, now: datetime) -> None:
        """Choose a server's language (None: follow its Discord locale again)."""
        params = {"guild": guild_id, "language": language, "now": _iso(now)}
        await self._db.execute(SET_GUILD_LANGUAGE, params)

    async def saw_guild_locale(self, guild_id: int, locale: str, *, now: datetime) -> None:
        """Remember the Discord locale a server was last seen with."""
        params = {"guild": guild_id, "locale": locale[:LOCALE_LIMIT], "now": _iso(now)}
        await self._db.execute(SET_GUILD_LOCALE, params)

    async def saw_member(self, user_id: int, language: Language, *, now: datetime) -> None:
        """Remember the language a member was last seen using."""
        params = {"user": user_id, "language": language, "now": _iso(now)}
        await self._db.execute(SET_MEMBER_LANGUAGE, params)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
