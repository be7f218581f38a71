"""Replies about languages: which one a server's automatic posts are now written in."""

from __future__ import annotations

from typing import Final

from bot.i18n import N_, _
from bot.i18n.language import Language

LANGUAGE_NAMES: Final[dict[Language, str]] = {"en": N_("English"), "fr": N_("French")}


def language_name(language: Language) -> str:
    """Return a language's name as the current language writes it ("French", "français")."""
    return _(LANGUAGE_NAMES[language])


def language_set(language: Language, *, followed: bool) -> str:
    """Confirm the language of a server's automatic posts, and why it is that one."""
    text = _(
        "This server's automatic posts (alerts in channels, daily summaries, deal watch and "
        "filings posts) are now written in {language}.",
        language=language_name(language),
    )
    if followed:
        text += " " + _("They follow the server's Discord language.")
    return text
