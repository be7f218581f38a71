"""The services the bot is given (built once in the entry point, closed in reverse order)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock, SystemClock
from bot.ledger.service import LedgerService
from bot.schedule import build_scheduler
from bot.settings import Settings
from bot.store import Store

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Services:
    """Everything the bot and its cogs use, built from the settings."""

    settings: Settings
    store: Store
    clock: Clock
    scheduler: AsyncIOScheduler
    ledger: LedgerService = field(init=False)

    def __post_init__(self) -> None:
        self.ledger = LedgerService(self.store, self.clock)

    async def aclose(self) -> None:
        """Close what was opened, newest first."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.store.close()


async def open_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Open the store and build the scheduler for ``settings``."""
    store = await Store.open(settings.db_path)
    return Services(
        settings=settings,
        store=store,
        clock=clock or SystemClock(),
        scheduler=build_scheduler(),
    )
