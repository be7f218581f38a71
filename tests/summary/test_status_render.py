"""/status rendering (pure): within Discord's limits for any number of symbols and errors."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.filings.watcher import SEC_CONTACT_MISSING, FilingsStatus
from bot.i18n import speaking
from bot.limits import EMBED_FIELD_VALUE as FIELD_VALUE_LIMIT
from bot.limits import EMBED_FIELDS as FIELD_COUNT_LIMIT
from bot.limits import EMBED_TOTAL as MAX_EMBED_TEXT
from bot.market.backoff import BackoffState
from bot.market.book import SymbolStats
from bot.market.guards import Rejection
from bot.market.models import DataSource, Quote
from bot.outbox.model import Settlement, embed_text_length
from bot.render.status import status_embeds, uptime
from bot.status import FeedStatus, StatusReport, SymbolLine
from bot.summary.model import PauseReason, RunStatus, SummaryConfig, SummaryRun, SummaryStatus
from tests import factories

NOW = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)


def quote(symbol: str, *, stale: bool = False) -> Quote:
    return factories.quote(
        symbol, 10.0, previous_close=9.5, as_of=NOW - timedelta(minutes=3), stale=stale
    )


def report(symbols: int, summary: SummaryStatus, *, backoff: bool = False) -> StatusReport:
    lines = tuple(
        SymbolLine(
            f"SYM{n:03d}.TO",
            None if n % 5 == 0 else quote(f"SYM{n}", stale=n % 3 == 0),
            SymbolStats(
                f"SYM{n}",
                NOW,
                "timeout: " + "<@&1> **boom** " * 20,
                NOW - timedelta(minutes=1),
                Rejection.NO_DATA,
            ),
            None,
        )
        for n in range(symbols)
    )
    return StatusReport(
        version="0.1.0",
        started_at=NOW - timedelta(days=2, hours=3),
        now=NOW,
        feed=FeedStatus(
            source=DataSource.YAHOO,
            last_poll_at=NOW - timedelta(seconds=40),
            last_poll_seconds=1.25,
            next_poll_at=NOW + timedelta(seconds=20),
            backoff=BackoffState(NOW + timedelta(minutes=2), "HTTP 429 from Yahoo", 3)
            if backoff
            else None,
            backing_off=backoff,
        ),
        symbols=lines,
        alerts={"armed": 12, "paused": 2},
        backlog=4,
        summary=summary,
    )


ACTIVE = SummaryConfig(1, 2, "16:30", "America/New_York", "trading", True, NOW)
PAUSED = SummaryConfig(
    1, 2, "16:30", "America/New_York", "trading", True, NOW, PauseReason.CHANNEL_GONE, NOW
)
SKIPPED = SummaryRun(
    1, date(2026, 11, 25), RunStatus.SKIPPED, NOW, NOW + timedelta(hours=3), reason="offline"
)


@pytest.mark.parametrize("symbols", [0, 25, 40, 200])
def test_any_number_of_symbols_fits(symbols: int) -> None:
    embeds = status_embeds(report(symbols, SummaryStatus(ACTIVE, NOW, SKIPPED), backoff=True))
    assert sum(embed_text_length(e) for e in embeds) <= MAX_EMBED_TEXT
    fields = embeds[1]["fields"]
    assert 1 <= len(fields) <= FIELD_COUNT_LIMIT
    assert all(len(f["value"]) <= FIELD_VALUE_LIMIT for f in fields)
    text = "\n".join(f["value"] for f in fields)
    assert not re.search(r"(?<!\\)<@&1>", text)  # provider errors are shown inert
    if symbols > 40:
        assert "more symbol(s)" in text


def test_the_overview_says_what_matters() -> None:
    (overview, _) = status_embeds(report(3, SummaryStatus(ACTIVE, NOW, SKIPPED), backoff=True))
    text = overview["description"]
    assert text.startswith("Version 0.1.0 · up 2 d 3 h")
    assert "Provider: ⚠️ backing off until <t:" in text and "attempt 3" in text
    assert "Alerts active in this server: 14 (12 armed, 2 paused)" in text
    assert "Outbox: 4 message(s) waiting" in text
    assert f"Next summary: <t:{int(NOW.timestamp())}:F>" in text
    assert "Last summary: skipped on 2026-11-25: offline" in text


def test_unanswered_sends_are_counted_by_how_they_were_settled() -> None:
    quiet = status_embeds(report(1, SummaryStatus(ACTIVE, NOW, SKIPPED)))[0]["description"]
    assert "Unanswered sends" not in quiet  # nothing to say until one happens
    settled = {Settlement.FOUND: (3, 3), Settlement.GAVE_UP: (1, 5)}
    busy = replace(report(1, SummaryStatus(ACTIVE, NOW, SKIPPED)), settlements=settled)
    (overview, _) = status_embeds(busy)
    assert (
        "Unanswered sends checked in the channel before resending: 3 already posted, "
        "0 not there and sent again, 1 sent after the read reached its limit "
        "(8 history page(s) read)"
    ) in overview["description"]


def test_a_paused_summary_says_why_and_how_to_resume() -> None:
    (overview, _) = status_embeds(report(1, SummaryStatus(PAUSED, None, None)))
    assert "paused: the summary channel was deleted" in overview["description"]
    assert "Run `/summary config` to resume" in overview["description"]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(40, "40 s"), (125, "2 min"), (3 * 3600 + 300, "3 h 5 min"), (2 * 86400 + 3600, "2 d 1 h")],
)
def test_uptime(seconds: int, text: str) -> None:
    assert uptime(timedelta(seconds=seconds)) == text


def test_alert_states_and_the_filings_reason_read_in_french() -> None:
    """A French member reads "12 armées, 2 en pause", not the store's state words."""
    filings = FilingsStatus(
        enabled=False,
        off_reason=SEC_CONTACT_MISSING,
        companies=0,
        last_success_at=None,
        last_new_filing_at=None,
        requests_last_hour=0,
        backoff=None,
        last_error=None,
    )
    base = replace(report(0, SummaryStatus(None, None, None)), filings=filings)
    french_report = replace(base, alerts={"armed": 12, "paused": 2, "rearming": 1})
    with speaking("fr"):
        text = json.dumps(status_embeds(french_report), ensure_ascii=False)
    assert "(12 armées, 2 en pause, 1 en réarmement)" in text
    assert "la SEC exige un nom" in text
    assert "armed" not in text and "SEC requires" not in text
    english = json.dumps(status_embeds(french_report), ensure_ascii=False)
    assert "(12 armed, 2 paused, 1 re-arming)" in english
