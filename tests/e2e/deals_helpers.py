"""Shared steps for the /deals end-to-end tests: people, a second server, replies, a worker."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from bot.outbox.worker import OutboxWorker
from bot.sandbox.session import SandboxSession
from discord_emulator import MANAGE_GUILD, Channel, Guild, InteractionResult, Message, User

SOURCE = "https://example.com/press/local-ai-cloud"


@dataclass(frozen=True, slots=True)
class People:
    """A plain member, a server admin who does not own the bot, and a bot owner who is not admin."""

    member: User
    admin: User
    owner: User


def people(sandbox: SandboxSession) -> People:
    """Add a server admin and make a new non-admin member the bot's owner.

    Call before the first add/edit/remove: discord.py remembers the owner once it has asked.
    """
    emu, guild = sandbox.emu, sandbox.world.guild
    admin = emu.add_member(guild.id, "server-admin", permissions=MANAGE_GUILD)
    owner = emu.add_member(guild.id, "bot-owner")
    emu.set_owner(owner.id)
    return People(member=sandbox.world.member, admin=admin, owner=owner)


@dataclass(frozen=True, slots=True)
class OtherServer:
    """A second server with its own channel and admin."""

    sandbox: SandboxSession
    guild: Guild
    channel: Channel
    admin: User

    async def run(self, command: str, options: dict[str, Any]) -> InteractionResult:
        """Run a slash command as this server's admin, in its channel."""
        return await run(
            self.sandbox, command, options, user=self.admin, guild=self.guild, channel=self.channel
        )

    async def add_their_deal(self) -> InteractionResult:
        """Add a deal to this server's own ledger, which no other server may see."""
        deal = {"host": "WULF", "counterparty": "Their Cloud", "source_url": SOURCE}
        return await self.run("deals add", deal)


async def other_server(sandbox: SandboxSession) -> OtherServer:
    """Create a second server the bot is in, and wait until the bot has it."""
    emu = sandbox.emu
    admin = emu.add_user("other-admin")
    guild = emu.add_guild("Other server", owner_id=admin.id)
    emu.add_member(guild.id, admin, permissions=MANAGE_GUILD)
    channel = emu.add_channel(guild.id, "general")
    for _ in range(100):
        found = sandbox.bot.get_guild(guild.id)
        if found is not None and found.get_channel(channel.id) is not None:
            break
        await asyncio.sleep(0.02)
    return OtherServer(sandbox, guild, channel, admin)


async def run(
    sandbox: SandboxSession,
    command: str,
    options: dict[str, Any] | None = None,
    *,
    user: User | None = None,
    guild: Guild | None = None,
    channel: Channel | None = None,
) -> InteractionResult:
    """Run a slash command (in the default server unless told) and wait for its answer."""
    result = await sandbox.invoke(command, options, user=user, guild=guild, channel=channel)
    return await result.wait_done(timeout=5)


async def add_deal(
    sandbox: SandboxSession, user: User, **options: Any
) -> tuple[InteractionResult, int | None]:
    """Run /deals add with a valid default deal; return the reply and the new contract's id."""
    values: dict[str, Any] = {
        "host": "IREN",
        "counterparty": "Local AI Cloud",
        "source_url": SOURCE,
        "mw_it": 50.0,
        "term_years": 5.0,
        "value_usd": 1.2e9,
    }
    values.update(options)
    result = await run(sandbox, "deals add", values, user=user)
    text = result.content
    added = int(text.split("#", 1)[1].split(" ", 1)[0]) if text.startswith("Added") else None
    return result, added


async def global_id(sandbox: SandboxSession, key: str) -> int:
    """Return the id of a shipped contract by its key."""
    contracts = await sandbox.bot.store.ledger.contracts(guild_id=None)
    return next(c.id for c in contracts if c.key == key)


async def worker(sandbox: SandboxSession) -> OutboxWorker:
    """Return the bot's outbox worker with its background loop stopped: the test delivers."""
    await sandbox.bot.outbox.stop()
    return sandbox.bot.outbox


def buttons(message: Message) -> dict[str, dict[str, Any]]:
    """Return a message's buttons by label."""
    return {
        button["label"]: button
        for row in message.components
        for button in row.get("components", [])
        if button.get("type") == 2
    }


async def press(
    sandbox: SandboxSession,
    message: Message,
    label: str,
    user_id: int,
    *,
    shown: Message | None = None,
) -> InteractionResult:
    """Press the button labelled ``label`` on ``message`` as ``user_id``; the buttons are
    read from ``shown`` (the message as it now looks) when given."""
    custom_id = buttons(shown or message)[label]["custom_id"]
    return await sandbox.emu.click(message, custom_id, user_id=user_id)
