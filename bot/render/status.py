"""/status as embeds: the overview and the freshness of every polled symbol."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from bot.alerts.latency import LatencySummary
from bot.filings.watcher import SEC_CONTACT_MISSING, FilingsStatus
from bot.format import number, timestamp
from bot.i18n import N_, _, ngettext
from bot.ledger.counting import STALE_MARK
from bot.limits import EMBED_FIELD_VALUE, EMBED_FIELDS, EMBED_TOTAL
from bot.market.models import DataSource, MarketState
from bot.market.stream import SYMBOL_SILENCE_SECONDS, StreamHealth, StreamState
from bot.outbox.model import Settlement, embed_text_length
from bot.render.pages import chunk_lines, clip
from bot.render.quote import DEMO_MARK, source_line
from bot.shards import describe_ids
from bot.status import FeedStatus, LedgerFreshness, ShardStatus, StatusReport, SymbolLine
from bot.summary.model import PAUSE_TEXT, RunStatus, SummaryRun, SummaryStatus
from bot.text import neutralise

STATUS_COLOUR: Final = 0x5865F2  # Discord blurple: information, not a market move
ERROR_LIMIT: Final = 60  # one symbol's last error, on its line
SYMBOL_WIDTH: Final = 8
SYMBOL_SILENCE: Final = timedelta(seconds=SYMBOL_SILENCE_SECONDS)
DAY_LABELS: Final = {
    "trading": N_("NYSE trading days"),
    "daily": N_("every day"),
    "weekdays": N_("weekdays"),
}


def ledger_line(ledger: LedgerFreshness) -> str:
    """Return how many contracts the server sees and how many may be out of date."""
    line = _(
        "Ledger: {contracts} contract(s) in this server's view · {stale} marked “{mark}” "
        "(expected delivery passed without a status change, or status older than 180 days)",
        contracts=ledger.contracts,
        stale=ledger.stale,
        mark=_(STALE_MARK),
    )
    return line + (" · " + _("oldest status {day}", day=ledger.oldest) if ledger.oldest else "")


def shards_line(shards: ShardStatus) -> str:
    """Return the gateway shards this process runs, and the one this server is on."""
    line = _(
        "Shards: {ids} of {count} run by this process",
        ids=describe_ids(shards.plan.ids),
        count=shards.plan.count,
    )
    if shards.server_shard is None:
        return line
    return line + " · " + _("this server is on shard {shard}", shard=shards.server_shard)


def role_line(leader: bool) -> str:
    """Return whether this process runs the global jobs or stands by for the one that does."""
    if leader:
        return _("Role: leader (this process polls prices and filings and checks the alerts)")
    return _("Role: standby (another process polls prices and filings and checks the alerts)")


def settlement_line(settlements: Mapping[Settlement, tuple[int, int]]) -> str | None:
    """Return how sends whose answer never came were settled (None when there were none)."""
    if not settlements:
        return None
    found, resent, gave_up = (
        settlements.get(way, (0, 0))[0]
        for way in (Settlement.FOUND, Settlement.RESENT, Settlement.GAVE_UP)
    )
    pages = sum(read for _, read in settlements.values())
    return _(
        "Unanswered sends checked in the channel before resending: {found} already posted, "
        "{resent} not there and sent again, {gave_up} sent after the read reached its limit "
        "({pages} history page(s) read)",
        found=found,
        resent=resent,
        gave_up=gave_up,
        pages=pages,
    )


def filings_lines(filings: FilingsStatus) -> list[str]:
    """Return the SEC EDGAR source's health: polls, last new filing, requests, backoff."""
    if not filings.enabled:
        return [
            _("SEC filings: off — {reason}", reason=_(filings.off_reason or SEC_CONTACT_MISSING))
        ]

    def when(moment: datetime | None) -> str:
        return _("never") if moment is None else timestamp(moment, "R")

    lines = [
        _(
            "SEC filings: {companies} company(ies) with a CIK · last successful poll {success} "
            "· last new filing {new} · {requests} request(s) in the last hour",
            companies=filings.companies,
            success=when(filings.last_success_at),
            new=when(filings.last_new_filing_at),
            requests=filings.requests_last_hour,
        )
    ]
    if filings.backoff is not None:
        lines.append(
            _(
                "SEC filings backing off until {until}: {reason}",
                until=timestamp(filings.backoff.until, "T"),
                reason=filings.backoff.reason,
            )
        )
    if filings.last_error:
        error = neutralise(filings.last_error, limit=ERROR_LIMIT)
        lines.append(_("SEC filings last error: {error}", error=error))
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


