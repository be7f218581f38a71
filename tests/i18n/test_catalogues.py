"""The catalogues: complete both ways, each French message keeps the English placeholders."""

from __future__ import annotations

import re
import string
from importlib.resources import files

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.app import Minerwatch
from bot.i18n.catalogue import catalogue_path
from bot.i18n.commands import COMMAND, OPTION
from bot.i18n.language import LANGUAGES, Language

from .catalogue_use import MessageKey, command_names, command_texts, ids_in_code

FIELD = re.compile(r"\{[^{}]*\}")


def catalogue(language: Language) -> Catalog:
    with files("bot").joinpath(catalogue_path(language)).open("rb") as handle:
        return read_po(handle, locale=language)


def keys(language: Language) -> set[MessageKey]:
    return {_key(message) for message in catalogue(language) if message.id}


def _key(message: Message) -> MessageKey:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return message.context, msgid


def placeholders(text: str) -> set[str]:
    """Return the names a message fills: {price}, {n}, never the format spec."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_both_catalogues_hold_the_same_messages() -> None:
    english, french = keys("en"), keys("fr")
    assert english - french == set(), "in English only"
    assert french - english == set(), "in French only"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_the_code_uses_is_in_the_catalogue(language: Language) -> None:
    missing = {
        f"{path.relative_to(path.parents[1])}: {key}"
        for key, path in ids_in_code().items()
        if key not in keys(language)
    }
    assert missing == set()


async def test_no_catalogue_entry_is_unused(loaded_bot: Minerwatch) -> None:
    commands = loaded_bot.tree.get_commands()
    names, options = command_names(commands)  # type: ignore[arg-type]
    used = set(ids_in_code())
    used |= {(None, text) for text in command_texts(commands)}  # type: ignore[arg-type]
    used |= {(COMMAND, name) for name in names} | {(OPTION, name) for name in options}
    assert keys("en") - used == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: Language) -> None:
    empty = [
        message.id
        for message in catalogue(language)
        if message.id
        and not all(message.string if isinstance(message.string, tuple) else [message.string])
    ]
    assert empty == []


def test_french_keeps_every_placeholder_of_the_english() -> None:
    french = {_key(message): message for message in catalogue("fr") if message.id}
    wrong = []
    for message in catalogue("en"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set().union(*(placeholders(text) for text in ids))
        translated = french[_key(message)].string
        forms = translated if isinstance(translated, tuple) else (translated,)
        for form in forms:
            if placeholders(form) - {"n"} != wanted - {"n"} or not placeholders(form) <= wanted:
                wrong.append((ids[0], form))
    assert wrong == []


def test_english_messages_read_as_their_ids() -> None:
    """English is the source language: its catalogue says exactly what the code says."""
    different = [
        message.id for message in catalogue("en") if message.id and message.string != message.id
    ]
    assert different == []


def test_plural_forms_follow_each_language() -> None:
    assert catalogue("en").plural_expr == "(n != 1)"
    assert catalogue("fr").plural_expr == "(n > 1)"
