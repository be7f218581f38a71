"""/status as embeds: the overview and the freshness of every polled symbol."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from bot.alerts.latency import LatencySummary
from bot.filings.watcher import FilingsStatus
from bot.format import timestamp
from bot.ledger.counting import STALE_MARK
from bot.limits import EMBED_FIELD_VALUE, EMBED_FIELDS, EMBED_TOTAL
from bot.market.models import DataSource, MarketState
from bot.market.stream import SYMBOL_SILENCE_SECONDS, StreamHealth, StreamState
from bot.outbox.model import Settlement, embed_text_length
from bot.render.pages import chunk_lines, clip
from bot.render.quote import DEMO_MARK, source_line
from bot.status import FeedStatus, LedgerFreshness, StatusReport, SymbolLine
from bot.summary.model import PAUSE_TEXT, RunStatus, SummaryRun, SummaryStatus
from bot.text import neutralise

STATUS_COLOUR: Final = 0x5865F2  # Discord blurple: information, not a market move
ERROR_LIMIT: Final = 60  # one symbol's last error, on its line
SYMBOL_WIDTH: Final = 8
SYMBOL_SILENCE: Final = timedelta(seconds=SYMBOL_SILENCE_SECONDS)
DAY_LABELS: Final = {"trading": "NYSE trading days", "daily": "every day", "weekdays": "weekdays"}


def ledger_line(ledger: LedgerFreshness) -> str:
    """Return how many contracts the server sees and how many may be out of date."""
    line = (
        f"Ledger: {ledger.contracts} contract(s) in this server's view · {ledger.stale} marked "
        f"“{STALE_MARK}” (expected delivery passed without a status change, or status older "
        "than 180 days)"
    )
    return line + (f" · oldest status {ledger.oldest}" if ledger.oldest else "")


def settlement_line(settlements: Mapping[Settlement, tuple[int, int]]) -> str | None:
    """Return how sends whose answer never came were settled (None when there were none)."""
    if not settlements:
        return None
    found, resent, gave_up = (
        settlements.get(way, (0, 0))[0]
        for way in (Settlement.FOUND, Settlement.RESENT, Settlement.GAVE_UP)
    )
    pages = sum(read for _, read in settlements.values())
    return (
        f"Unanswered sends checked in the channel before resending: {found} already posted, "
        f"{resent} not there and sent again, {gave_up} sent after the read reached its limit "
        f"({pages} history page(s) read)"
    )


def filings_lines(filings: FilingsStatus) -> list[str]:
    """Return the SEC EDGAR source's health: polls, last new filing, requests, backoff."""
    if not filings.enabled:
        return [f"SEC filings: off — {filings.off_reason}"]

    def when(moment: datetime | None) -> str:
        return "never" if moment is None else timestamp(moment, "R")

    lines = [
        f"SEC filings: {filings.companies} company(ies) with a CIK · last successful poll "
        f"{when(filings.last_success_at)} · last new filing {when(filings.last_new_filing_at)} "
        f"· {filings.requests_last_hour} request(s) in the last hour"
    ]
    if filings.backoff is not None:
        lines.append(
            f"SEC filings backing off until {timestamp(filings.backoff.until, 'T')}: "
            f"{filings.backoff.reason}"
        )
    if filings.last_error:
        lines.append(f"SEC filings last error: {neutralise(filings.last_error, limit=ERROR_LIMIT)}")
    return lines


def uptime(delta: timedelta) -> str:
    """Format a duration compactly: 3 d 4 h, 2 h 5 min, 40 s."""
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else f"{seconds} s"


STREAM_STATES: Final = {
    StreamState.CONNECTING: "⏳ connecting",
    StreamState.LIVE: "✅ streaming",
    StreamState.DOWN: "⚠️ down, reconnecting",
    StreamState.OFF: "off",
}


