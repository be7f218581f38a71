"""Running the bot against Discord: services in, signals handled, everything closed on exit."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from typing import Final

import aiohttp

from bot.app import Minerwatch, new_bot, point_discord_at
from bot.clock import Clock
from bot.deploy.startup import Unreachable
from bot.services import open_services
from bot.settings import Settings
from bot.tasks import cancel_and_wait

log = logging.getLogger(__name__)

# Login, migrations, seeding and the command sync: a minute is plenty, and without a bound a
# silent network would leave the operator staring at nothing for aiohttp's five minutes.
LOGIN_TIMEOUT: Final = 60.0


async def start_bot(
    settings: Settings, *, clock: Clock | None = None, guild_ready_timeout: float = 2.0
) -> Minerwatch:
    """Build the services and the bot for ``settings`` and log in (the gateway is not yet open)."""
    if settings.discord_token is None:
        raise ValueError("DISCORD_TOKEN is required to log in")
    point_discord_at(settings)
    services = await open_services(settings, clock=clock)
    bot = new_bot(services, guild_ready_timeout=guild_ready_timeout)
    try:
        try:
            await asyncio.wait_for(
                bot.login(settings.discord_token.get_secret_value()), LOGIN_TIMEOUT
            )
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Unreachable.from_error(settings.discord_api_base, exc) from exc
    except BaseException:
        await bot.close()
        raise
    return bot


async def run_until_stopped(bot: Minerwatch) -> None:
    """Stay connected until SIGINT/SIGTERM or a fatal error, then close everything."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    # Signals reach the main thread only; run elsewhere (embedded, tests), closing is the
    # caller's business.
    signals = (
        (signal.SIGINT, signal.SIGTERM)
        if threading.current_thread() is threading.main_thread()
        else ()
    )
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    connection = asyncio.create_task(bot.connect(), name="discord-gateway")
    stopper = asyncio.create_task(stop.wait(), name="stop-signal")
    try:
        done, _ = await asyncio.wait({connection, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if stopper in done:
            log.info("stop signal received, shutting down")
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)
        stopper.cancel()
        await bot.close()
        await cancel_and_wait(connection)


async def run_discord(
    settings: Settings, *, once_started: Callable[[], None] = lambda: None
) -> None:
    """Connect to Discord with the configured token and serve until stopped.

    ``once_started`` runs when the bot is built and logged in, before the gateway opens.
    """
    bot = await start_bot(settings)
    once_started()
    await run_until_stopped(bot)
