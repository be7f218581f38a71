"""What REST handlers work on: the world and the stores beside it, not the emulator facade.

Handlers get this (through `Call.api`) instead of the `DiscordEmulator`, so the HTTP side
never imports the facade that builds it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .commands import CommandStore
from .messaging import Messenger
from .recorder import Recorder
from .results import InteractionResult
from .state import World


@dataclass(frozen=True)
class Backend:
    """The parts REST handlers read and change; shared (not copied) with the facade."""

    world: World
    commands: CommandStore
    messenger: Messenger
    recorder: Recorder
    # Interactions sent to the bot, by id (callbacks) and by token (webhook follow-ups).
    interactions: dict[int, InteractionResult]
    interactions_by_token: dict[str, InteractionResult]
    # The gateway URL handed out by GET /gateway (it knows the port only once listening).
    gateway_url: Callable[[], str]
    # GET /gateway/bot's answer: the URL, the recommended shard count, the session starts.
    gateway_bot: Callable[[], dict[str, Any]]
