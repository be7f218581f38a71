"""The session option of /alert add: regular hours unless asked, and clear refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.alerts.model import AlertSession
from bot.alerts.service import check_session
from bot.errors import InvalidInput
from bot.i18n import speaking
from bot.render.alert_replies import alert_line
from tests import factories


def test_no_session_means_regular_hours() -> None:
    assert check_session(None, "above") is AlertSession.REGULAR
    assert check_session(" Extended ", "move_pct") is AlertSession.EXTENDED


@pytest.mark.parametrize(
    ("session", "condition", "problem"),
    [
        ("overnight", "above", "session: must be regular or extended (got 'overnight')"),
        (
            "extended",
            "earnings",
            "session: earnings alerts do not follow trades, so they have no session",
        ),
    ],
)
def test_a_session_that_cannot_apply_is_refused_with_the_reason(
    session: str, condition: str, problem: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_session(session, condition)
    assert caught.value.problems == (problem,)


def test_alert_list_says_when_an_alert_follows_extended_hours() -> None:
    """/alert list marks an alert that fires on pre- and post-market trades; regular hours go
    unsaid, as they are the default."""
    now = datetime(2026, 12, 3, 21, 0, tzinfo=UTC)
    extended = factories.alert(session=AlertSession.EXTENDED)
    regular = factories.alert(session=AlertSession.REGULAR)
    assert "pre- and post-market too" in alert_line(extended, now, owner=False)
    assert "market" not in alert_line(regular, now, owner=False)
    with speaking("fr"):
        assert "pré-ouverture et après-clôture aussi" in alert_line(extended, now, owner=False)
