"""What `/help topic:alerts` says: every alert kind in words, with an example to copy."""

from __future__ import annotations

from typing import Final

from bot.alerts.model import CORRELATION_BAND, HYSTERESIS
from bot.alerts.signals import MIN_SESSION_FRACTION
from bot.alerts.validation import (
    MAX_CORRELATION,
    MAX_EARNINGS_DAYS,
    MAX_GAP_PERCENT,
    MAX_POINTS,
    MAX_VOLUME_MULTIPLE,
    MIN_CORRELATION,
    MIN_EARNINGS_DAYS,
    MIN_GAP_PERCENT,
    MIN_POINTS,
    MIN_VOLUME_MULTIPLE,
)
from bot.format import figure, percent
from bot.i18n import N_, _

ALERTS_INTRO: Final = N_(
    "`/alert add symbol condition [value] [versus] [repeat] [dm] [expires_days] [note] "
    "[session]` posts in the channel you add it in, mentioning you, or by DM with `dm:True`. "
    "Every kind fires on the change, never again for the same event: a level once per "
    "crossing, the daily kinds once per direction per trading day. `repeat:True` keeps it "
    "going; `session:extended` adds pre- and post-market trades to regular hours; manage it "
    "with `/alert list`, `pause`, `resume`, `snooze` and `remove`."
)

# (kind, example, what it means), in the order of the condition choices. The meanings are
# catalogue messages; their {placeholders} are the rules' own figures, filled when shown.
ALERT_KINDS: Final = (
    (
        "above / below",
        "/alert add symbol:CIFR condition:above value:16",
        N_(
            "CIFR rises above $16.00 (below: falls below), intraday spikes between polls "
            "included. Made past the level, it waits for the price to come back first."
        ),
    ),
    (
        "move_pct",
        "/alert add symbol:IREN condition:move_pct value:5",
        N_("IREN's move against the previous close reaches +5 % or −5 %."),
    ),
    (
        "high52 / low52",
        "/alert add symbol:IREN condition:high52",
        N_(
            "A price above the highest high (low52: below the lowest low) of the 52 weeks of "
            "stored daily history before today. It needs most of a year of history; until "
            "then it cannot fire."
        ),
    ),
    (
        "ma_cross",
        "/alert add symbol:WULF condition:ma_cross versus:ma50",
        N_(
            "The live price crosses its 50-day (`versus:ma200`: 200-day) average of daily "
            "closes, either way; it has to clear the average by {band} to count as on the "
            "other side. `versus:ma50_ma200`: the 50-day average crosses the 200-day on closes "
            "(golden cross up, death cross down)."
        ),
    ),
    (
        "volume",
        "/alert add symbol:CORZ condition:volume value:3",
        N_(
            "The day's volume reaches 3× its 20-day average ({min_volume} to {max_volume}), "
            "scaled by the elapsed share of the session (at least {floor}): at mid-session 3× "
            "means 1.5 M shares on a 1 M-a-day average."
        ),
    ),
    (
        "gap",
        "/alert add symbol:CIFR condition:gap value:4",
        N_(
            "The regular session opens ±4 % from the previous close ({min_gap} to {max_gap} "
            "%); fires at or just after the open. Listed shares only."
        ),
    ),
    (
        "relative",
        "/alert add symbol:IREN condition:relative value:5 versus:BTC-USD",
        N_(
            "IREN's move today minus bitcoin's reaches ±5 percentage points ({min_points} to "
            '{max_points}): "IREN is up 6 points more than bitcoin today". `versus:NVDA` '
            "compares with NVIDIA."
        ),
    ),
    (
        "correlation",
        "/alert add symbol:IREN condition:correlation value:0.3 versus:BTC-USD",
        N_(
            "The correlation of IREN's daily returns to bitcoin's over the last 30 sessions "
            "both traded crosses 0.30 either way ({min_correlation} to {max_correlation}), "
            "read once a day from the stored history; falling below it says IREN no longer "
            "trades like bitcoin. It has to clear the level by {correlation_band}."
        ),
    ),
    (
        "earnings",
        "/alert add symbol:IREN condition:earnings value:3",
        N_(
            "A reminder 3 days ({min_days} to {max_days}) before IREN's next earnings date, "
            "and one on the day, from Yahoo's calendar (asked once a day; a date may be an "
            "estimate). `/alert list` shows the date, or says it is unknown."
        ),
    ),
    (
        "filing",
        "/alert add symbol:CIFR condition:filing value:2",
        N_(
            "A new SEC filing of CIFR that reads as a likely AI/HPC deal, as the filings "
            "watcher finds it. `value:0` (or no value): any new filing; `1`: a possible or "
            "likely deal; `2`: a likely deal only. The post links the filing; the company "
            "needs a CIK."
        ),
    ),
)


def _rule_figures() -> dict[str, str]:
    """Return the rules' figures the meanings quote, written for the current language."""
    return {
        "band": percent(HYSTERESIS * 100).lstrip("+"),
        "floor": f"{MIN_SESSION_FRACTION:.0%}",
        "min_volume": figure(MIN_VOLUME_MULTIPLE),
        "max_volume": figure(MAX_VOLUME_MULTIPLE),
        "min_gap": figure(MIN_GAP_PERCENT),
        "max_gap": figure(MAX_GAP_PERCENT),
        "min_points": figure(MIN_POINTS),
        "max_points": figure(MAX_POINTS),
        "min_correlation": figure(MIN_CORRELATION),
        "max_correlation": figure(MAX_CORRELATION),
        "correlation_band": figure(CORRELATION_BAND),
        "min_days": str(MIN_EARNINGS_DAYS),
        "max_days": str(MAX_EARNINGS_DAYS),
    }


def alerts_intro() -> str:
    """Return the paragraph above the kinds."""
    return _(ALERTS_INTRO)


def alert_help_lines() -> list[str]:
    """Return one paragraph per kind: its name, an example and what it watches."""
    figures = _rule_figures()
    return [
        f"**{kind}** · `{example}`\n{_(meaning, **figures)}"
        for kind, example, meaning in ALERT_KINDS
    ]
