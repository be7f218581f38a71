"""A sandbox session: the emulator and the real bot, started through the same path as `run`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from bot.app import Minerwatch
from bot.clock import Clock
from bot.runtime import start_bot
from bot.settings import Settings
from discord_emulator import (
    MANAGE_GUILD,
    Channel,
    DiscordEmulator,
    Guild,
    InteractionResult,
    User,
)

log = logging.getLogger(__name__)

READY_TIMEOUT = 15.0  # seconds; a cold start (calendar, migrations, seed) takes about one


@dataclass(frozen=True, slots=True)
class SandboxWorld:
    """The default sandbox server: three channels, an admin who owns the bot, and a member."""

    guild: Guild
    general: Channel
    alerts: Channel
    daily: Channel
    admin: User
    member: User

    @classmethod
    def build(
        cls, emu: DiscordEmulator, *, on_shard: tuple[int, int] | None = None
    ) -> SandboxWorld:
        """Create the server, channels and people in the emulator (before the bot connects).

        ``on_shard=(shard_id, shard_count)`` gives the server an id on that gateway shard.
        """
        admin = emu.add_user("you")
        member = emu.add_user("member")
        guild = emu.add_guild("Minerwatch sandbox", owner_id=admin.id, on_shard=on_shard)
        emu.add_member(guild.id, admin, permissions=MANAGE_GUILD)
        emu.add_member(guild.id, member)
        emu.set_owner(admin.id)
        return cls(
            guild=guild,
            general=emu.add_channel(guild.id, "general"),
            alerts=emu.add_channel(guild.id, "alerts"),
            daily=emu.add_channel(guild.id, "daily"),
            admin=admin,
            member=member,
        )


class SandboxSession:
    """The real bot connected to a local Discord; used by the console and end-to-end tests."""

    def __init__(
        self,
        emu: DiscordEmulator,
        world: SandboxWorld,
        bot: Minerwatch,
        connection: asyncio.Task[None],
    ) -> None:
        self.emu = emu
        self.world = world
        self.bot = bot
        self._connection = connection

    @classmethod
    async def start(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        emulator: DiscordEmulator | None = None,
        world: SandboxWorld | None = None,
    ) -> SandboxSession:
        """Start an emulator (unless given), build its world, and connect the bot to it."""
        emu = emulator or await DiscordEmulator().start()
        try:
            world = world or SandboxWorld.build(emu)
            # Only the token and the two URLs differ from a real `minerwatch run`.
            aimed = settings.model_copy(
                update={
                    "discord_token": SecretStr(emu.token),
                    "discord_api_base": emu.api_base,
                    "discord_gateway_url": emu.gateway_base,
                }
            )
            bot = await start_bot(aimed, clock=clock, guild_ready_timeout=0.05)
            connection = asyncio.create_task(bot.connect(reconnect=True), name="sandbox-gateway")
            await _wait_ready(bot, connection)
        except BaseException:
            if emulator is None:
                await emu.stop()
            raise
        return cls(emu, world, bot, connection)

    async def invoke(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        user: User | None = None,
        channel: Channel | None = None,
        locale: str | None = None,
        guild: Guild | None = None,
    ) -> InteractionResult:
        """Invoke a slash command as ``user`` (the admin by default) in ``channel``.

        The server is the sandbox's own unless ``guild`` is given (``channel`` must then be
        one of its channels). The interaction carries the user's Discord client language
        unless ``locale`` is given.
        """
        return await self.emu.invoke(
            (guild or self.world.guild).id,
            (channel or self.world.general).id,
            (user or self.world.admin).id,
            command,
            options or {},
            locale=locale,
        )

    async def stop(self, *, stop_emulator: bool = True) -> None:
        """Close the bot (and its services), then the emulator."""
        await self.bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self._connection, 5)
        if stop_emulator:
            await self.emu.stop()


async def _wait_ready(bot: Minerwatch, connection: asyncio.Task[None]) -> None:
    """Wait for READY, re-raising at once if the gateway task dies first."""
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait(
        {connection, ready}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
    )
    if connection in done:
        ready.cancel()
        connection.result()
        raise RuntimeError("the gateway connection ended before the bot was ready")
    if ready not in done:
        ready.cancel()
        connection.cancel()
        await bot.close()
        raise TimeoutError(f"the bot was not ready within {READY_TIMEOUT:.0f} s")
