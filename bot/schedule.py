"""APScheduler wiring: the one scheduler of the process, its job defaults and its jobs."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Final

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.filings.watcher import FilingsWatcher
from bot.pipeline import PricePipeline

log = logging.getLogger(__name__)

# A job that missed its time by less than this still runs (e.g. after a slow poll).
MISFIRE_GRACE_SECONDS = 30
# How long stop() lets running jobs finish before the store they write to is closed.
STOP_GRACE_SECONDS = 10.0
# Daily history only changes once a session; checking every few hours is enough and cheap
# (a symbol already refreshed today is skipped).
HISTORY_REFRESH_HOURS = 6

JobFunction = Callable[[], Awaitable[Any]]


class Scheduler:
    """The process's one scheduler: stable job ids, and jobs that finish when the bot stops."""

    def __init__(self) -> None:
        self.aps = AsyncIOScheduler(
            timezone="UTC",
            job_defaults={
                "coalesce": True,  # run a backlog of missed runs once, not once per missed slot
                "max_instances": 1,  # never overlap a job with itself
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            },
        )
        self._running: set[asyncio.Task[Any]] = set()

    @property
    def running(self) -> bool:
        """Tell whether the scheduler has been started and not stopped."""
        return bool(self.aps.running)

    def add(
        self,
        job_id: str,
        func: JobFunction,
        trigger: BaseTrigger,
        *,
        name: str,
        next_run_time: datetime | None = None,
        **options: Any,
    ) -> Job:
        """Add or replace the job ``job_id``."""
        extra = {"next_run_time": next_run_time} if next_run_time is not None else {}
        return self.aps.add_job(
            self._tracked(func),
            trigger,
            id=job_id,
            name=name,
            replace_existing=True,
            **extra,
            **options,
        )

    def remove(self, job_id: str) -> bool:
        """Remove the job ``job_id`` if it exists; return whether it did."""
        if self.aps.get_job(job_id) is None:
            return False
        self.aps.remove_job(job_id)
        return True

    def next_run(self, job_id: str) -> datetime | None:
        """Return when ``job_id`` runs next, if it is scheduled."""
        job = self.aps.get_job(job_id)
        return None if job is None else job.next_run_time

    def start(self) -> None:
        """Start running jobs (inside the running event loop)."""
        if not self.aps.running:
            self.aps.start()

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop scheduling, let running jobs finish (up to ``grace`` s), then shut down."""
        if not self.aps.running:
            return
        self.aps.pause()
        if self._running:
            _, late = await asyncio.wait(set(self._running), timeout=grace)
            for task in late:
                log.warning("job %s still running at shutdown; cancelling it", task.get_name())
        self.aps.shutdown(wait=False)

    def _tracked(self, func: JobFunction) -> JobFunction:
        @functools.wraps(func)
        async def run() -> Any:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                return await func()
            finally:
                if task is not None:
                    self._running.discard(task)

        return run


# The price poll's job id: /status asks the scheduler when it runs next.
PRICE_POLL_JOB: Final = "price-poll"


def schedule_market_jobs(
    scheduler: Scheduler, pipeline: PricePipeline, poll_seconds: float, now: datetime
) -> None:
    """Add the price poll (first run now) and the daily-history refresh."""
    scheduler.add(
        PRICE_POLL_JOB,
        pipeline.tick,
        IntervalTrigger(seconds=poll_seconds),
        name="price poll and alert evaluation",
        next_run_time=now,
    )
    scheduler.add(
        "history-refresh",
        pipeline.refresh_history,
        IntervalTrigger(hours=HISTORY_REFRESH_HOURS),
        name="daily history refresh",
        next_run_time=now,
    )


# The filings poll's job id. It ticks often and the watcher decides whether a poll is due
# (every interval in business hours, every ten minutes otherwise): a poll that overran its
# interval is followed at once by the next, instead of waiting out a skipped tick.
FILINGS_POLL_JOB: Final = "filings-poll"
FILINGS_TICK_SECONDS: Final = 1.0


def schedule_filings_job(scheduler: Scheduler, watcher: FilingsWatcher, now: datetime) -> None:
    """Add the EDGAR poll (first run now) when the watcher is on."""
    if not watcher.enabled:
        log.info("SEC filings watcher off: %s", watcher.off_reason)
        return
    scheduler.add(
        FILINGS_POLL_JOB,
        watcher.tick,
        IntervalTrigger(seconds=min(watcher.poll_seconds, FILINGS_TICK_SECONDS)),
        name="SEC EDGAR filings poll",
        next_run_time=now,
    )


# Balance sheets change quarterly (each company is asked at most daily); the network data
# at most every ten minutes.
BALANCE_SHEET_JOB: Final = "balance-sheets"
BALANCE_SHEET_HOURS = 6
NETWORK_JOB: Final = "btc-network"
NETWORK_MINUTES = 10


def schedule_economics_jobs(
    scheduler: Scheduler,
    *,
    balance_sheets: JobFunction,
    network: JobFunction,
    now: datetime,
) -> None:
    """Add the balance-sheet refresh and the network-data poll (both first run now)."""
    scheduler.add(
        BALANCE_SHEET_JOB,
        balance_sheets,
        IntervalTrigger(hours=BALANCE_SHEET_HOURS),
        name="balance-sheet refresh (each company at most daily)",
        next_run_time=now,
    )
    scheduler.add(
        NETWORK_JOB,
        network,
        IntervalTrigger(minutes=NETWORK_MINUTES),
        name="bitcoin network data (hashprice)",
        next_run_time=now,
    )
