"""APScheduler wiring: the one scheduler of the process, its job defaults and its jobs."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Final

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.filings.watcher import FilingsWatcher
from bot.leadership import AlwaysLeader, Leadership
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
    """The process's one scheduler: stable job ids, and jobs that finish when the bot stops.

    A job added with ``leader_only`` is global work: among the processes sharing the store,
    only the leader runs it (elsewhere each run returns at once), and a process that becomes
    the leader runs it straight away rather than at its next slot.
    """

    def __init__(self, leadership: Leadership | None = None) -> None:
        self.leadership: Leadership = leadership or AlwaysLeader()
        self._leader_jobs: set[str] = set()
        self.leadership.subscribe(self._leadership_changed)
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
        leader_only: bool = False,
        **options: Any,
    ) -> Job:
        """Add or replace the job ``job_id`` (run by the leader alone when ``leader_only``)."""
        extra = {"next_run_time": next_run_time} if next_run_time is not None else {}
        if leader_only:
            self._leader_jobs.add(job_id)
        else:
            self._leader_jobs.discard(job_id)
        return self.aps.add_job(
            self._tracked(func, leader_only=leader_only),
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

    @property
    def is_leader(self) -> bool:
        """Tell whether this process runs the global (leader-only) jobs."""
        return self.leadership.is_leader

    def _leadership_changed(self, leading: bool) -> None:
        """A new leader runs the global jobs now: the last runs may be long ago."""
        if not leading or not self.aps.running:
            return
        now = datetime.now(UTC)
        for job_id in self._leader_jobs:
            job = self.aps.get_job(job_id)
            if job is not None:
                job.modify(next_run_time=now)

    def _tracked(self, func: JobFunction, *, leader_only: bool = False) -> JobFunction:
        @functools.wraps(func)
        async def run() -> Any:
            if leader_only and not self.leadership.is_leader:
                return None  # another process leads: this global job is its work
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
        leader_only=True,
    )
    scheduler.add(
        "history-refresh",
        pipeline.refresh_history,
        IntervalTrigger(hours=HISTORY_REFRESH_HOURS),
        name="daily history refresh",
        next_run_time=now,
        leader_only=True,
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
        leader_only=True,
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
        leader_only=True,
    )
    scheduler.add(
        NETWORK_JOB,
        network,
        IntervalTrigger(minutes=NETWORK_MINUTES),
        name="bitcoin network data (hashprice)",
        next_run_time=now,
        leader_only=True,
    )
