"""The command tree: the one place where a failed slash command becomes a reply."""

from __future__ import annotations

import logging
import secrets
import sqlite3
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

import discord
from discord import app_commands

from bot.errors import MinerwatchError
from bot.i18n import N_, _
from bot.i18n.language import choose
from bot.limits import MESSAGE_CONTENT
from bot.text import neutralise
from cogs._ui.replies import reply_privately

if TYPE_CHECKING:
    from bot.app import Minerwatch

log = logging.getLogger(__name__)

# How many unexpected failures /status (and tests) can look back on.
RECENT_FAILURES = 50
# SQLite result codes (name prefixes) of a store that cannot take a write, as members read it.
STORAGE_STATES: Final = (
    ("SQLITE_FULL", N_("full")),
    ("SQLITE_READONLY", N_("read-only")),
    ("SQLITE_BUSY", N_("busy")),
    ("SQLITE_LOCKED", N_("busy")),
    ("SQLITE_IOERR", N_("failing")),
)


@dataclass(frozen=True, slots=True)
class Failure:
    """An unexpected error in a command, with the reference shown to the user."""

    ref: str
    command: str
    at: datetime
    error: BaseException


class MinerwatchTree(app_commands.CommandTree["Minerwatch"]):
    """Map domain errors to ephemeral replies; log anything unexpected with a reference."""

    def __init__(self, client: Minerwatch, **kwargs: object) -> None:
        super().__init__(client, **kwargs)  # type: ignore[arg-type]
        self.failures: deque[Failure] = deque(maxlen=RECENT_FAILURES)

    async def interaction_check(self, interaction: discord.Interaction[Minerwatch], /) -> bool:
        """Reply in the member's language: the rest of this interaction's task writes in it."""
        guild_locale = str(interaction.guild_locale) if interaction.guild_locale else None
        language = await interaction.client.services.languages.saw(
            interaction.user.id, str(interaction.locale), interaction.guild_id, guild_locale
        )
        choose(language)
        return True

    async def on_error(
        self, interaction: discord.Interaction[Minerwatch], error: app_commands.AppCommandError
    ) -> None:
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        message = user_message_for(original)
        if isinstance(original, app_commands.TransformerError):
            message = choice_message(interaction, original.value) or message
        if message is None:
            ref = secrets.token_hex(3).upper()
            name = interaction.command.qualified_name if interaction.command else "?"
            self.failures.append(Failure(ref, name, interaction.client.clock.now(), original))
            log.error("command /%s failed (ref %s)", name, ref, exc_info=original)
            message = storage_message(original, ref) or _(
                "Something went wrong (ref {ref}). It has been logged; please try again later.",
                ref=ref,
            )
        await send_ephemeral(interaction, message)


def user_message_for(error: BaseException) -> str | None:
    """Return what to tell the user about an error they can act on, or None if unexpected."""
    if isinstance(error, MinerwatchError):
        return error.user_message
    if isinstance(error, app_commands.MissingPermissions):
        missing = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return _("You need the {missing} permission for this command.", missing=missing)
    if isinstance(error, app_commands.NoPrivateMessage):
        return _("This command only works in a server.")
    if isinstance(error, app_commands.CommandOnCooldown):
        return _("Slow down: try again in {seconds} s.", seconds=f"{error.retry_after:.0f}")
    if isinstance(error, app_commands.TransformerError):
        shown = neutralise(str(error.value), limit=50)
        return _("“{shown}” is not a valid {kind}.", shown=shown, kind=error.type.name.lower())
    if isinstance(error, app_commands.CheckFailure):
        return _("You are not allowed to use this command here.")
    return None


def storage_message(error: BaseException, ref: str) -> str | None:
    """Explain a store that cannot take writes (full disk, read-only file, locked), or None."""
    if not isinstance(error, sqlite3.OperationalError):
        return None
    name = getattr(error, "sqlite_errorname", "")
    state = next((text for prefix, text in STORAGE_STATES if name.startswith(prefix)), None)
    if state is None:
        return None
    return _(
        "Minerwatch could not save this: its storage is {state} right now, so nothing was "
        "changed. The operator has been told (ref {ref}); please try again later.",
        state=_(state),
        ref=ref,
    )


def choice_message(interaction: discord.Interaction[Minerwatch], value: object) -> str | None:
    """Say which option refused a value that is not one of its choices, and what it takes."""
    command = interaction.command
    if not isinstance(command, app_commands.Command):
        return None
    for parameter in command.parameters:
        allowed = [choice.value for choice in parameter.choices]
        name = parameter.display_name
        if allowed and getattr(interaction.namespace, name, None) == value:
            shown = neutralise(str(value), limit=50)
            return _(
                "{option}: “{shown}” is not one of: {allowed}.",
                option=name,
                shown=shown,
                allowed=", ".join(map(str, allowed)),
            )
    return None


async def send_ephemeral(interaction: discord.Interaction[Minerwatch], message: str) -> None:
    """Reply privately; an error reply that cannot be delivered is logged, never raised."""
    content = message[:MESSAGE_CONTENT]
    try:
        await reply_privately(interaction, content)
    except discord.HTTPException:
        log.warning("could not deliver an error reply for interaction %s", interaction.id)
