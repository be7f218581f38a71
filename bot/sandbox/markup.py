"""Show Discord's inline markup as the Discord client does: local times, #channels, @names.

The bot writes timestamps as ``<t:SECONDS:STYLE>`` so that every reader sees their own time
zone, and mentions as ``<#id>``, ``<@id>`` and ``<@&id>``. A terminal has no client to draw
them, so the console renders them here, in the machine's local time zone and the client's
language: en-US spelled out as Discord's client writes it, any other locale with its CLDR
formats (a French client reads "5 mars 2027" and "il y a 3 jours"). For a line wrapper, a
drawn token can keep non-breaking spaces so it stays on one line; ``restore_spaces`` turns
them back into spaces after wrapping.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, format_timedelta

NBSP = "\u00a0"

# `\<…>` is how the bot shows user text literally: the client drops the backslash and draws
# nothing. Commands are </name:id>, custom emoji <:name:id> or <a:name:id>.
_TOKEN = re.compile(
    r"(?P<escaped>\\?)<(?:"
    r"t:(?P<seconds>-?\d{1,13})(?::(?P<style>[tTdDfFR]))?"
    r"|#(?P<channel>\d+)"
    r"|@!?(?P<user>\d+)"
    r"|@&(?P<role>\d+)"
    r"|/(?P<command>[\w -]+):\d+"
    r"|a?:(?P<emoji>\w+):\d+"
    r")>"
)
# Spelled out, not from the C locale: the console shows the client's en-US formats.
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_UNITS = (
    (365 * 86400, "year"),
    (30 * 86400, "month"),
    (86400, "day"),
    (3600, "hour"),
    (60, "minute"),
)


@dataclass(frozen=True)
class Names:
    """How to look up what an id is called; None means the client would not know it."""

    channel: Callable[[int], str | None]
    user: Callable[[int], str | None]
    role: Callable[[int], str | None]


def render_markup(
    text: str,
    names: Names,
    *,
    zone: tzinfo | None = None,
    now: datetime | None = None,
    keep_together: bool = False,
    locale: str = "en-US",
) -> str:
    """Return ``text`` with timestamps and mentions drawn as the client would draw them.

    With ``keep_together``, the spaces inside each drawn token are non-breaking.
    """

    def draw(match: re.Match[str]) -> str:
        if match["escaped"]:
            return match[0][1:]  # shown literally, without the escaping backslash
        if match["seconds"] is not None:
            seconds, style = int(match["seconds"]), match["style"] or "f"
            shown = (
                _timestamp(seconds, style, zone, now)
                if locale == "en-US"
                else _localised_timestamp(seconds, style, zone, now, locale)
            )
        elif match["channel"] is not None:
            shown = "#" + (names.channel(int(match["channel"])) or "unknown-channel")
        elif match["user"] is not None:
            shown = "@" + (names.user(int(match["user"])) or "unknown-user")
        elif match["role"] is not None:
            shown = "@" + (names.role(int(match["role"])) or "deleted-role")
        elif match["command"] is not None:
            shown = "/" + match["command"]
        else:
            shown = f":{match['emoji']}:"
        return shown.replace(" ", NBSP) if keep_together else shown

    return _TOKEN.sub(draw, text)


def restore_spaces(text: str) -> str:
    """Undo the non-breaking spaces that kept rendered tokens whole while wrapping."""
    return text.replace(NBSP, " ")


def _timestamp(seconds: int, style: str, zone: tzinfo | None, now: datetime | None) -> str:
    try:
        moment = datetime.fromtimestamp(seconds, UTC).astimezone(zone)
    except (OverflowError, OSError, ValueError):
        return f"<t:{seconds}:{style}>"  # the client leaves an impossible date as typed
    if style == "R":
        return _relative(moment, now or datetime.now(UTC))
    hour, half = moment.hour % 12 or 12, "AM" if moment.hour < 12 else "PM"
    short_time = f"{hour}:{moment.minute:02d} {half}"
    long_date = f"{_MONTHS[moment.month - 1]} {moment.day}, {moment.year}"
    formats = {
        "t": short_time,
        "T": f"{hour}:{moment.minute:02d}:{moment.second:02d} {half}",
        "d": f"{moment.month:02d}/{moment.day:02d}/{moment.year}",
        "D": long_date,
        "f": f"{long_date} {short_time}",
        "F": f"{_DAYS[moment.weekday()]}, {long_date} {short_time}",
    }
    return formats[style]


def _relative(moment: datetime, now: datetime) -> str:
    """Say how far ``moment`` is from ``now``: "in 5 minutes", "3 days ago"."""
    delta = (moment - now).total_seconds()
    span = abs(delta)
    if span < 45:
        amount = "a few seconds"
    else:
        size, unit = next(((s, u) for s, u in _UNITS if span >= s * 0.75), (60, "minute"))
        count = max(1, round(span / size))
        amount = f"{count} {unit}{'' if count == 1 else 's'}"
    return f"in {amount}" if delta > 0 else f"{amount} ago"


def _localised_timestamp(
    seconds: int, style: str, zone: tzinfo | None, now: datetime | None, locale: str
) -> str:
    """Draw a timestamp as a client in ``locale`` (a Discord code such as ``fr``) would."""
    try:
        language = Locale.parse(locale.replace("-", "_"))
        moment = datetime.fromtimestamp(seconds, UTC).astimezone(zone)
    except (UnknownLocaleError, ValueError, OverflowError, OSError):
        return _timestamp(seconds, style, zone, now)
    if style == "R":
        delta = moment - (now or datetime.now(UTC))
        return format_timedelta(delta, add_direction=True, locale=language)
    short_time = format_time(moment, "short", locale=language)
    formats = {
        "t": lambda: short_time,
        "T": lambda: format_time(moment, "medium", locale=language),
        "d": lambda: format_date(moment, "short", locale=language),
        "D": lambda: format_date(moment, "long", locale=language),
        "f": lambda: f"{format_date(moment, 'long', locale=language)} {short_time}",
        "F": lambda: f"{format_date(moment, 'full', locale=language)} {short_time}",
    }
    return formats[style]()
