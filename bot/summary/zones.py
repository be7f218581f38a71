"""Time-zone suggestions for /summary config, from the IANA names this machine knows."""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Sequence
from typing import Final

from bot.limits import AUTOCOMPLETE_CHOICES

# Discord shows at most 25 autocomplete choices.
# Offered before anything is typed: where the bot's members are most likely to be.
POPULAR: Final = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Zurich",
    "Asia/Dubai",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)


# Fixed-offset names in the tz database, and the region zone a member most likely means.
_FIXED_OFFSET: Final = re.compile(r"^(EST|MST|HST|Etc/GMT[+-]\d{1,2})$")
FIXED_OFFSET_INSTEAD: Final = {
    "EST": "America/New_York",
    "MST": "America/Denver",
    "HST": "Pacific/Honolulu",
}


@functools.cache
def known_zones() -> tuple[str, ...]:
    """Return every IANA zone name, sorted (read once: the tz database does not change)."""
    return tuple(sorted(zoneinfo.available_timezones()))


def zone_problem(zone: str) -> str | None:
    """Return what is wrong with a typed zone name, or None when this machine knows it."""
    # Checked against the list rather than by opening the zone: ZoneInfo reads a file named
    # after its argument, and some inputs (thousands of characters) fail as OS errors.
    name = zone.strip()
    if name in known_zones():
        return fixed_offset_problem(name)
    return (
        f"timezone: unknown time zone {zone[:60]!r}; use an IANA name such as "
        "America/New_York, Europe/Paris or Asia/Tokyo"
    )


def fixed_offset_problem(name: str) -> str | None:
    """Return why a fixed offset (EST, Etc/GMT+5) is refused, or None for a region's zone.

    A fixed offset ignores daylight saving: a 16:30 summary would post at 17:30 local time
    all summer. UTC is fine: whoever picks it means a fixed clock.
    """
    if not _FIXED_OFFSET.match(name):
        return None
    instead = FIXED_OFFSET_INSTEAD.get(name, "America/New_York")
    return (
        f"timezone: {name} is a fixed offset that ignores daylight saving; use an IANA zone "
        f"such as {instead}"
    )


def suggest_zones(
    typed: str, zones: Sequence[str] | None = None, limit: int = AUTOCOMPLETE_CHOICES
) -> list[str]:
    """Return zones matching ``typed``: name or city prefix first, then any substring."""
    names = known_zones() if zones is None else zones
    key = typed.strip().lower().replace(" ", "_")
    if not key:
        return [zone for zone in POPULAR if zone in names][:limit]
    prefix: list[str] = []
    inside: list[str] = []
    for zone in names:
        if _FIXED_OFFSET.match(zone):
            continue  # refused by /summary config: not offered either
        lowered = zone.lower()
        city = lowered.rsplit("/", 1)[-1]
        if lowered.startswith(key) or city.startswith(key):
            prefix.append(zone)
        elif key in lowered:
            inside.append(zone)
    return [*prefix, *inside][:limit]
