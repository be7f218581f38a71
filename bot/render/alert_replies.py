"""What /alert answers: the text of each reply and the pages of /alert list, pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from bot.alerts.engine import move_pct
from bot.alerts.model import (
    CORRELATION_BAND,
    DAILY_KINDS,
    HYSTERESIS,
    Alert,
    AlertKind,
    AlertSession,
    AlertState,
    Basis,
    PauseReason,
    usable_price,
)
from bot.format import percent, price, prices_apart, timestamp
from bot.limits import CHOICE_TEXT
from bot.market.models import Quote
from bot.render.alerts import condition_text, describe
from bot.render.pages import Field, PageFrame, chunk_lines, paginate
from bot.text import neutralise

LIST_COLOUR: Final = 0x3498DB
NOTE_IN_LIST: Final = 80  # characters of a note shown under its alert in /alert list
NOTE_IN_REPLY: Final = 200
BLANK_NAME: Final = "\u200b"  # a field without a heading: the lines speak for themselves
LEVEL_KINDS: Final = frozenset({AlertKind.ABOVE, AlertKind.BELOW})
_PAUSED: Final = {
    PauseReason.BY_MEMBER: "paused",
    PauseReason.DM_CLOSED: "paused: direct messages closed",
    PauseReason.CHANNEL_GONE: "paused: its channel is gone",
    PauseReason.MISSING_PERMISSIONS: "paused: I may not post in its channel",
}


def where_text(alert: Alert) -> str:
    """Say where an alert posts."""
    if alert.via_dm:
        return "by direct message"
    return f"in <#{alert.channel_id}>, mentioning you"


def created_reply(
    alert: Alert,
    quote: Quote | None,
    *,
    waiting: bool,
    cooldown: timedelta,
    known: str | None = None,
) -> str:
    """Confirm a new alert: what, where, until when, and whether it waits for a crossing.

    ``known``: what the bot knows of the data the kind reads (the next earnings date, the
    history it still waits for), shown as is."""
    condition, now = condition_text(alert.kind, alert.level, alert.basis), ""
    if quote is not None and usable_price(quote.price):
        if alert.kind not in LEVEL_KINDS:
            now = f" (now {price(quote.price)})"
        else:
            level, last = prices_apart(alert.level, quote.price)
            condition, now = f"{alert.kind.value} {level}", f" (now {last})"
    lines = [
        f"Alert #{alert.id} set: **{alert.symbol} {condition}**{now}.",
        f"It posts {where_text(alert)}, and expires {timestamp(alert.expires_at, 'D')}.",
    ]
    if known:
        lines.append(f"For now: {known}.")
    if waiting:
        lines.append(waiting_text(alert, quote))
    if alert.repeat:
        lines.append(repeat_text(alert, cooldown))
    else:
        lines.append(
            "It covers the next earnings date (the reminder and the day), then it is done."
            if alert.kind is AlertKind.EARNINGS
            else "It fires for the next filing that qualifies, then it is done."
            if alert.kind is AlertKind.FILING
            else "It fires once, then it is done."
        )
    if alert.session is AlertSession.EXTENDED:
        lines.append(
            "It also fires on pre- and post-market trades (a move then reads against the "
            "previous regular close)."
        )
    if alert.via_dm:
        lines.append("Keep direct messages from this server's members open, or it will pause.")
    if alert.note:
        lines.append(f"Note: {neutralise(alert.note, limit=NOTE_IN_REPLY)}")
    return "\n".join(lines)


def waiting_text(alert: Alert, quote: Quote | None) -> str:
    """Explain why an alert created (or resumed) on the far side of its level waits."""
    if alert.kind is AlertKind.EARNINGS:
        return (
            f"{alert.symbol}'s next earnings date is already that close, so the early "
            "reminder is skipped this time: it reminds you on the day."
        )
    if alert.kind in DAILY_KINDS and alert.kind is not AlertKind.MOVE_PCT:
        return (
            f"{alert.symbol} already {_met_today(alert)} today, so today does not fire: "
            "it fires on the next trading day it happens."
        )
    level = price(alert.level)
    if alert.kind is AlertKind.MOVE_PCT:
        moved = ""
        if quote is not None and usable_price(quote.previous_close):
            moved = f" ({percent(move_pct(quote.price, quote.previous_close))})"
        return (
            f"{alert.symbol}'s move today{moved} has already reached "
            f"±{percent(alert.level).lstrip('+')}, so that direction does not fire today: "
            "it fires on the next move that reaches it."
        )
    side, back = ("above", "below") if alert.kind is AlertKind.ABOVE else ("below", "above")
    where, now = f"already {side} {level}", ""
    if quote is not None and usable_price(quote.price):
        shown, last = prices_apart(alert.level, quote.price)
        # Two prices that read alike after six decimals: the price is at the level.
        where = f"at {level}" if shown == last else f"already {side} {shown}"
        now = "" if shown == last else f" (now {last})"
    return (
        f"{alert.symbol} is {where}{now}, so it does not fire now: it fires "
        f"on the next crossing, once the price has been back at or {back} {level}."
    )


def _met_today(alert: Alert) -> str:
    """Say, in the past tense, that a daily kind's condition was met."""
    return {
        AlertKind.HIGH52: "made a new 52-week high",
        AlertKind.LOW52: "made a new 52-week low",
        AlertKind.VOLUME: f"traded {alert.level:g}× its usual volume for the time of day",
        AlertKind.GAP: f"opened ±{percent(alert.level).lstrip('+')} from the previous close",
        AlertKind.RELATIVE: f"moved ±{alert.level:g} points more than its benchmark",
    }.get(alert.kind, "met its condition")