def stream_lines(
    stream: StreamHealth | None, latency: LatencySummary | None, now: datetime
) -> list[str]:
    """Return the live-price stream's state and the alerts' trade-to-post latency."""
    if stream is None:
        head = "Live prices: off (`MINERWATCH_STREAM_URL`); the poll alone updates prices"
    else:
        head = f"Live prices: {STREAM_STATES[stream.state]}"
        if stream.live_since is not None:
            head += f" for {uptime(now - stream.live_since)}"
        head += f" · {stream.reconnects_24h} reconnect(s) in 24 h"
        if stream.state is not StreamState.LIVE:
            head += " · every symbol is polled until it is back"
            if stream.last_error:
                head += f" ({neutralise(stream.last_error, limit=ERROR_LIMIT)})"
        if stream.unreadable_frames:
            head += f" · {stream.unreadable_frames} unreadable message(s)"
    lines = [head]
    if latency is not None:
        if latency.samples and latency.p50 is not None and latency.p95 is not None:
            lines.append(
                f"Trade → alert post, last 24 h: p50 {latency.p50:.1f} s · "
                f"p95 {latency.p95:.1f} s ({latency.samples} alert(s))"
            )
        else:
            lines.append("Trade → alert post: no alert posted in the last 24 h")
    return lines


def symbol_line(line: SymbolLine, now: datetime | None = None) -> str:
    """Return "`CIFR    ` ✅ <t:…:R>", marked stale or missing, with its last error."""
    name = f"`{line.symbol:<{SYMBOL_WIDTH}}`"  # padded so most lines align; never cut
    quote = line.quote
    if quote is None:
        text = f"{name} ❌ no quote yet"
    elif quote.stale:
        text = f"{name} ⚠️ stale, last good {timestamp(quote.as_of, 'R')}"
    else:
        text = f"{name} ✅ {timestamp(quote.as_of, 'R')}"
    problems = []
    if line.stats is not None and line.stats.last_error:
        at = line.stats.last_error_at
        when = f" {timestamp(at, 'R')}" if at is not None else ""
        problems.append(f"error{when}: {neutralise(line.stats.last_error, limit=ERROR_LIMIT)}")
    if line.ignored is not None:
        problems.append(f"ignored a tick ({line.ignored.problem.value})")
    if line.streamed_at is not None and now is not None:
        age = now - line.streamed_at
        text += f" · streamed {uptime(age)} ago"
        if age > SYMBOL_SILENCE and quote is not None and quote.market_state is MarketState.REGULAR:
            # A symbol that trades all day going quiet on the stream is suspicious: say so,
            # and that the poll has it meanwhile.
            text += " ⚠️ silent on the stream, polled"
    return f"{text} · {' · '.join(problems)}" if problems else text


def feed_lines(feed: FeedStatus) -> list[str]:
    """Return the poll and provider lines."""
    poll = "Last poll: none yet"
    if feed.last_poll_at is not None:
        took = f" (took {feed.last_poll_seconds:.1f} s)" if feed.last_poll_seconds else ""
        poll = f"Last poll {timestamp(feed.last_poll_at, 'R')}{took}"
    if feed.next_poll_at is not None:
        poll += f" · next {timestamp(feed.next_poll_at, 'R')}"
    backoff = feed.backoff
    if feed.backing_off and backoff is not None:
        provider = (
            f"Provider: ⚠️ backing off until {timestamp(backoff.until, 'T')} "
            f"(attempt {backoff.attempt}: {neutralise(backoff.reason, limit=ERROR_LIMIT)})"
        )
    else:
        provider = "Provider: answering normally"
    return [f"Prices: {source_line(feed.source)}", poll, provider]