def alert_state_count(state: str, n: int) -> str:
    """Count the alerts in one active state ("3 armed"), in the current language."""
    if state == "armed":
        return ngettext("{n} armed", "{n} armed", n)
    if state == "rearming":
        return ngettext("{n} re-arming", "{n} re-arming", n)
    if state == "paused":
        return ngettext("{n} paused", "{n} paused", n)
    return f"{n} {state}"  # a state this version does not know: the store's own word


STREAM_STATES: Final = {
    StreamState.CONNECTING: N_("⏳ connecting"),
    StreamState.LIVE: N_("✅ streaming"),
    StreamState.DOWN: N_("⚠️ down, reconnecting"),
    StreamState.OFF: N_("off"),
}


def stream_lines(
    stream: StreamHealth | None, latency: LatencySummary | None, now: datetime
) -> list[str]:
    """Return the live-price stream's state and the alerts' trade-to-post latency."""
    if stream is None:
        head = _("Live prices: off (`MINERWATCH_STREAM_URL`); the poll alone updates prices")
    else:
        head = _("Live prices: {state}", state=_(STREAM_STATES[stream.state]))
        if stream.live_since is not None:
            head += _(" for {duration}", duration=uptime(now - stream.live_since))
        head += _(" · {n} reconnect(s) in 24 h", n=stream.reconnects_24h)
        if stream.state is not StreamState.LIVE:
            head += _(" · every symbol is polled until it is back")
            if stream.last_error:
                head += f" ({neutralise(stream.last_error, limit=ERROR_LIMIT)})"
        if stream.unreadable_frames:
            head += _(" · {n} unreadable message(s)", n=stream.unreadable_frames)
    lines = [head]
    if latency is not None:
        if latency.samples and latency.p50 is not None and latency.p95 is not None:
            lines.append(
                _(
                    "Trade → alert post, last 24 h: p50 {p50} s · p95 {p95} s ({n} alert(s))",
                    p50=number(latency.p50, digits=1),
                    p95=number(latency.p95, digits=1),
                    n=latency.samples,
                )
            )
        else:
            lines.append(_("Trade → alert post: no alert posted in the last 24 h"))
    return lines


def symbol_line(line: SymbolLine, now: datetime | None = None) -> str:
    """Return "`CIFR    ` ✅ <t:…:R>", marked stale or missing, with its last error."""
    name = f"`{line.symbol:<{SYMBOL_WIDTH}}`"  # padded so most lines align; never cut
    quote = line.quote
    if quote is None:
        text = f"{name} ❌ {_('no quote yet')}"
    elif quote.stale:
        text = f"{name} ⚠️ " + _("stale, last good {when}", when=timestamp(quote.as_of, "R"))
    else:
        text = f"{name} ✅ {timestamp(quote.as_of, 'R')}"
    problems = []
    if line.stats is not None and line.stats.last_error:
        at = line.stats.last_error_at
        when = f" {timestamp(at, 'R')}" if at is not None else ""
        error = neutralise(line.stats.last_error, limit=ERROR_LIMIT)
        problems.append(_("error{when}: {error}", when=when, error=error))
    if line.ignored is not None:
        problems.append(_("ignored a tick ({problem})", problem=line.ignored.problem.value))
    if line.streamed_at is not None and now is not None:
        age = now - line.streamed_at
        text += _(" · streamed {age} ago", age=uptime(age))
        if age > SYMBOL_SILENCE and quote is not None and quote.market_state is MarketState.REGULAR:
            # A symbol that trades all day going quiet on the stream is suspicious: say so,
            # and that the poll has it meanwhile.
            text += _(" ⚠️ silent on the stream, polled")
    return f"{text} · {' · '.join(problems)}" if problems else text


def feed_lines(feed: FeedStatus) -> list[str]:
    """Return the poll and provider lines."""
    poll = _("Last poll: none yet")
    if feed.last_poll_at is not None:
        took = (
            " " + _("(took {seconds} s)", seconds=number(feed.last_poll_seconds, digits=1))
            if feed.last_poll_seconds
            else ""
        )
        poll = _("Last poll {when}{took}", when=timestamp(feed.last_poll_at, "R"), took=took)
    if feed.next_poll_at is not None:
        poll += " · " + _("next {when}", when=timestamp(feed.next_poll_at, "R"))
    backoff = feed.backoff
    if feed.backing_off and backoff is not None:
        provider = _(
            "Provider: ⚠️ backing off until {until} (attempt {attempt}: {reason})",
            until=timestamp(backoff.until, "T"),
            attempt=backoff.attempt,
            reason=neutralise(backoff.reason, limit=ERROR_LIMIT),
        )
    else:
        provider = _("Provider: answering normally")
    return [_("Prices: {source}", source=source_line(feed.source)), poll, provider]


