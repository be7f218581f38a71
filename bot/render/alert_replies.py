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
from bot.format import figure, percent, price, prices_apart, timestamp
from bot.i18n import N_, _
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
    PauseReason.BY_MEMBER: N_("paused"),
    PauseReason.DM_CLOSED: N_("paused: direct messages closed"),
    PauseReason.CHANNEL_GONE: N_("paused: its channel is gone"),
    PauseReason.MISSING_PERMISSIONS: N_("paused: I may not post in its channel"),
}


def where_text(alert: Alert) -> str:
    """Say where an alert posts."""
    if alert.via_dm:
        return _("by direct message")
    return _("in <#{channel}>, mentioning you", channel=alert.channel_id)


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
            now = " " + _("(now {price})", price=price(quote.price))
        else:
            level, last = prices_apart(alert.level, quote.price)
            condition = (
                _("above {price}", price=level)
                if alert.kind is AlertKind.ABOVE
                else _("below {price}", price=level)
            )
            now = " " + _("(now {price})", price=last)
    lines = [
        _(
            "Alert #{id} set: **{symbol} {condition}**{now}.",
            id=alert.id,
            symbol=alert.symbol,
            condition=condition,
            now=now,
        ),
        _(
            "It posts {where}, and expires {when}.",
            where=where_text(alert),
            when=timestamp(alert.expires_at, "D"),
        ),
    ]
    if known:
        lines.append(_("For now: {known}.", known=known))
    if waiting:
        lines.append(waiting_text(alert, quote))
    if alert.repeat:
        lines.append(repeat_text(alert, cooldown))
    else:
        lines.append(
            _("It covers the next earnings date (the reminder and the day), then it is done.")
            if alert.kind is AlertKind.EARNINGS
            else _("It fires for the next filing that qualifies, then it is done.")
            if alert.kind is AlertKind.FILING
            else _("It fires once, then it is done.")
        )
    if alert.session is AlertSession.EXTENDED:
        lines.append(
            _(
                "It also fires on pre- and post-market trades (a move then reads against the "
                "previous regular close)."
            )
        )
    if alert.via_dm:
        lines.append(_("Keep direct messages from this server's members open, or it will pause."))
    if alert.note:
        lines.append(_("Note: {note}", note=neutralise(alert.note, limit=NOTE_IN_REPLY)))
    return "\n".join(lines)


def waiting_text(alert: Alert, quote: Quote | None) -> str:
    """Explain why an alert created (or resumed) on the far side of its level waits."""
    if alert.kind is AlertKind.EARNINGS:
        return _(
            "{symbol}'s next earnings date is already that close, so the early reminder is "
            "skipped this time: it reminds you on the day.",
            symbol=alert.symbol,
        )
    if alert.kind in DAILY_KINDS and alert.kind is not AlertKind.MOVE_PCT:
        return _(
            "{symbol} already {met} today, so today does not fire: it fires on the next "
            "trading day it happens.",
            symbol=alert.symbol,
            met=_met_today(alert),
        )
    level = price(alert.level)
    if alert.kind is AlertKind.MOVE_PCT:
        moved = ""
        if quote is not None and usable_price(quote.previous_close):
            moved = f" ({percent(move_pct(quote.price, quote.previous_close))})"
        return _(
            "{symbol}'s move today{moved} has already reached ±{level}, so that direction "
            "does not fire today: it fires on the next move that reaches it.",
            symbol=alert.symbol,
            moved=moved,
            level=percent(alert.level).lstrip("+"),
        )
    above = alert.kind is AlertKind.ABOVE
    shown, now = level, ""
    at_level = False
    if quote is not None and usable_price(quote.price):
        shown, last = prices_apart(alert.level, quote.price)
        # Two prices that read alike after six decimals: the price is at the level.
        at_level = shown == last
        now = "" if at_level else " " + _("(now {price})", price=last)
    if at_level:
        where = _("at {price}", price=level)
    else:
        where = (
            _("already above {price}", price=shown)
            if above
            else _("already below {price}", price=shown)
        )
    template = (
        _(
            "{symbol} is {where}{now}, so it does not fire now: it fires on the next "
            "crossing, once the price has been back at or below {level}."
        )
        if above
        else _(
            "{symbol} is {where}{now}, so it does not fire now: it fires on the next "
            "crossing, once the price has been back at or above {level}."
        )
    )
    return template.format(symbol=alert.symbol, where=where, now=now, level=level)


def _met_today(alert: Alert) -> str:
    """Say, in the past tense, that a daily kind's condition was met."""
    if alert.kind is AlertKind.HIGH52:
        return _("made a new 52-week high")
    if alert.kind is AlertKind.LOW52:
        return _("made a new 52-week low")
    if alert.kind is AlertKind.VOLUME:
        return _("traded {times}× its usual volume for the time of day", times=figure(alert.level))
    if alert.kind is AlertKind.GAP:
        return _(
            "opened ±{percent} from the previous close",
            percent=percent(alert.level).lstrip("+"),
        )
    if alert.kind is AlertKind.RELATIVE:
        return _("moved ±{points} points more than its benchmark", points=figure(alert.level))
    return _("met its condition")


