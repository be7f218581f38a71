"""The daily summary's vocabulary: a server's configuration and what happened to each day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.i18n import N_
from bot.summary.timing import LATE_WINDOW, SummarySchedule, parse_schedule


class RunStatus(StrEnum):
    """What became of one server's summary for one local day (``summary_runs.status``)."""

    POSTED = "posted"  # queued in the outbox (delivery is the outbox's business)
    SKIPPED = "skipped"  # the bot was down past the late window
    PAUSED = "paused"  # the channel refused it; the summary waits for a new configuration


class PauseReason(StrEnum):
    """Why a server's summary is paused (``guild_settings.summary_paused_reason``)."""

    CHANNEL_GONE = "channel_gone"
    MISSING_PERMISSIONS = "missing_permissions"


PAUSE_TEXT = {
    PauseReason.CHANNEL_GONE: N_("the summary channel was deleted or the bot lost access to it"),
    PauseReason.MISSING_PERMISSIONS: N_("the bot may no longer post in the summary channel"),
}
# A summary queued this long after its time was a catch-up (a job fires within milliseconds).
LATE_AFTER = timedelta(minutes=5)
SKIP_OFFLINE = (
    "the bot was offline at the scheduled time and back more than "
    f"{LATE_WINDOW.total_seconds() / 3600:g} hours later"
)


@dataclass(frozen=True, slots=True)
class SummaryConfig:
    """One server's daily-summary settings as stored."""

    guild_id: int
    channel_id: int | None
    at: str
    zone: str
    days: str
    enabled: bool
    configured_at: datetime | None = None
    paused_reason: PauseReason | None = None
    paused_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Tell whether summaries are due: on, with a channel, and not paused."""
        return self.enabled and self.channel_id is not None and self.paused_reason is None

    def schedule(self) -> SummarySchedule:
        """Return the parsed schedule (the stored values were validated when configured)."""
        return parse_schedule(self.at, self.zone, self.days)


@dataclass(frozen=True, slots=True)
class SummaryRun:
    """One server's summary for one local day, with its delivery as the outbox knows it."""

    guild_id: int
    local_day: date
    status: RunStatus
    scheduled_for: datetime
    created_at: datetime
    outbox_id: int | None = None
    history_id: int = 0
    reason: str | None = None
    delivery: str | None = None  # the outbox row's state: pending, delivered, undeliverable
    delivered_at: datetime | None = None
    last_error: str | None = None

    @property
    def late(self) -> bool:
        """Tell whether the summary was queued well after its scheduled time (a catch-up)."""
        return self.created_at - self.scheduled_for > LATE_AFTER


@dataclass(frozen=True, slots=True)
class SummaryStatus:
    """A server's summary as /status shows it."""

    config: SummaryConfig | None
    next_run: datetime | None
    last_run: SummaryRun | None
