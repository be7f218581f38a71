"""Asking for a chart as a member, and reading the PNG it posts."""

from __future__ import annotations

from bot.sandbox.session import SandboxSession
from discord_emulator import InteractionResult

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def chart(sandbox: SandboxSession, **options: str) -> InteractionResult:
    """Run /chart as a member and wait for its final answer."""
    result = await sandbox.invoke("chart", dict(options), user=sandbox.world.member)
    return await result.wait_done(timeout=15)


def png_of(result: InteractionResult) -> bytes:
    """The one PNG attached to the one visible message of a reply."""
    (message,) = result.visible
    (attachment,) = message.attachments
    assert attachment.filename.endswith(".png")
    return attachment.data
