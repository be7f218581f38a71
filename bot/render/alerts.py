"""Alert posts and notices as embed dicts: a firing, expired alerts, paused alerts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from bot.alerts.engine import Firing
from bot.alerts.filing_rule import filing_level_name
from bot.alerts.model import Alert, AlertKind, AlertSession, Basis, Direction
from bot.format import percent, price, ratio, timestamp, volume
from bot.limits import EMBED_FIELD_VALUE, EMBED_TITLE
from bot.market.models import MarketState
from bot.render.pages import clip
from bot.render.quote import state_label
from bot.text import neutralise

GREEN: Final = 0x2ECC71  # up
RED: Final = 0xE74C3C  # down
GREY: Final = 0x95A5A6  # notices
NOT_ADVICE: Final = "Not investment advice"
DEMO_LABEL: Final = "DEMO"
NOTE_LIMIT: Final = EMBED_FIELD_VALUE  # a note fills at most one embed field
# A notice lists alerts as lines of one embed; this many keep it far below 4,096 characters.
NOTICE_LINES: Final = 25


_AVERAGE_NAMES: Final = {Basis.MA50: "50-day", Basis.MA200: "200-day"}
BENCHMARK_NAMES: Final = {Basis.BTC: "bitcoin (BTC-USD)", Basis.NVDA: "NVIDIA (NVDA)"}
_SHORT_BENCHMARK: Final = {Basis.BTC: "bitcoin", Basis.NVDA: "NVIDIA"}


def condition_text(kind: AlertKind, level: float, basis: Basis | None = None) -> str:
    """Describe an alert's condition in words: "above $12.00", "50-day MA cross, either way"."""
    if kind is AlertKind.ABOVE:
        return f"above {price(level)}"
    if kind is AlertKind.BELOW:
        return f"below {price(level)}"
    if kind is AlertKind.MOVE_PCT:
        return f"moves ±{_unsigned(level)} vs previous close"
    if kind is AlertKind.HIGH52:
        return "makes a new 52-week high"
    if kind is AlertKind.LOW52:
        return "makes a new 52-week low"
    if kind is AlertKind.MA_CROSS:
        if basis is Basis.MA50_MA200:
            return "50-day MA crosses the 200-day (golden or death cross)"
        return f"{_AVERAGE_NAMES.get(basis or Basis.MA50, '?')} MA cross, either way"
    if kind is AlertKind.VOLUME:
        return f"volume reaches {level:g}× its 20-day average (for the time of day)"
    if kind is AlertKind.GAP:
        return f"opens ±{_unsigned(level)} from the previous close"
    if kind is AlertKind.FILING:
        return f"new SEC filing, {filing_level_name(level)}"
    if kind is AlertKind.EARNINGS:
        days = "1 day" if level == 1 else f"{level:g} days"
        return f"earnings: a reminder {days} before, and on the day"
    name = BENCHMARK_NAMES.get(basis or Basis.BTC, "?")
    if kind is AlertKind.CORRELATION:
        return f"30-day correlation to {name} crosses {level:.2f}, either way"
    return f"moves ±{level:g} points more than {name} today"


def _unsigned(value: float) -> str:
    return percent(value).lstrip("+")


def describe(alert: Alert) -> str:
    """Name an alert in one line: "#12 CIFR above $12.00"."""
    text = f"#{alert.id} {alert.symbol} {condition_text(alert.kind, alert.level, alert.basis)}"
    return text + " (extended hours)" if alert.session is AlertSession.EXTENDED else text


def headline(firing: Firing) -> str:
    """Say what happened, in words: "IREN made a new 52-week high at $20.00"."""
    alert = firing.alert
    symbol, kind = alert.symbol, alert.kind
    up = firing.direction is Direction.UP
    measure, reference = firing.measure, firing.reference
    if kind is AlertKind.MOVE_PCT:
        return f"{symbol} moved {percent(firing.move_pct)} today"
    if kind is AlertKind.ABOVE or kind is AlertKind.BELOW:
        verb = "rose above" if up else "fell below"
        return f"{symbol} {verb} {price(alert.level)}"
    if kind is AlertKind.HIGH52 or kind is AlertKind.LOW52:
        which = "high" if kind is AlertKind.HIGH52 else "low"
        return (
            f"{symbol} made a new 52-week {which} at {price(firing.trigger_price)} "
            f"(previous {which} {price(measure)})"
        )
    if kind is AlertKind.MA_CROSS:
        if alert.basis is Basis.MA50_MA200:
            cross = "Golden cross" if up else "Death cross"
            where = "above" if up else "below"
            return (
                f"{cross} on {symbol}: the 50-day average ({price(measure)}) is {where} "
                f"the 200-day ({price(reference)})"
            )
        where = "above" if up else "below"
        name = _AVERAGE_NAMES.get(alert.basis or Basis.MA50, "?")
        return f"{symbol} crossed {where} its {name} average ({price(measure)})"
    if kind is AlertKind.VOLUME:
        return (
            f"{symbol} is trading {ratio(measure).replace('.00', '')} its usual volume "
            f"for the time of day (20-day average {volume(reference)} a day)"
        )
    if kind is AlertKind.GAP:
        word = "up" if up else "down"
        return f"{symbol} opened {word} {percent(measure)} from the previous close"
    if kind is AlertKind.EARNINGS:
        when = "" if firing.day is None else f" ({firing.day:%a %d %b %Y})"
        if not measure:
            return f"{symbol} reports earnings today{when}"
        days = "1 day" if measure == 1 else f"{measure:g} days"
        return f"{symbol} reports earnings in {days}{when}"
    name = _SHORT_BENCHMARK.get(alert.basis or Basis.BTC, "?")
    if kind is AlertKind.CORRELATION:
        verb = "rose above" if up else "fell below"
        now = "?" if measure is None else f"{measure:.2f}"
        return f"{symbol}'s 30-day correlation to {name} {verb} {alert.level:.2f} (now {now})"
    word = "up" if up else "down"
    points = abs(measure) if measure is not None else None
    return (
        f"{symbol} is {word} {points or 0:.1f} points more than {name} today "
        f"({symbol} {percent(firing.move_pct)}, {name} {percent(reference)})"
    )


def firing_embed(firing: Firing) -> dict[str, Any]:
    """Render one firing as an embed dict."""
    alert = firing.alert
    up = firing.direction is Direction.UP
    title = headline(firing)
    if firing.demo:
        title = f"[{DEMO_LABEL}] {title}"
    trigger, last = price(firing.trigger_price), price(firing.last_price)
    fields: list[dict[str, Any]] = [
        {
            "name": "Condition",
            "value": condition_text(alert.kind, alert.level, alert.basis),
            "inline": True,
        },
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
    if firing.session in (MarketState.PRE, MarketState.POST):
        # Said on every off-hours firing: thin pre- and post-market trading moves prices
        # that the regular session may not confirm.
        session = state_label(firing.session)
        if alert.kind is AlertKind.MOVE_PCT:
            session += " · the move is against the previous regular close"
        fields.append({"name": "Session", "value": session, "inline": False})
    if alert.note:
        fields.append({"name": "Note", "value": neutralise(alert.note, limit=NOTE_LIMIT)})
    footer = [f"Alert #{alert.id}"]
    if alert.repeat:
        footer.append("repeats")
    if firing.demo:
        footer.append("DEMO data, not real prices")
    footer.append(NOT_ADVICE)
    return {
        "title": clip(title, EMBED_TITLE),
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