def run_line(run: SummaryRun | None) -> str:
    """Return what became of the last summary: posted (and delivered?), skipped, paused."""
    if run is None:
        return _("Last summary: none yet")
    day = run.local_day.isoformat()
    if run.status is RunStatus.SKIPPED:
        reason = run.reason or _("no reason recorded")
        return _("Last summary: skipped on {day}: {reason}", day=day, reason=reason)
    if run.status is RunStatus.PAUSED:
        # A stored pause reason is one of the catalogue's (PAUSE_TEXT): shown translated.
        reason = _(run.reason) if run.reason else _("the channel refused it")
        return _("Last summary: not delivered on {day}: {reason}", day=day, reason=reason)
    late = " " + _("(late)") if run.late else ""
    if run.delivery == "delivered" and run.delivered_at is not None:
        when = timestamp(run.delivered_at, "f")
        return _("Last summary: posted {when}{late}", when=when, late=late)
    if run.delivery == "undeliverable":
        error = neutralise(run.last_error or _("refused"), limit=ERROR_LIMIT)
        return _("Last summary: could not be delivered on {day}: {error}", day=day, error=error)
    return _(
        "Last summary: queued {when}{late}, not yet delivered",
        when=timestamp(run.created_at, "f"),
        late=late,
    )


def summary_lines(summary: SummaryStatus) -> list[str]:
    """Return the next summary (or why there is none) and the last one."""
    config = summary.config
    if config is None or not config.enabled or config.channel_id is None:
        head = _("Daily summary: off (`/summary config` turns it on)")
    elif config.paused_reason is not None:
        head = _(
            "Daily summary: ⚠️ paused: {reason}. Run `/summary config` to resume.",
            reason=_(PAUSE_TEXT[config.paused_reason]),
        )
    elif summary.next_run is not None:
        label = DAY_LABELS.get(config.days)
        head = _(
            "Next summary: {when} ({relative}) in <#{channel}>, {time} {zone} on {days}",
            when=timestamp(summary.next_run, "F"),
            relative=timestamp(summary.next_run, "R"),
            channel=config.channel_id,
            time=config.at,
            zone=config.zone,
            days=_(label) if label is not None else config.days,
        )
    else:
        head = _("Daily summary: on, but no day in the next two weeks is due")
    return [head, run_line(summary.last_run)]


def status_embeds(report: StatusReport) -> list[dict[str, Any]]:
    """Render /status as embeds within Discord's limits for one message."""
    title = _("Minerwatch status")
    if report.feed.source is DataSource.DEMO:
        title = f"{DEMO_MARK} {title}"
    active = sum(report.alerts.values())
    states = ", ".join(alert_state_count(state, n) for state, n in sorted(report.alerts.items()))
    lines = [
        _(
            "Version {version} · up {uptime} (since {since})",
            version=report.version,
            uptime=uptime(report.now - report.started_at),
            since=timestamp(report.started_at, "f"),
        ),
        *([shards_line(report.shards)] if report.shards is not None else []),
        *([role_line(report.leader)] if report.leader is not None else []),
        *feed_lines(report.feed),
        *stream_lines(report.stream, report.latency, report.now),
        _("Alerts active in this server: {n}", n=active) + (f" ({states})" if states else ""),
        _("Outbox: {n} message(s) waiting to be delivered", n=report.backlog),
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
    freshness: dict[str, Any] = {"title": _("Data freshness per symbol"), "color": STATUS_COLOUR}
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
            kept.append(_("… and {n} more symbol(s)", n=len(lines) - index))
            break
        kept.append(line)
        used += len(line) + 2  # the newline, and a field name per block at worst
    blocks = chunk_lines(kept, EMBED_FIELD_VALUE)[:EMBED_FIELDS] or [_("No symbols polled yet.")]
    return [
        {"name": _("Symbols") if i == 0 else "\u200b", "value": block, "inline": False}
        for i, block in enumerate(blocks)
    ]
