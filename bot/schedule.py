"""APScheduler wiring: the one scheduler of the process and its job defaults."""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

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
