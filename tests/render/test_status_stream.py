"""/status's live-price lines: each state of the stream, and the latency, as a member reads them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.alerts.latency import LatencySummary
from bot.market.stream import StreamHealth, StreamState
from bot.render.status import stream_lines

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def health(state: StreamState, **fields: object) -> StreamHealth:
    values: dict[str, object] = {
        "live_since": None,
        "reconnects_24h": 0,
        "last_error": None,
        "unreadable_frames": 0,
        "last_tick_at": {},
    }
    values.update(fields)
    return StreamHealth(state=state, **values)  # type: ignore[arg-type]


def test_without_a_stream_the_poll_alone_is_named() -> None:
    assert stream_lines(None, None, NOW) == [
        "Live prices: off (`MINERWATCH_STREAM_URL`); the poll alone updates prices"
    ]


def test_a_live_stream_shows_its_uptime_reconnects_and_unreadable_messages() -> None:
    live = health(
        StreamState.LIVE,
        live_since=NOW - timedelta(hours=2, minutes=5),
        reconnects_24h=3,
        unreadable_frames=2,
    )
    (line, latency) = stream_lines(live, LatencySummary(40, 0.2, 0.9), NOW)
    assert line == (
        "Live prices: ✅ streaming for 2 h 5 min · 3 reconnect(s) in 24 h · 2 unreadable message(s)"
    )
    assert latency == "Trade → alert post, last 24 h: p50 0.2 s · p95 0.9 s (40 alert(s))"


def test_a_dead_stream_says_the_poll_covers_every_symbol_and_why_it_is_down() -> None:
    down = health(
        StreamState.DOWN, reconnects_24h=1, last_error="no message for 15 s while a market was open"
    )
    (line, latency) = stream_lines(down, LatencySummary(0, None, None), NOW)
    assert line == (
        "Live prices: ⚠️ down, reconnecting · 1 reconnect(s) in 24 h · every symbol is polled "
        "until it is back (no message for 15 s while a market was open)"
    )
    assert latency == "Trade → alert post: no alert posted in the last 24 h"
