"""The filing alert rule: which new filing fires which alert, and what the alert becomes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.alerts.filing_rule import step_filing, step_filings
from bot.alerts.model import AlertKind, AlertState
from bot.filings.model import Filing, Level
from tests.alerts.helpers import T0, alert
from tests.factories import filing

FILING = filing(
    101,
    items=("1.01",),
    filed="2026-11-25",
    accepted=None,
    title=None,
    primary_url=None,
    index_url="https://www.sec.gov/Archives/x-index.htm",
    level=Level.ROUTINE,
    score=0,
    phrases=(),
    figures=(),
    found_at=T0,
)


@pytest.mark.parametrize(
    ("alert_level", "filing_level", "fires"),
    [
        (0, Level.ROUTINE, True),
        (0, Level.LIKELY, True),
        (1, Level.ROUTINE, False),
        (1, Level.POSSIBLE, True),
        (1, Level.LIKELY, True),
        (2, Level.POSSIBLE, False),
        (2, Level.LIKELY, True),
    ],
)
def test_a_filing_fires_an_alert_only_at_or_above_its_level(
    alert_level: int, filing_level: Level, fires: bool
) -> None:
    filing = replace(FILING, level=filing_level)
    stepped = step_filing(alert(AlertKind.FILING, alert_level), filing, now=T0)
    if not fires:
        assert stepped is None
        return
    assert stepped is not None
    after, firing = stepped
    assert firing is not None and firing.filing is filing
    assert after.state is AlertState.FIRED and after.fired_count == 1
    assert after.last_fired_at == T0


def test_a_repeating_alert_fires_for_each_filing_and_stays_armed() -> None:
    second = replace(FILING, accession="0001819989-26-000102")
    changed, firings = step_filings(
        [alert(AlertKind.FILING, 0, repeat=True)], [FILING, second], now=T0
    )
    assert [f.filing.accession for f in firings] == [FILING.accession, second.accession]
    (after,) = changed
    assert after.state is AlertState.ARMED and after.fired_count == 2


def test_a_one_shot_alert_fires_for_the_first_of_two_filings_only() -> None:
    second = replace(FILING, accession="0001819989-26-000102")
    changed, firings = step_filings([alert(AlertKind.FILING, 0)], [FILING, second], now=T0)
    assert [f.filing.accession for f in firings] == [FILING.accession]
    assert changed[0].state is AlertState.FIRED


@pytest.mark.parametrize(
    ("why", "fields", "filing"),
    [
        ("paused", {"state": AlertState.PAUSED}, FILING),
        ("already fired", {"state": AlertState.FIRED}, FILING),
        ("expired", {"expires_at": T0 - timedelta(minutes=1)}, FILING),
        ("another company", {"symbol": "IREN"}, FILING),
        ("a baseline filing", {}, replace(FILING, baseline=True)),
    ],
)
def test_nothing_fires_for(why: str, fields: dict[str, object], filing: Filing) -> None:
    assert step_filing(alert(AlertKind.FILING, 0, **fields), filing, now=T0) is None, why


def test_a_snoozed_alert_lets_the_filing_pass_unposted_and_stays_armed() -> None:
    snoozed = alert(AlertKind.FILING, 0, snoozed_until=T0 + timedelta(hours=1))
    changed, firings = step_filings([snoozed], [FILING], now=T0)
    assert firings == [] and changed == []
    # Once the snooze is over, the next filing fires it.
    later = T0 + timedelta(hours=2)
    _, firings = step_filings([snoozed], [replace(FILING, accession="x-2")], now=later)
    assert len(firings) == 1


def test_a_price_alert_is_not_a_filing_alert() -> None:
    assert step_filing(alert(AlertKind.ABOVE, 60.0), FILING, now=T0) is None
