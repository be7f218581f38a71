"""Ctrl-C at the console prompt: the sandbox stops cleanly, a second Ctrl-C forces it."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

from bot.sandbox.terminal import Interrupts

PROMPT = b"[general as admin] > "


async def _read_until(stream: asyncio.StreamReader, marker: bytes, seen: bytearray) -> None:
    while marker not in seen:
        chunk = await stream.read(4096)
        if not chunk:
            raise AssertionError(f"output ended before {marker!r}:\n{seen.decode()}")
        seen.extend(chunk)


async def test_ctrl_c_at_the_prompt_stops_the_sandbox_and_keeps_the_store(
    tmp_path: Path,
) -> None:
    store = tmp_path / "sandbox.sqlite3"
    env = {
        **os.environ,
        "MINERWATCH_DB": str(store),
        "MINERWATCH_PRICE_SOURCE": "demo",
        "MINERWATCH_CACHE_DIR": str(tmp_path / "cache"),
    }
    env.pop("DISCORD_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sandbox",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
        cwd=tmp_path,
    )
    assert process.stdin is not None and process.stdout is not None
    seen = bytearray()
    try:
        await asyncio.wait_for(_read_until(process.stdout, PROMPT, seen), 60)
        process.stdin.write(b"/alert add CIFR above 12\n")
        await process.stdin.drain()
        await asyncio.wait_for(_read_until(process.stdout, b"Alert #1 set", seen), 30)
        await asyncio.wait_for(_read_until(process.stdout, PROMPT, seen), 30)
        process.send_signal(signal.SIGINT)  # stdin stays open: nobody presses Enter
        rest = await asyncio.wait_for(process.stdout.read(), 20)
        status = await asyncio.wait_for(process.wait(), 5)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = (seen + rest).decode()
    assert "Traceback" not in output
    assert "Stopping the sandbox cleanly" in output and "Sandbox stopped." in output
    assert status == 0
    with sqlite3.connect(store) as db:
        alerts = db.execute("SELECT symbol FROM alerts").fetchall()
    assert alerts == [("CIFR",)]


def test_a_second_ctrl_c_forces_the_exit() -> None:
    said: list[str] = []
    stopped: list[bool] = []
    forced: list[bool] = []
    interrupts = Interrupts(
        stop=lambda: stopped.append(True), say=said.append, force=lambda: forced.append(True)
    )
    interrupts.press()
    assert stopped == [True] and forced == []
    interrupts.press()
    assert forced == [True] and stopped == [True]
    assert "Ctrl-C again to force" in said[0] and "Forced" in said[1]
