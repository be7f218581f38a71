"""Messages from the gettext catalogues in bot/locale, compiled from their .po at first use.

English source text is each message's id. The .po files are the only source: they are read
with Babel and compiled in memory once per process, so no compiled file can drift from them.
Placeholders are named and filled after translation: ``_("{n} alerts", n=3)``.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib.resources import files
from io import BytesIO
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.i18n.language import LANGUAGES, Language, current

DOMAIN: Final = "minerwatch"


def catalogue_path(language: Language) -> str:
    """Return where a language's .po file lives inside the package."""
    return f"locale/{language}/LC_MESSAGES/{DOMAIN}.po"


@cache
def translations(language: Language) -> Translations:
    """Return a language's compiled messages (read and compiled once per process)."""
    source = files("bot").joinpath(catalogue_path(language))
    with source.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


# Translated messages remembered per kind of lookup (one entry per language, message and, for
# plurals, count): the catalogue holds about a thousand messages per language.
LOOKUPS_KEPT: Final = 4096


@lru_cache(maxsize=LOOKUPS_KEPT)
def _translated(language: Language, message: str) -> str:
    return translations(language).gettext(message)


def _(message: str, /, **fields: object) -> str:
    """Return ``message`` in the current language, its ``{placeholders}`` filled."""
    # Looked up once per language and message: a catalogue never changes once compiled, and
    # gettext's own lookup runs in Python (for an English message: a miss, then a second one
    # for its plural form); a market-wide jump renders some 30,000 labels.
    text = _translated(current(), message)
    return text.format(**fields) if fields else text


def ngettext(singular: str, plural: str, n: int, /, **fields: object) -> str:
    """Return the form for ``n`` in the current language; ``{n}`` is the count unless given."""
    text = _translated_plural(current(), singular, plural, n)
    return text.format(**{"n": n, **fields})


@lru_cache(maxsize=LOOKUPS_KEPT)
def _translated_plural(language: Language, singular: str, plural: str, n: int) -> str:
    return translations(language).ngettext(singular, plural, n)


def pgettext(context: str, message: str, /) -> str:
    """Return ``message`` read in ``context`` (a command name is not the same word in a reply)."""
    return str(translations(current()).pgettext(context, message))


def N_(message: str, /) -> str:
    """Mark ``message`` for the catalogues; it is translated where it is shown, with ``_``."""
    return message


def all_translations() -> dict[Language, Translations]:
    """Return every language's compiled messages (for checks at startup and in tests)."""
    return {language: translations(language) for language in LANGUAGES}
