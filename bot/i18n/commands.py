"""Slash command names, descriptions and choices in French, from the same catalogues.

Discord shows each member the localisation for their client's language. Descriptions and
choice labels are always translated; a command or option name only where the catalogue has
a French name under the "command" or "option" context (a name that reads naturally).
"""

from __future__ import annotations

from typing import Final

import discord
from discord import app_commands

from bot.i18n.catalogue import translations

COMMAND: Final = "command"  # catalogue context of command and group names
OPTION: Final = "option"  # catalogue context of option names
# The Discord client languages that read French (Discord has one French locale).
FRENCH: Final = (discord.Locale.french,)
NAMES: Final = {
    app_commands.TranslationContextLocation.command_name: COMMAND,
    app_commands.TranslationContextLocation.group_name: COMMAND,
    app_commands.TranslationContextLocation.parameter_name: OPTION,
}


class CatalogueTranslator(app_commands.Translator):
    """Translate command texts for French clients; English is the commands' own text."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContext,  # type: ignore[type-arg]
    ) -> str | None:
        if locale not in FRENCH:
            return None
        return command_text(string.message, context.location)


def command_text(message: str, location: app_commands.TranslationContextLocation) -> str | None:
    """Return the French for a command text, or None when it keeps its English form."""
    french = translations("fr")
    context = NAMES.get(location)
    translated = (
        str(french.pgettext(context, message)) if context is not None else french.gettext(message)
    )
    return translated if translated != message else None
