"""The session option of /alert add: regular hours unless asked, and clear refusals."""

from __future__ import annotations

import pytest

from bot.alerts.model import AlertSession
from bot.alerts.service import check_session
from bot.errors import InvalidInput


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