def repeat_text(alert: Alert, cooldown: timedelta) -> str:
    """Explain when a repeating alert fires again."""
    minutes = int(cooldown.total_seconds() // 60)
    if alert.kind in DAILY_KINDS:
        return "It repeats: at most once per direction per trading day."
    if alert.kind is AlertKind.EARNINGS:
        return "It repeats: for every later earnings date, until it expires."
    if alert.kind is AlertKind.FILING:
        return "It repeats: for every later filing that qualifies, until it expires."
    if alert.kind is AlertKind.CORRELATION:
        return (
            f"It repeats: on every later crossing, read once a day; the correlation has to "
            f"clear the level by {CORRELATION_BAND:g} to count as on the other side."
        )
    if alert.kind is AlertKind.MA_CROSS:
        band = f"{HYSTERESIS * 100:g} %"
        if alert.basis is Basis.MA50_MA200:
            return "It repeats: on every later cross of the two averages (read on closes)."
        return (
            f"It repeats: on every later cross, at most once every {minutes} minutes; the "
            f"price has to clear the average by {band} to count as on the other side."
        )
    back = alert.level * (1 - HYSTERESIS if alert.kind is AlertKind.ABOVE else 1 + HYSTERESIS)
    return (
        f"It repeats: after each firing it re-arms once the price is back past {price(back)} "
        f"and {minutes} minutes have passed."
    )


def status_text(alert: Alert, now: datetime) -> str:
    """Say where an alert stands: armed, waiting, re-arming, snoozed or paused (and why)."""
    if alert.state is AlertState.PAUSED:
        return _PAUSED.get(alert.paused_reason or PauseReason.BY_MEMBER, "paused")
    if alert.state is AlertState.REARMING:
        if alert.cooldown_until is not None and now < alert.cooldown_until:
            text = f"fired; re-arms {timestamp(alert.cooldown_until, 'R')} at the earliest"
        else:
            text = "waiting for the price to come back past the level"
    else:
        text = "armed"
    if alert.snoozed(now) and alert.snoozed_until is not None:
        text += f", snoozed until {timestamp(alert.snoozed_until, 't')}"
    return text


def alert_line(alert: Alert, now: datetime, *, owner: bool, gap: str | None = None) -> str:
    """One alert as a line of /alert list (``gap``: the history it still waits for)."""
    condition = condition_text(alert.kind, alert.level, alert.basis)
    parts = [f"`#{alert.id}` **{alert.symbol}** {condition}"]
    if owner:
        parts.append(f"<@{alert.owner_id}>")
    parts.append("by DM" if alert.via_dm else f"<#{alert.channel_id}>")
    parts.append(status_text(alert, now) if gap is None else f"{status_text(alert, now)}, {gap}")
    if alert.repeat:
        parts.append("repeats")
    parts.append(f"expires {timestamp(alert.expires_at, 'd')}")
    line = " · ".join(parts)
    if alert.note:
        line += f"\n  ↳ {neutralise(alert.note, limit=NOTE_IN_LIST)}"
    return line


def list_pages(
    alerts: Sequence[Alert],
    now: datetime,
    *,
    everyone: bool,
    limit: int,
    gaps: Mapping[int, str] | None = None,
) -> list[dict[str, Any]]:
    """Render /alert list as embed pages: one line per alert, in id order."""
    if everyone:
        title = "Every alert in this server"
        summary = f"{len(alerts)} active of at most {limit} in this server."
    else:
        title = "Your alerts in this server"
        summary = f"{len(alerts)} of the {limit} you may have here."
    summary += " Manage one with `/alert pause`, `resume`, `snooze` or `remove` and its id."
    gaps = gaps or {}
    lines = [alert_line(a, now, owner=everyone, gap=gaps.get(a.id)) for a in alerts]
    fields = [Field(BLANK_NAME, block) for block in chunk_lines(lines)]
    frame = PageFrame(title=title, colour=LIST_COLOUR, description=summary, footer=title)
    return paginate(frame, fields, per_page=6)


def empty_list_reply(*, everyone: bool) -> str:
    """Say there is nothing to list."""
    if everyone:
        return "There are no active alerts in this server."
    return "You have no alerts in this server. Add one with `/alert add`."


def removed_reply(alert: Alert, user_id: int) -> str:
    """Confirm a removal (naming the owner when an admin removed someone else's)."""
    whose = f" (it belonged to <@{alert.owner_id}>)" if alert.owner_id != user_id else ""
    return f"Removed alert {describe(alert)}{whose}."


def paused_reply(alert: Alert, *, already: bool) -> str:
    """Confirm a pause."""
    if already:
        return (
            f"Alert {describe(alert)} was already paused; "
            f"`/alert resume id:{alert.id}` restarts it."
        )
    return f"Paused alert {describe(alert)}: it does not fire until `/alert resume id:{alert.id}`."


def resumed_reply(alert: Alert, quote: Quote | None, *, waiting: bool) -> str:
    """Confirm a resume, saying when it waits for the next crossing."""
    text = f"Resumed alert {describe(alert)}; it posts {where_text(alert)}."
    if waiting and quote is None and alert.kind in LEVEL_KINDS:
        return (
            f"{text} There is no current price for {alert.symbol}, so it first waits for the "
            "price to be seen on the near side of its level, then fires on the next crossing."
        )
    return f"{text} {waiting_text(alert, quote)}" if waiting else text


def snoozed_reply(alert: Alert) -> str:
    """Confirm a snooze."""
    assert alert.snoozed_until is not None
    until = alert.snoozed_until
    return (
        f"Snoozed alert {describe(alert)} until {timestamp(until, 'f')} "
        f"({timestamp(until, 'R')}): crossings until then are skipped, not saved up."
    )


def choice_label(alert: Alert) -> str:
    """Name an alert in the id autocomplete: "#12 CIFR above $16.00 (paused)"."""
    label = describe(alert)
    if alert.state is AlertState.PAUSED:
        label += " (paused)"
    return label[:CHOICE_TEXT]
