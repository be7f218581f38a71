"""Discord's size limits, in one place (developer docs: "Message", "Embed Limits", "Interactions").

A message over any of them is refused with a 400, so every renderer and reply measures
against these numbers rather than its own copy of them.
"""

from __future__ import annotations

from typing import Final

# A message.
MESSAGE_CONTENT: Final = 2_000  # characters of plain content
EMBEDS_PER_MESSAGE: Final = 10
# All embed text of one message: titles, descriptions, field names and values, footers.
EMBED_TOTAL: Final = 6_000
NONCE: Final = 25  # characters of a message nonce

# One embed.
EMBED_TITLE: Final = 256
EMBED_DESCRIPTION: Final = 4_096
EMBED_FIELDS: Final = 25
EMBED_FIELD_NAME: Final = 256
EMBED_FIELD_VALUE: Final = 1_024
EMBED_FOOTER: Final = 2_048

# Interactions.
AUTOCOMPLETE_CHOICES: Final = 25  # choices one autocomplete answer may offer
CHOICE_TEXT: Final = 100  # characters of a choice's name (and of a string value)
SELECT_OPTION_LABEL: Final = 100  # characters of a select menu option's label
