"""A local Discord (REST v10 + gateway on 127.0.0.1) that the unmodified discord.py talks to."""

from .commands import CommandNotAvailable, EmulatorUsageError, InvalidOptions
from .emulator import DiscordEmulator
from .errors import FieldError
from .faults import Fault
from .options import Upload
from .permissions import (
    ADMINISTRATOR,
    ATTACH_FILES,
    EMBED_LINKS,
    MANAGE_GUILD,
    SEND_MESSAGES,
    VIEW_CHANNEL,
)
from .recorder import RecordedRequest, UploadedFile, Violation
from .results import Callback, InteractionResult
from .state import Attachment, Channel, Guild, Message, Overwrite, Role, User

__all__ = [
    "ADMINISTRATOR",
    "ATTACH_FILES",
    "EMBED_LINKS",
    "MANAGE_GUILD",
    "SEND_MESSAGES",
    "VIEW_CHANNEL",
    "Attachment",
    "Callback",
    "Channel",
    "CommandNotAvailable",
    "DiscordEmulator",
    "EmulatorUsageError",
    "Fault",
    "FieldError",
    "Guild",
    "InteractionResult",
    "InvalidOptions",
    "Message",
    "Overwrite",
    "RecordedRequest",
    "Role",
    "Upload",
    "UploadedFile",
    "User",
    "Violation",
]
