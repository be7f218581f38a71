"""/status's live-price lines: each state of the stream, and the latency, as a member reads them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.alerts.latency import LatencySummary
from bot.market.models import MarketState
from bot.market.stream import StreamHealth, StreamState
from bot.render.status import stream_lines, symbol_line
from bot.status import SymbolLine
from tests import factories

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


def test_a_symbol_silent_on_the_stream_in_regular_hours_is_flagged_as_polled() -> None:
    quote = factories.quote("CIFR", 15.0, as_of=NOW - timedelta(seconds=20))
    fresh = SymbolLine("CIFR", quote, None, None, NOW - timedelta(seconds=20))
    assert symbol_line(fresh, NOW).endswith("· streamed 20 s ago")
    silent = SymbolLine("CIFR", quote, None, None, NOW - timedelta(seconds=45))
    assert symbol_line(silent, NOW).endswith("· streamed 45 s ago ⚠️ silent on the stream, polled")
    # After the close a quiet stream is expected: no flag.
    closed = replace(quote, market_state=MarketState.CLOSED)
    quiet = SymbolLine("CIFR", closed, None, None, NOW - timedelta(minutes=5))
    assert symbol_line(quiet, NOW).endswith("· streamed 5 min ago")
