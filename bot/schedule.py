"""APScheduler wiring: the one scheduler of the process and its job defaults."""

from __future__ import annotations

from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.pipeline import PricePipeline

# A job that missed its time by less than this still runs (e.g. after a slow poll).
MISFIRE_GRACE_SECONDS = 30


def build_scheduler() -> AsyncIOScheduler:
    """Create the process's scheduler (started by the bot, shut down in its close())."""
    return AsyncIOScheduler(
        timezone="UTC",
        job_defaults={
            "coalesce": True,  # run a backlog of missed runs once, not once per missed slot
            "max_instances": 1,  # never overlap a job with itself
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
    )


# Daily history only changes once a session; checking every few hours is enough and cheap
# (a symbol already refreshed today is skipped).
HISTORY_REFRESH_HOURS = 6


def schedule_market_jobs(
    scheduler: AsyncIOScheduler, pipeline: PricePipeline, poll_seconds: float, now: datetime
) -> None:
    """Add the price poll (first run now) and the daily-history refresh, with stable ids."""
    scheduler.add_job(
        pipeline.tick,
        IntervalTrigger(seconds=poll_seconds),
        id="price-poll",
        name="price poll and alert evaluation",
        replace_existing=True,
        next_run_time=now,
    )
    scheduler.add_job(
        pipeline.refresh_history,
        IntervalTrigger(hours=HISTORY_REFRESH_HOURS),
        id="history-refresh",
        name="daily history refresh",
        replace_existing=True,
        next_run_time=now,
    )