def run_line(run: SummaryRun | None) -> str:
    """Return what became of the last summary: posted (and delivered?), skipped, paused."""
    if run is None:
        return "Last summary: none yet"
    day = run.local_day.isoformat()
    if run.status is RunStatus.SKIPPED:
        return f"Last summary: skipped on {day}: {run.reason or 'no reason recorded'}"
    if run.status is RunStatus.PAUSED:
        return f"Last summary: not delivered on {day}: {run.reason or 'the channel refused it'}"
    late = " (late)" if run.late else ""
    if run.delivery == "delivered" and run.delivered_at is not None:
        return f"Last summary: posted {timestamp(run.delivered_at, 'f')}{late}"
    if run.delivery == "undeliverable":
        error = neutralise(run.last_error or "refused", limit=ERROR_LIMIT)
        return f"Last summary: could not be delivered on {day}: {error}"
    return f"Last summary: queued {timestamp(run.created_at, 'f')}{late}, not yet delivered"


def summary_lines(summary: SummaryStatus) -> list[str]:
    """Return the next summary (or why there is none) and the last one."""
    config = summary.config
    if config is None or not config.enabled or config.channel_id is None:
        head = "Daily summary: off (`/summary config` turns it on)"
    elif config.paused_reason is not None:
        head = (
            f"Daily summary: ⚠️ paused: {PAUSE_TEXT[config.paused_reason]}. "
            "Run `/summary config` to resume."
        )
    elif summary.next_run is not None:
        days = DAY_LABELS.get(config.days, config.days)
        head = (
            f"Next summary: {timestamp(summary.next_run, 'F')} ({timestamp(summary.next_run, 'R')})"
            f" in <#{config.channel_id}>, {config.at} {config.zone} on {days}"
        )
    else:
        head = "Daily summary: on, but no day in the next two weeks is due"
    return [head, run_line(summary.last_run)]


def status_embeds(report: StatusReport) -> list[dict[str, Any]]:
    """Render /status as embeds within Discord's limits for one message."""
    title = "Minerwatch status"
    if report.feed.source is DataSource.DEMO:
        title = f"{DEMO_MARK} {title}"
    active = sum(report.alerts.values())
    states = ", ".join(f"{n} {state}" for state, n in sorted(report.alerts.items()))
    lines = [
        f"Version {report.version} · up {uptime(report.now - report.started_at)} "
        f"(since {timestamp(report.started_at, 'f')})",
        *feed_lines(report.feed),
        *stream_lines(report.stream, report.latency, report.now),
        f"Alerts active in this server: {active}" + (f" ({states})" if states else ""),
        f"Outbox: {report.backlog} message(s) waiting to be delivered",
    ]
    settled = settlement_line(report.settlements)
    if settled is not None:
        lines.append(settled)
    lines += summary_lines(report.summary)
    if report.ledger is not None:
        lines.append(ledger_line(report.ledger))
    if report.filings is not None:
        lines.extend(filings_lines(report.filings))
    overview: dict[str, Any] = {
        "title": title,
        "description": clip("\n".join(lines), 4_000),
        "color": STATUS_COLOUR,
    }
    freshness: dict[str, Any] = {"title": "Data freshness per symbol", "color": STATUS_COLOUR}
    budget = EMBED_TOTAL - embed_text_length(overview) - len(freshness["title"]) - 100
    freshness["fields"] = _symbol_fields(
        [symbol_line(s, report.now) for s in report.symbols], budget
    )
    return [overview, freshness]


def _symbol_fields(lines: Sequence[str], budget: int) -> list[dict[str, Any]]:
    """Pack symbol lines into fields (1,024 each, 25 at most) within ``budget`` characters."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        line = clip(line, EMBED_FIELD_VALUE)
        if used + len(line) + 2 > budget - 60:
            kept.append(f"… and {len(lines) - index} more symbol(s)")
            break
        kept.append(line)
        used += len(line) + 2  # the newline, and a field name per block at worst
    blocks = chunk_lines(kept, EMBED_FIELD_VALUE)[:EMBED_FIELDS] or ["No symbols polled yet."]
    return [
        {"name": "Symbols" if i == 0 else "\u200b", "value": block, "inline": False}
        for i, block in enumerate(blocks)
    ]
