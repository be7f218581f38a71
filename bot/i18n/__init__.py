"""Languages: which one a reply or post is written in, and its messages from the catalogues."""

from bot.i18n.catalogue import N_, _, ngettext, pgettext
from bot.i18n.language import LANGUAGES, Language, current, language_for, speaking

__all__ = [
    "LANGUAGES",
    "N_",
    "Language",
    "_",
    "current",
    "language_for",
    "ngettext",
    "pgettext",
    "speaking",
]
