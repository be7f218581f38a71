"""/help through the emulator, and the start-up path it proves."""

from __future__ import annotations

import logging

import pytest

from bot.sandbox.session import SandboxSession


async def test_help_lists_commands_sources_and_not_advice(sandbox: SandboxSession) -> None:
    result = await (await sandbox.invoke("help")).wait_done()
    assert result.ephemeral
    text = result.text()
    assert "/help" in text
    assert "Yahoo Finance" in text
    assert "not investment advice" in text


async def test_commands_were_synced_and_are_visible(sandbox: SandboxSession) -> None:
    visible = sandbox.emu.visible_commands(sandbox.world.guild.id, sandbox.world.member.id)
    assert "help" in visible


async def test_token_never_reaches_the_logs(
    sandbox: SandboxSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await (await sandbox.invoke("help")).wait_done()
    token = sandbox.emu.token
    assert token not in caplog.text
    assert token not in repr(sandbox.bot.settings)
    assert token not in repr(sandbox.bot.services)


async def test_bot_answers_again_after_reconnect_and_dropped_gateway(
    sandbox: SandboxSession,
) -> None:
    gateway = sandbox.emu.gateway
    await gateway.reconnect()
    await gateway.wait_until(lambda: gateway.resumes >= 1)
    assert (await (await sandbox.invoke("help")).wait_done(timeout=5)).text()
    await gateway.drop()
    await gateway.wait_until(lambda: gateway.resumes >= 2 or gateway.identifies >= 2)
    assert (await (await sandbox.invoke("help")).wait_done(timeout=5)).text()
