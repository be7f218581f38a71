"""Fixtures for the deployment tests: the CLI run in a thread against a local Discord."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import cli
from discord_emulator import DiscordEmulator
from tests.e2e.conftest import emu

__all__ = ["emu"]


@dataclass(frozen=True)
class Ran:
    """What `minerwatch …` printed and returned."""

    status: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory (no .env) and a configuration of its own."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("MINERWATCH_", "DISCORD_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("MINERWATCH_DB", str(tmp_path / "store.sqlite3"))
    monkeypatch.setenv("MINERWATCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MINERWATCH_PRICE_SOURCE", "demo")
    return tmp_path


@pytest.fixture
def on_emulator(emu: DiscordEmulator, monkeypatch: pytest.MonkeyPatch) -> DiscordEmulator:
    """Aim the configuration at the emulator, with its valid token."""
    monkeypatch.setenv("DISCORD_TOKEN", emu.token)
    monkeypatch.setenv("DISCORD_API_BASE", emu.api_base)
    monkeypatch.setenv("DISCORD_GATEWAY_URL", emu.gateway_base)
    return emu


@pytest.fixture
def rejected_token(on_emulator: DiscordEmulator, monkeypatch: pytest.MonkeyPatch) -> str:
    """Aim the configuration at the local Discord with a token it refuses; return the token."""
    token = "not-the-token"
    monkeypatch.setenv("DISCORD_TOKEN", token)
    return token


async def minerwatch(capsys: pytest.CaptureFixture[str], *argv: str) -> Ran:
    """Run the command line in a worker thread (it runs its own event loop), like a shell."""
    capsys.readouterr()
    status = await asyncio.to_thread(cli.main, list(argv))
    captured = capsys.readouterr()
    return Ran(status, captured.out, captured.err)


def closed_port() -> int:
    """Return a local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def aim_at_closed_port(monkeypatch: pytest.MonkeyPatch, path: str = "") -> int:
    """Give the bot a token and a Discord API base on a local port nothing listens on (with
    ``path`` after it); return the port."""
    port = closed_port()
    monkeypatch.setenv("DISCORD_TOKEN", "abc")
    monkeypatch.setenv("DISCORD_API_BASE", f"http://127.0.0.1:{port}{path}")
    return port


def one_line_error(ran: Ran) -> str:
    """Assert a failed start-up said one line and no traceback; return that line."""
    assert ran.status != 0, ran
    assert "Traceback" not in ran.err, ran.err
    problems = [line for line in ran.err.splitlines() if line.strip() and " INFO " not in line]
    assert len(problems) == 1, ran.err
    return problems[0]


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """The CLI configures the root logger for its process: undo that after each test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
