"""The summary's listed sections (contract changes, fired alerts) within their budget.

Whatever the sections hold, every line that fits is shown, and "… and N more" counts exactly
the lines left out.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.alerts.model import Alert
from bot.ledger.changes import Change
from bot.ledger.model import HistoryEntry
from bot.limits import EMBED_DESCRIPTION as DESCRIPTION_LIMIT
from bot.limits import EMBED_TOTAL as MAX_EMBED_TEXT
from bot.market.models import DataSource
from bot.render.summary import (
    ContractChange,
    alert_line,
    change_line,
    lines_within,
    total_text,
)
from bot.summary.compose import SAFETY, SharedParts, compose_summary
from bot.summary.data import ServerInputs
from tests import factories

NOW = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)
ALERTS_TITLE = "Alerts fired in the last 24 hours"
MORE = re.compile(r"^… and (\d+) more")


def alert(n: int, owner: int = 1000) -> Alert:
    return factories.fired_alert(n, NOW, owner=owner)


def change(n: int, counterparty: str = "Fluidstack") -> ContractChange:
    contract = factories.contract(
        id=n,
        guild_id=1,
        origin="server",
        counterparty=counterparty,
        status_as_of="2026-11-01",
        mw_critical_it=168.0,
    )
    entry = HistoryEntry(n, NOW.isoformat(), 42, "user:42", "create", None, None, None)
    return ContractChange(contract, Change(n, n, n, (entry,)))


def shared(filler: int) -> SharedParts:
    """A shared part of known size: ``filler`` characters of board."""
    return SharedParts(
        board=({"title": "Miners board", "description": "x" * filler},),
        movers={"title": "Top movers · 1D", "description": "None."},
        leaderboard={"title": "Leaderboard", "description": "None."},
        market_lines=("**BTC-USD** $91,000.00 (+1.11 %)", "**NVDA** $180.00 (+1.12 %)"),
        colour_change=1.0,
        prices_as_of=NOW,
        source=DataSource.DEMO,
        chart=None,
        chart_notes=(),
        chart_as_of=None,
    )


def section(embeds: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    return next(e for e in embeds if str(e["title"]).startswith(prefix))


def shown_and_counted(body: str, lines: list[str]) -> tuple[int, int]:
    """Return how many of ``lines`` ``body`` shows (a prefix) and how many it says are left."""
    if body == "None.":
        return 0, 0
    parts = body.split("\n")
    last = MORE.match(parts[-1])
    shown = parts[:-1] if last else parts
    assert shown == lines[: len(shown)], "the lines shown are the first ones, whole"
    return len(shown), int(last.group(1)) if last else 0


def test_one_fired_alert_and_one_change_are_listed_not_counted() -> None:
    server = ServerInputs((change(1),), None, (alert(7),), history_id=1)
    embeds = compose_summary(shared(100), server, day=NOW.date()).payload["embeds"]
    alerts = section(embeds, ALERTS_TITLE)["description"]
    changes = section(embeds, "Contracts added")["description"]
    assert alerts == alert_line(alert(7)) and "more" not in alerts
    assert changes == change_line(change(1)) and "more" not in changes


lines_strategy = st.lists(
    st.text(st.characters(codec="utf-8", exclude_characters="\n"), max_size=90)
)


@settings(max_examples=300, deadline=None)
@given(lines=lines_strategy, limit=st.integers(min_value=-5, max_value=DESCRIPTION_LIMIT + 50))
def test_lines_within_shows_every_line_that_fits_and_counts_the_rest(
    lines: list[str], limit: int
) -> None:
    more = "… and {n} more"
    body = lines_within(lines, limit, more)
    room = max(0, min(limit, DESCRIPTION_LIMIT))
    assert len(body) <= room
    whole = "\n".join(lines)
    if len(whole) <= room:
        assert body == whole
        return
    if not body:  # not even the count fits
        assert len(more.format(n=len(lines))) > room
        return
    parts = body.split("\n")
    kept = len(parts) - 1
    assert parts[:kept] == lines[:kept]
    assert parts[-1] == more.format(n=len(lines) - kept)  # exactly the lines left out
    # One more line would not have fitted with its count.
    bigger = "\n".join([*lines[: kept + 1], more.format(n=len(lines) - kept - 1)])
    assert kept + 1 == len(lines) or len(bigger) > room


@settings(max_examples=150, deadline=None)
@given(
    alerts=st.integers(min_value=0, max_value=120),
    changes=st.lists(
        st.text(st.characters(exclude_categories=["Cc", "Cs"]), min_size=1, max_size=120),
        max_size=60,
    ),
    filler=st.integers(min_value=0, max_value=4_000),
)
def test_composed_sections_show_what_fits_and_count_what_does_not(
    alerts: int, changes: list[str], filler: int
) -> None:
    fired = [alert(n, owner=10**17) for n in range(alerts)]
    changed = [change(n, counterparty) for n, counterparty in enumerate(changes)]
    server = ServerInputs(tuple(changed), None, tuple(fired), history_id=1)
    embeds = compose_summary(shared(filler), server, day=NOW.date()).payload["embeds"]
    assert total_text(embeds) <= MAX_EMBED_TEXT
    alert_lines = [alert_line(a) for a in fired]
    change_lines = [change_line(c) for c in changed]
    results = []
    for prefix, lines in ((ALERTS_TITLE, alert_lines), ("Contracts added", change_lines)):
        embed = section(embeds, prefix)
        shown, counted = shown_and_counted(embed["description"], lines)
        assert shown + counted == len(lines)  # the count is exactly what was left out
        results.append((embed, lines, shown))
    free = MAX_EMBED_TEXT - SAFETY - total_text(embeds)
    cut = [(embed, lines, shown) for embed, lines, shown in results if shown < len(lines)]
    if len(cut) == 1:
        # One list is cut: its next line (with the shorter count) needed more than was free
        embed, lines, shown = cut[0]
        count = embed["description"].split("\n")[-1]
        body = "\n".join(lines[: shown + 1])
        if shown + 1 < len(lines):
            body += "\n" + MORE.sub(f"… and {len(lines) - shown - 1} more", count)
        # (or would not have fitted one description: 4,096 characters).
        assert len(body) - len(embed["description"]) > free or len(body) > DESCRIPTION_LIMIT
    elif not cut:
        assert all(len(e["description"]) <= DESCRIPTION_LIMIT for e, _, _ in results)
