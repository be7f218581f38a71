"""Replies after a public defer: keep error messages private."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Final

import discord

if TYPE_CHECKING:
    from bot.app import Minerwatch

log = logging.getLogger(__name__)

# What the placeholder says for the instant between being filled and being deleted.
PLACEHOLDER_DONE: Final = "…"


@contextlib.asynccontextmanager
async def private_errors_after_defer(
    interaction: discord.Interaction[Minerwatch],
) -> AsyncIterator[None]:
    """Remove the public "thinking…" placeholder when the body fails, then re-raise."""
    try:
        yield
    except Exception:
        # After a public defer the first followup fills the placeholder, publicly, whatever
        # its flags say. Filled by an edit and then deleted, the placeholder is out of the
        # way: the tree's error reply becomes a new message and keeps its ephemeral flag.
        try:
            await interaction.edit_original_response(content=PLACEHOLDER_DONE)
            await interaction.delete_original_response()
        except discord.HTTPException:
            log.warning("could not remove the placeholder of interaction %s", interaction.id)
        raise
