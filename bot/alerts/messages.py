"""Alert messages as plain JSON-able payloads: firings, expiry and delivery-failure notices."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final, TypeVar

from bot.alerts.engine import Firing
from bot.alerts.model import Alert, AlertKind, Direction
from bot.limits import EMBED_FIELD_VALUE, EMBED_TOTAL, EMBEDS_PER_MESSAGE
from bot.outbox.model import Destination, OutboxKind, OutboxMessage, Payload, embed_text_length
from bot.render.format import percent, price, timestamp
from bot.render.text import neutralise

T = TypeVar("T")

GREEN: Final = 0x2ECC71  # up
RED: Final = 0xE74C3C  # down
GREY: Final = 0x95A5A6  # notices
NOT_ADVICE: Final = "Not investment advice"
DEMO_LABEL: Final = "DEMO"
# A notice lists alerts as lines of one embed; this many keep it far below 4,096 characters.
NOTICE_LINES: Final = 25


def destination_of(alert: Alert) -> Destination:
    """Return where an alert posts: its owner's DMs, or the channel it was created in."""
    return Destination.dm(alert.owner_id) if alert.via_dm else Destination.channel(alert.channel_id)


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
        fields.append({"name": "Note", "value": neutralise(alert.note, limit=EMBED_FIELD_VALUE)})
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


def alert_messages(firings: Sequence[Firing]) -> list[OutboxMessage]:
    """Group one evaluation's firings into messages: one per destination, ≤ 10 embeds each."""
    ordered = sorted(firings, key=lambda f: (f.alert.id, f.number))
    messages: list[OutboxMessage] = []
    for destination, group in _by_destination(ordered, lambda f: destination_of(f.alert)):
        embeds = [(firing, firing_embed(firing)) for firing in group]
        for chunk in _chunks(embeds):
            first = chunk[0][0]
            owners = _unique(f.alert.owner_id for f, _ in chunk)
            messages.append(
                OutboxMessage(
                    # Every firing lands in exactly one message, so the first one names it.
                    dedupe_key=f"alert:{first.alert.id}:{first.number}",
                    kind=OutboxKind.ALERT,
                    destination=destination,
                    guild_id=None if destination.is_dm else first.alert.guild_id,
                    payload=_payload(destination, owners, [e for _, e in chunk], len(chunk)),
                    alert_ids=tuple(_unique(f.alert.id for f, _ in chunk)),
                )
            )
    return messages


def _payload(
    destination: Destination, owners: list[int], embeds: list[dict[str, Any]], count: int
) -> Payload:
    noun = "alert" if count == 1 else "alerts"
    if destination.is_dm:
        content = f"Your price {noun} fired."
        users: list[int] = []  # nobody to ping in a DM
    else:
        content = f"{' '.join(f'<@{o}>' for o in owners)} your price {noun} fired."
        users = owners
    return {"content": content, "embeds": embeds, "allowed_mentions": {"users": users}}


def expiry_notices(alerts: Sequence[Alert]) -> list[OutboxMessage]:
    """Tell each owner once, where their alerts post, which of them expired."""
    messages: list[OutboxMessage] = []
    ordered = sorted(alerts, key=lambda a: a.id)
    for (destination, owner), group in _by_destination(
        ordered, lambda a: (destination_of(a), a.owner_id)
    ):
        for start in range(0, len(group), NOTICE_LINES):
            chunk = group[start : start + NOTICE_LINES]
            noun = "alert has" if len(chunk) == 1 else "alerts have"
            embed = {
                "title": f"Your {noun} expired",
                "description": "\n".join(
                    f"{describe(a)} (created {timestamp(a.created_at, 'd')})" for a in chunk
                ),
                "color": GREY,
                "footer": {"text": "Add it again with /alert add if you still want it"},
            }
            messages.append(_notice(f"expired:{chunk[0].id}", destination, owner, chunk, embed))
    return messages


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


def failure_notices(outbox_id: int, alerts: Sequence[Alert], reason: str) -> list[OutboxMessage]:
    """Tell the owners of paused alerts why, wherever they can still be reached."""
    # Closed DMs are reported in the channel the alert was created in; a gone or forbidden
    # channel by DM.
    template = _FAILURE_TEXT.get(reason)
    if template is None:
        return []

    def where(alert: Alert) -> tuple[Destination, int]:
        """Return where to tell the owner of ``alert``, and who that is."""
        if reason == "dm_closed":
            return Destination.channel(alert.channel_id), alert.owner_id
        return Destination.dm(alert.owner_id), alert.owner_id

    messages: list[OutboxMessage] = []
    for (destination, owner), group in _by_destination(sorted(alerts, key=lambda a: a.id), where):
        single = len(group) == 1
        what = (
            f"your alert {describe(group[0])}"
            if single
            else "your alerts " + ", ".join(describe(a) for a in group[:NOTICE_LINES])
        )
        text = template.format(
            what=what, channel=group[0].channel_id, it="It is" if single else "They are"
        )
        embed = {
            "title": "Alert paused" if single else "Alerts paused",
            "description": text,
            "color": GREY,
        }
        key = f"undeliverable:{outbox_id}:{destination}:{owner}"
        messages.append(_notice(key, destination, owner, group, embed))
    return messages


def _notice(
    key: str, destination: Destination, owner: int, alerts: Sequence[Alert], embed: dict[str, Any]
) -> OutboxMessage:
    if destination.is_dm:
        payload: Payload = {"content": "", "embeds": [embed], "allowed_mentions": {"users": []}}
    else:
        payload = {
            "content": f"<@{owner}>",
            "embeds": [embed],
            "allowed_mentions": {"users": [owner]},
        }
    return OutboxMessage(
        dedupe_key=key,
        kind=OutboxKind.NOTICE,
        destination=destination,
        guild_id=None if destination.is_dm else alerts[0].guild_id,
        payload=payload,
        alert_ids=tuple(a.id for a in alerts),
    )


def _by_destination(items: Iterable[T], key: Callable[[T], Any]) -> list[tuple[Any, list[T]]]:
    """Group ``items`` by ``key`` keeping first-seen order (groups and items)."""
    groups: dict[Any, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return list(groups.items())


def _chunks(embeds: list[tuple[T, dict[str, Any]]]) -> list[list[tuple[T, dict[str, Any]]]]:
    """Split embeds into messages of at most 10 embeds and 6,000 characters of embed text."""
    chunks: list[list[tuple[T, dict[str, Any]]]] = []
    current: list[tuple[T, dict[str, Any]]] = []
    size = 0
    for item in embeds:
        length = embed_text_length(item[1])
        if current and (len(current) == EMBEDS_PER_MESSAGE or size + length > EMBED_TOTAL):
            chunks.append(current)
            current, size = [], 0
        current.append(item)
        size += length
    if current:
        chunks.append(current)
    return chunks


def _unique(values: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(values))
