"""The hardening tests run the real bot against the emulator, as the end-to-end tests do."""

from __future__ import annotations

import pytest

from bot.sandbox.session import SandboxSession
from tests.e2e.conftest import (
    e2e_clock,
    e2e_settings,
    emu,
    price_source,
    replay_csv,
    replay_file,
    settings_overrides,
)
from tests.e2e.conftest import sandbox as e2e_sandbox
from tests.hardening.harness import Finished

__all__ = [
    "e2e_clock",
    "e2e_sandbox",
    "e2e_settings",
    "emu",
    "price_source",
    "replay_csv",
    "replay_file",
    "settings_overrides",
]


@pytest.fixture
def sandbox(e2e_sandbox: SandboxSession) -> SandboxSession:
    """The e2e sandbox, with the bot's finished interactions tracked from the start."""
    Finished.of(e2e_sandbox.bot)
    return e2e_sandbox
