"""The language of the text being written, set where a reply or an automatic post begins.

A reply is built by many pure renderers; the language travels with the task (a context
variable, copied into threads and tasks started from it) rather than through every signature.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final, Literal, get_args

Language = Literal["en", "fr"]
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
DEFAULT: Final[Language] = "en"

_current: ContextVar[Language] = ContextVar("minerwatch_language", default=DEFAULT)


def current() -> Language:
    """Return the language of the text being written (English unless one was chosen)."""
    return _current.get()


@contextmanager
def speaking(language: Language) -> Iterator[None]:
    """Write in ``language`` inside the block; the previous language comes back after it."""
    token = _current.set(language)
    try:
        yield
    finally:
        _current.reset(token)


def choose(language: Language) -> None:
    """Write in ``language`` for the rest of this task (a command's whole handling)."""
    _current.set(language)


def language_for(locale: str | None) -> Language:
    """Return the language for a Discord locale: French for any ``fr`` variant, else English."""
    if locale and locale.lower().split("-")[0] == "fr":
        return "fr"
    return DEFAULT


def parse_language(text: str) -> Language | None:
    """Return the language a stored or typed code names ("fr", "FR"), or None if unknown."""
    code = text.strip().lower()
    return next((language for language in LANGUAGES if language == code), None)
