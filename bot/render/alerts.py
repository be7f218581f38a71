"""Alert posts and notices as embed dicts: a firing, expired alerts, paused alerts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from bot.alerts.engine import Firing
from bot.alerts.filing_rule import filing_level_name
from bot.alerts.model import Alert, AlertKind, AlertSession, Basis, Direction
from bot.format import figure, number, percent, price, ratio, timestamp, volume, weekday
from bot.i18n import N_, _, ngettext
from bot.limits import EMBED_FIELD_VALUE, EMBED_TITLE
from bot.market.models import MarketState
from bot.render.pages import clip
from bot.render.quote import state_label
from bot.text import neutralise

GREEN: Final = 0x2ECC71  # up
RED: Final = 0xE74C3C  # down
GREY: Final = 0x95A5A6  # notices
NOT_ADVICE: Final = N_("Not investment advice")
DEMO_LABEL: Final = "DEMO"
NOTE_LIMIT: Final = EMBED_FIELD_VALUE  # a note fills at most one embed field
# A notice lists alerts as lines of one embed; this many keep it far below 4,096 characters.
NOTICE_LINES: Final = 25


_AVERAGE_NAMES: Final = {Basis.MA50: N_("50-day"), Basis.MA200: N_("200-day")}
BENCHMARK_NAMES: Final = {Basis.BTC: N_("bitcoin (BTC-USD)"), Basis.NVDA: N_("NVIDIA (NVDA)")}
_SHORT_BENCHMARK: Final = {Basis.BTC: N_("bitcoin"), Basis.NVDA: N_("NVIDIA")}


def _average(basis: Basis | None) -> str:
    name = _AVERAGE_NAMES.get(basis or Basis.MA50)
    return _(name) if name is not None else "?"


def _benchmark(basis: Basis | None, names: dict[Basis, str]) -> str:
    name = names.get(basis or Basis.BTC)
    return _(name) if name is not None else "?"


def _days(count: float) -> str:
    return ngettext("{n} day", "{n} days", int(count), n=figure(count))


def condition_text(kind: AlertKind, level: float, basis: Basis | None = None) -> str:
    """Describe an alert's condition in words: "above $12.00", "50-day MA cross, either way"."""
    if kind is AlertKind.ABOVE:
        return _("above {price}", price=price(level))
    if kind is AlertKind.BELOW:
        return _("below {price}", price=price(level))
    if kind is AlertKind.MOVE_PCT:
        return _("moves ±{percent} vs previous close", percent=_unsigned(level))
    if kind is AlertKind.HIGH52:
        return _("makes a new 52-week high")
    if kind is AlertKind.LOW52:
        return _("makes a new 52-week low")
    if kind is AlertKind.MA_CROSS:
        if basis is Basis.MA50_MA200:
            return _("50-day MA crosses the 200-day (golden or death cross)")
        return _("{average} MA cross, either way", average=_average(basis))
    if kind is AlertKind.VOLUME:
        return _(
            "volume reaches {times}× its 20-day average (for the time of day)",
            times=figure(level),
        )
    if kind is AlertKind.GAP:
        return _("opens ±{percent} from the previous close", percent=_unsigned(level))
    if kind is AlertKind.FILING:
        return _("new SEC filing, {level}", level=filing_level_name(level))
    if kind is AlertKind.EARNINGS:
        return _("earnings: a reminder {days} before, and on the day", days=_days(level))
    name = _benchmark(basis, BENCHMARK_NAMES)
    if kind is AlertKind.CORRELATION:
        return _(
            "30-day correlation to {name} crosses {level}, either way",
            name=name,
            level=number(level, digits=2),
        )
    return _("moves ±{points} points more than {name} today", points=figure(level), name=name)


def _unsigned(value: float) -> str:
    return percent(value).lstrip("+")


def describe(alert: Alert) -> str:
    """Name an alert in one line: "#12 CIFR above $12.00"."""
    text = f"#{alert.id} {alert.symbol} {condition_text(alert.kind, alert.level, alert.basis)}"
    return text + _(" (extended hours)") if alert.session is AlertSession.EXTENDED else text