def repeat_text(alert: Alert, cooldown: timedelta) -> str:
    """Explain when a repeating alert fires again."""
    minutes = int(cooldown.total_seconds() // 60)
    if alert.kind in DAILY_KINDS:
        return _("It repeats: at most once per direction per trading day.")
    if alert.kind is AlertKind.EARNINGS:
        return _("It repeats: for every later earnings date, until it expires.")
    if alert.kind is AlertKind.FILING:
        return _("It repeats: for every later filing that qualifies, until it expires.")
    if alert.kind is AlertKind.CORRELATION:
        return _(
            "It repeats: on every later crossing, read once a day; the correlation has to "
            "clear the level by {band} to count as on the other side.",
            band=figure(CORRELATION_BAND),
        )
    if alert.kind is AlertKind.MA_CROSS:
        band = percent(HYSTERESIS * 100).lstrip("+")
        if alert.basis is Basis.MA50_MA200:
            return _("It repeats: on every later cross of the two averages (read on closes).")
        return _(
            "It repeats: on every later cross, at most once every {minutes} minutes; the "
            "price has to clear the average by {band} to count as on the other side.",
            minutes=minutes,
            band=band,
        )
    back = alert.level * (1 - HYSTERESIS if alert.kind is AlertKind.ABOVE else 1 + HYSTERESIS)
    return _(
        "It repeats: after each firing it re-arms once the price is back past {price} and "
        "{minutes} minutes have passed.",
        price=price(back),
        minutes=minutes,
    )


def status_text(alert: Alert, now: datetime) -> str:
    """Say where an alert stands: armed, waiting, re-arming, snoozed or paused (and why)."""
    if alert.state is AlertState.PAUSED:
        return _(
            _PAUSED.get(
                alert.paused_reason or PauseReason.BY_MEMBER, _PAUSED[PauseReason.BY_MEMBER]
            )
        )
    if alert.state is AlertState.REARMING:
        if alert.cooldown_until is not None and now < alert.cooldown_until:
            text = _(
                "fired; re-arms {when} at the earliest",
                when=timestamp(alert.cooldown_until, "R"),
            )
        else:
            text = _("waiting for the price to come back past the level")
    else:
        text = _("armed")
    if alert.snoozed(now) and alert.snoozed_until is not None:
        text += ", " + _("snoozed until {when}", when=timestamp(alert.snoozed_until, "t"))
    return text


def alert_line(alert: Alert, now: datetime, *, owner: bool, gap: str | None = None) -> str:
    """One alert as a line of /alert list (``gap``: the history it still waits for)."""
    condition = condition_text(alert.kind, alert.level, alert.basis)
    parts = [f"`#{alert.id}` **{alert.symbol}** {condition}"]
    if owner:
        parts.append(f"<@{alert.owner_id}>")
    parts.append(_("by DM") if alert.via_dm else f"<#{alert.channel_id}>")
    parts.append(status_text(alert, now) if gap is None else f"{status_text(alert, now)}, {gap}")
    if alert.repeat:
        parts.append(_("repeats"))
    if alert.session is AlertSession.EXTENDED:  # regular hours, the default, goes unsaid
        parts.append(_("pre- and post-market too"))
    parts.append(_("expires {when}", when=timestamp(alert.expires_at, "d")))
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
        title = _("Every alert in this server")
        summary = _("{n} active of at most {limit} in this server.", n=len(alerts), limit=limit)
    else:
        title = _("Your alerts in this server")
        summary = _("{n} of the {limit} you may have here.", n=len(alerts), limit=limit)
    summary += " " + _("Manage one with `/alert pause`, `resume`, `snooze` or `remove` and its id.")
    gaps = gaps or {}
    lines = [alert_line(a, now, owner=everyone, gap=gaps.get(a.id)) for a in alerts]
    fields = [Field(BLANK_NAME, block) for block in chunk_lines(lines)]
    frame = PageFrame(title=title, colour=LIST_COLOUR, description=summary, footer=title)
    return paginate(frame, fields, per_page=6)


def empty_list_reply(*, everyone: bool) -> str:
    """Say there is nothing to list."""
    if everyone:
        return _("There are no active alerts in this server.")
    return _("You have no alerts in this server. Add one with `/alert add`.")


def removed_reply(alert: Alert, user_id: int) -> str:
    """Confirm a removal (naming the owner when an admin removed someone else's)."""
    whose = (
        " " + _("(it belonged to <@{owner}>)", owner=alert.owner_id)
        if alert.owner_id != user_id
        else ""
    )
    return _("Removed alert {alert}{whose}.", alert=describe(alert), whose=whose)


def paused_reply(alert: Alert, *, already: bool) -> str:
    """Confirm a pause."""
    if already:
        return _(
            "Alert {alert} was already paused; `/alert resume id:{id}` restarts it.",
            alert=describe(alert),
            id=alert.id,
        )
    return _(
        "Paused alert {alert}: it does not fire until `/alert resume id:{id}`.",
        alert=describe(alert),
        id=alert.id,
    )


def resumed_reply(alert: Alert, quote: Quote | None, *, waiting: bool) -> str:
    """Confirm a resume, saying when it waits for the next crossing."""
    text = _(
        "Resumed alert {alert}; it posts {where}.", alert=describe(alert), where=where_text(alert)
    )
    if waiting and quote is None and alert.kind in LEVEL_KINDS:
        return (
            text
            + " "
            + _(
                "There is no current price for {symbol}, so it first waits for the price to "
                "be seen on the near side of its level, then fires on the next crossing.",
                symbol=alert.symbol,
            )
        )
    return f"{text} {waiting_text(alert, quote)}" if waiting else text


def snoozed_reply(alert: Alert) -> str:
    """Confirm a snooze."""
    assert alert.snoozed_until is not None
    until = alert.snoozed_until
    return _(
        "Snoozed alert {alert} until {when} ({relative}): crossings until then are skipped, "
        "not saved up.",
        alert=describe(alert),
        when=timestamp(until, "f"),
        relative=timestamp(until, "R"),
    )


def choice_label(alert: Alert) -> str:
    """Name an alert in the id autocomplete: "#12 CIFR above $16.00 (paused)"."""
    label = describe(alert)
    if alert.state is AlertState.PAUSED:
        label += " " + _("(paused)")
    return label[:CHOICE_TEXT]
