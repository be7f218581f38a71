"""The rule of filing alerts, pure: which new filing fires which alert.

A filing alert's level is the least deal likelihood a filing must show (0 any new filing,
1 a possible or likely AI/HPC deal, 2 a likely deal only). Each new filing is its own event:
a one-shot alert is done after its first firing, a repeating one fires again for the next
filing that qualifies. A snoozed alert lets the filing pass without a post; a paused,
fired or expired one ignores it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Final, NamedTuple

from bot.alerts.model import Alert, AlertKind, AlertState, evolve
from bot.filings.model import Filing
from bot.i18n import N_, _

ANY_FILING: Final = 0
POSSIBLE_DEAL: Final = 1
LIKELY_DEAL: Final = 2
FILING_LEVELS: Final = (ANY_FILING, POSSIBLE_DEAL, LIKELY_DEAL)
# The level in words, for choices, lists and errors.
FILING_LEVEL_NAMES: Final = {
    ANY_FILING: N_("any new filing"),
    POSSIBLE_DEAL: N_("possible or likely deals"),
    LIKELY_DEAL: N_("likely deals only"),
}


class FilingFiring(NamedTuple):
    """A filing alert going off for one filing."""

    alert: Alert  # as stored after the firing
    filing: Filing


def qualifies(level: float, filing: Filing) -> bool:
    """Tell whether ``filing`` is at least as likely a deal as the alert's ``level`` asks."""
    return filing.level.rank >= level and not filing.baseline


def step_filing(
    alert: Alert, filing: Filing, *, now: datetime
) -> tuple[Alert, FilingFiring | None] | None:
    """Return the alert after ``filing`` and its firing (None when snoozed); None: no change."""
    if alert.kind is not AlertKind.FILING or alert.state is not AlertState.ARMED:
        return None
    if alert.symbol != filing.symbol or alert.expired(now) or not qualifies(alert.level, filing):
        return None
    if alert.snoozed(now):
        return alert, None  # the filing passes unposted; the alert stays as it was
    after = evolve(
        alert,
        state=AlertState.ARMED if alert.repeat else AlertState.FIRED,
        fired_count=alert.fired_count + 1,
        last_fired_at=now,
    )
    return after, FilingFiring(after, filing)


def step_filings(
    alerts: Sequence[Alert],
    filings: Sequence[Filing],
    *,
    now: datetime,
    already: Collection[tuple[int, str]] = (),
) -> tuple[list[Alert], list[FilingFiring]]:
    """Apply new ``filings`` (oldest first) to ``alerts``; return the changed alerts and firings.

    ``already`` holds the (alert id, accession) pairs whose post is already owed: a replayed
    decision changes nothing, so a repeating alert's count is not raised twice.
    """
    current = {alert.id: alert for alert in alerts}
    changed: dict[int, Alert] = {}
    firings: list[FilingFiring] = []
    for filing in filings:
        for alert_id, alert in list(current.items()):
            if (alert_id, filing.accession) in already:
                continue
            stepped = step_filing(alert, filing, now=now)
            if stepped is None:
                continue
            after, firing = stepped
            if firing is not None:
                current[alert_id] = after
                changed[alert_id] = after
                firings.append(firing)
    return list(changed.values()), firings


def filing_level_name(level: float) -> str:
    """Return a filing alert's level in words ("likely deals only")."""
    name = FILING_LEVEL_NAMES.get(int(level))
    return _(name) if name is not None else "?"
