"""The language option a server admin picks from: English, French, or the server's own."""

from __future__ import annotations

from typing import Final

from discord import app_commands

from bot.i18n import N_
from bot.i18n.language import Language, parse_language

AUTO: Final = "auto"  # follow the server's Discord language
LANGUAGE_LABELS: Final = {
    AUTO: N_("auto: the server's Discord language"),
    "en": N_("English"),
    "fr": N_("French"),
}
LANGUAGE_CHOICES: Final = [
    app_commands.Choice(name=label, value=key) for key, label in LANGUAGE_LABELS.items()
]


def chosen_language(value: str) -> Language | None:
    """Return the language an option value names; None for auto (the server's own)."""
    return None if value == AUTO else parse_language(value)
