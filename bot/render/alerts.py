"""Alert posts and notices as embed dicts: a firing, expired alerts, paused alerts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from bot.alerts.engine import Firing
from bot.alerts.model import Alert, AlertKind, Direction
from bot.format import percent, price, timestamp
from bot.limits import EMBED_FIELD_VALUE
from bot.text import neutralise

GREEN: Final = 0x2ECC71  # up
RED: Final = 0xE74C3C  # down
GREY: Final = 0x95A5A6  # notices
NOT_ADVICE: Final = "Not investment advice"
DEMO_LABEL: Final = "DEMO"
NOTE_LIMIT: Final = EMBED_FIELD_VALUE  # a note fills at most one embed field
# A notice lists alerts as lines of one embed; this many keep it far below 4,096 characters.
NOTICE_LINES: Final = 25


def condition_text(kind: AlertKind, level: float) -> str:
    """Describe an alert's condition: "above $12.00", "moves ±5.0 % vs previous close"."""
    if kind is AlertKind.ABOVE:
        return f"above {price(level)}"
    if kind is AlertKind.BELOW:
        return f"below {price(level)}"
    return f"moves ±{percent(level).lstrip('+')} vs previous close"


def describe(alert: Alert) -> str:
    """Name an alert in one line: "#12 CIFR above $12.00"."""
    return f"#{alert.id} {alert.symbol} {condition_text(alert.kind, alert.level)}"


def firing_embed(firing: Firing) -> dict[str, Any]:
    """Render one firing as an embed dict."""
    alert = firing.alert
    up = firing.direction is Direction.UP
    if alert.kind is AlertKind.MOVE_PCT:
        headline = f"{alert.symbol} moved {percent(firing.move_pct)} today"
    else:
        verb = "rose above" if up else "fell below"
        headline = f"{alert.symbol} {verb} {price(alert.level)}"
    if firing.demo:
        headline = f"[{DEMO_LABEL}] {headline}"
    trigger, last = price(firing.trigger_price), price(firing.last_price)
    fields: list[dict[str, Any]] = [
        {"name": "Condition", "value": condition_text(alert.kind, alert.level), "inline": True},
    ]
    if trigger == last:  # one price: shown once
        fields.append({"name": "Triggered at", "value": trigger, "inline": True})
    else:
        extreme = " (intraday high)" if up else " (intraday low)"
        fields.append({"name": "Triggered at", "value": trigger + extreme, "inline": True})
        fields.append({"name": "Last", "value": last, "inline": True})
    fields.append(
        {
            "name": "Time",
            "value": f"{timestamp(firing.as_of, 'f')} ({timestamp(firing.as_of, 'R')})",
            "inline": False,
        }
    )
    if alert.note:
        fields.append({"name": "Note", "value": neutralise(alert.note, limit=NOTE_LIMIT)})
    footer = [f"Alert #{alert.id}"]
    if alert.repeat:
        footer.append("repeats")
    if firing.demo:
        footer.append("DEMO data, not real prices")
    footer.append(NOT_ADVICE)
    return {
        "title": headline,
        "color": GREEN if up else RED,
        "fields": fields,
        "footer": {"text": " · ".join(footer)},
        "timestamp": firing.as_of.isoformat(),
    }


def fired_text(owners: Sequence[int], count: int, *, dm: bool) -> str:
    """Return the line above fired alerts: their owners pinged, except in a DM."""
    noun = "alert" if count == 1 else "alerts"
    if dm:
        return f"Your price {noun} fired."
    return f"{' '.join(f'<@{o}>' for o in owners)} your price {noun} fired."


def expiry_embed(alerts: Sequence[Alert]) -> dict[str, Any]:
    """Return the notice listing an owner's alerts that expired (at most NOTICE_LINES)."""
    noun = "alert has" if len(alerts) == 1 else "alerts have"
    return {
        "title": f"Your {noun} expired",
        "description": "\n".join(
            f"{describe(a)} (created {timestamp(a.created_at, 'd')})" for a in alerts
        ),
        "color": GREY,
        "footer": {"text": "Add it again with /alert add if you still want it"},
    }


_FAILURE_TEXT: Final = {
    "dm_closed": (
        "I could not send you {what} by direct message: your DMs are closed to me. "
        "{it} paused. Allow direct messages from this server's members, then "
        "`/alert resume`, or add it again without `dm`."
    ),
    "channel_gone": (
        "I could not post {what} in <#{channel}>: the channel no longer exists. {it} paused; "
        "remove it and add it again in another channel, or with `dm` on."
    ),
    "missing_permissions": (
        "I could not post {what} in <#{channel}>: I am missing permission to send messages "
        "or embeds there. {it} paused; once a server admin fixes that, use `/alert resume`."
    ),
}


# The delivery failures an owner is told about (others pause nothing they could fix).
FAILURE_REASONS: Final = frozenset(_FAILURE_TEXT)


def failure_embed(reason: str, alerts: Sequence[Alert]) -> dict[str, Any] | None:
    """Return the notice telling an owner why their alerts were paused (None: nothing to say)."""
    template = _FAILURE_TEXT.get(reason)
    if template is None:
        return None
    single = len(alerts) == 1
    what = (
        f"your alert {describe(alerts[0])}"
        if single
        else "your alerts " + ", ".join(describe(a) for a in alerts[:NOTICE_LINES])
    )
    text = template.format(
        what=what, channel=alerts[0].channel_id, it="It is" if single else "They are"
    )
    return {
        "title": "Alert paused" if single else "Alerts paused",
        "description": text,
        "color": GREY,
    }