def headline(firing: Firing) -> str:
    """Say what happened, in words: "IREN made a new 52-week high at $20.00"."""
    alert = firing.alert
    symbol, kind = alert.symbol, alert.kind
    up = firing.direction is Direction.UP
    measure, reference = firing.measure, firing.reference
    if kind is AlertKind.MOVE_PCT:
        return _("{symbol} moved {percent} today", symbol=symbol, percent=percent(firing.move_pct))
    if kind is AlertKind.ABOVE or kind is AlertKind.BELOW:
        return _rose_or_fell(up, symbol=symbol, price=price(alert.level))
    if kind is AlertKind.HIGH52 or kind is AlertKind.LOW52:
        template = (
            _("{symbol} made a new 52-week high at {price} (previous high {previous})")
            if kind is AlertKind.HIGH52
            else _("{symbol} made a new 52-week low at {price} (previous low {previous})")
        )
        return template.format(
            symbol=symbol, price=price(firing.trigger_price), previous=price(measure)
        )
    if kind is AlertKind.MA_CROSS:
        if alert.basis is Basis.MA50_MA200:
            template = (
                _(
                    "Golden cross on {symbol}: the 50-day average ({fast}) is above the "
                    "200-day ({slow})"
                )
                if up
                else _(
                    "Death cross on {symbol}: the 50-day average ({fast}) is below the "
                    "200-day ({slow})"
                )
            )
            return template.format(symbol=symbol, fast=price(measure), slow=price(reference))
        template = (
            _("{symbol} crossed above its {average} average ({price})")
            if up
            else _("{symbol} crossed below its {average} average ({price})")
        )
        return template.format(symbol=symbol, average=_average(alert.basis), price=price(measure))
    if kind is AlertKind.VOLUME:
        return _(
            "{symbol} is trading {times} its usual volume for the time of day (20-day average "
            "{average} a day)",
            symbol=symbol,
            times=ratio(measure).replace(number(1.0, digits=2)[1:], ""),
            average=volume(reference),
        )
    if kind is AlertKind.GAP:
        template = (
            _("{symbol} opened up {percent} from the previous close")
            if up
            else _("{symbol} opened down {percent} from the previous close")
        )
        return template.format(symbol=symbol, percent=percent(measure))
    if kind is AlertKind.EARNINGS:
        when = "" if firing.day is None else f" ({weekday(firing.day)})"
        if not measure:
            return _("{symbol} reports earnings today{when}", symbol=symbol, when=when)
        return _(
            "{symbol} reports earnings in {days}{when}",
            symbol=symbol,
            days=_days(measure),
            when=when,
        )
    name = _benchmark(alert.basis, _SHORT_BENCHMARK)
    if kind is AlertKind.CORRELATION:
        template = (
            _("{symbol}'s 30-day correlation to {name} rose above {level} (now {now})")
            if up
            else _("{symbol}'s 30-day correlation to {name} fell below {level} (now {now})")
        )
        now = "?" if measure is None else number(measure, digits=2)
        return template.format(
            symbol=symbol, name=name, level=number(alert.level, digits=2), now=now
        )
    points = abs(measure) if measure is not None else None
    template = (
        _(
            "{symbol} is up {points} points more than {name} today ({symbol} {move}, "
            "{name} {benchmark})"
        )
        if up
        else _(
            "{symbol} is down {points} points more than {name} today ({symbol} {move}, "
            "{name} {benchmark})"
        )
    )
    return template.format(
        symbol=symbol,
        points=number(points or 0, digits=1),
        name=name,
        move=percent(firing.move_pct),
        benchmark=percent(reference),
    )


def _rose_or_fell(up: bool, **fields: str) -> str:
    if up:
        return _("{symbol} rose above {price}", **fields)
    return _("{symbol} fell below {price}", **fields)


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
            "name": _("Condition"),
            "value": condition_text(alert.kind, alert.level, alert.basis),
            "inline": True,
        },
    ]
    if trigger == last:  # one price: shown once
        fields.append({"name": _("Triggered at"), "value": trigger, "inline": True})
    else:
        extreme = (
            _("{price} (intraday high)", price=trigger)
            if up
            else _("{price} (intraday low)", price=trigger)
        )
        fields.append({"name": _("Triggered at"), "value": extreme, "inline": True})
        fields.append({"name": _("Last"), "value": last, "inline": True})
    fields.append(
        {
            "name": _("Time"),
            "value": f"{timestamp(firing.as_of, 'f')} ({timestamp(firing.as_of, 'R')})",
            "inline": False,
        }
    )
    if firing.session in (MarketState.PRE, MarketState.POST):
        # Said on every off-hours firing: thin pre- and post-market trading moves prices
        # that the regular session may not confirm.
        session = state_label(firing.session)
        if alert.kind is AlertKind.MOVE_PCT:
            session += _(" · the move is against the previous regular close")
        fields.append({"name": _("Session"), "value": session, "inline": False})
    if alert.note:
        fields.append({"name": _("Note"), "value": neutralise(alert.note, limit=NOTE_LIMIT)})
    footer = [_("Alert #{number}", number=alert.id)]
    if alert.repeat:
        footer.append(_("repeats"))
    if firing.demo:
        footer.append(_("DEMO data, not real prices"))
    footer.append(_(NOT_ADVICE))
    return {
        "title": clip(title, EMBED_TITLE),
        "color": GREEN if up else RED,
        "fields": fields,
        "footer": {"text": " · ".join(footer)},
        "timestamp": firing.as_of.isoformat(),
    }


def fired_text(owners: Sequence[int], count: int, *, dm: bool) -> str:
    """Return the line above fired alerts: their owners pinged, except in a DM."""
    if dm:
        return ngettext("Your price alert fired.", "Your price alerts fired.", count)
    mentions = " ".join(f"<@{o}>" for o in owners)
    return ngettext(
        "{mentions} your price alert fired.",
        "{mentions} your price alerts fired.",
        count,
        mentions=mentions,
    )


def expiry_embed(alerts: Sequence[Alert]) -> dict[str, Any]:
    """Return the notice listing an owner's alerts that expired (at most NOTICE_LINES)."""
    return {
        "title": ngettext("Your alert has expired", "Your alerts have expired", len(alerts)),
        "description": "\n".join(
            _("{alert} (created {when})", alert=describe(a), when=timestamp(a.created_at, "d"))
            for a in alerts
        ),
        "color": GREY,
        "footer": {"text": _("Add it again with /alert add if you still want it")},
    }


_FAILURE_TEXT: Final = {
    "dm_closed": N_(
        "I could not send you {what} by direct message: your DMs are closed to me. "
        "{it} paused. Allow direct messages from this server's members, then "
        "`/alert resume`, or add it again without `dm`."
    ),
    "channel_gone": N_(
        "I could not post {what} in <#{channel}>: the channel no longer exists. {it} paused; "
        "remove it and add it again in another channel, or with `dm` on."
    ),
    "missing_permissions": N_(
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
        _("your alert {alert}", alert=describe(alerts[0]))
        if single
        else _("your alerts {alerts}", alerts=", ".join(describe(a) for a in alerts[:NOTICE_LINES]))
    )
    text = _(
        template,
        what=what,
        channel=alerts[0].channel_id,
        it=_("It is") if single else _("They are"),
    )
    return {
        "title": _("Alert paused") if single else _("Alerts paused"),
        "description": text,
        "color": GREY,
    }
