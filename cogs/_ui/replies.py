"""Private replies that work whatever state the interaction is in."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Final

import discord

from bot.errors import MinerwatchError
from bot.limits import MESSAGE_CONTENT
from cogs._ui.interaction import Interaction

log = logging.getLogger(__name__)

# What the placeholder says for the instant between being filled and being deleted.
PLACEHOLDER_DONE: Final = "…"


async def reply_privately(interaction: Interaction, text: str) -> None:
    """Answer only the member: the response, or the followup once one was sent.

    An interaction's token lives 15 minutes; past that neither the response nor a followup
    can reach the member, and a private answer has no other way to them, so it is logged
    and dropped instead of failing the caller.
    """
    content = text[:MESSAGE_CONTENT]
    if interaction.is_expired():
        log.info("interaction %s expired before its private reply", interaction.id)
        return
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True)
        else:
            await interaction.response.send_message(content, ephemeral=True)
    except discord.NotFound:
        # Unknown interaction or webhook: the token died between the check and the send.
        log.info("interaction %s expired during its private reply", interaction.id)


async def reply_with_failure(
    interaction: Interaction, error: Exception, *, unexpected: str, action: str
) -> None:
    """Tell the member privately why a button or a form did nothing: a refusal in its own
    words, or ``unexpected`` for anything else, which is logged as ``action`` failing."""
    if isinstance(error, MinerwatchError):
        await reply_privately(interaction, error.user_message)
        return
    log.error("%s failed", action, exc_info=error)
    await reply_privately(interaction, unexpected)


@contextlib.asynccontextmanager
async def private_errors_after_defer(
    interaction: Interaction,
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
