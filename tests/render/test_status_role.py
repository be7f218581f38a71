"""/status's role line: whether this process runs the global jobs, in each language."""

from __future__ import annotations

from bot.i18n import speaking
from bot.render.status import role_line


def test_the_leader_says_it_runs_the_global_jobs() -> None:
    assert role_line(True) == (
        "Role: leader (this process polls prices and filings and checks the alerts)"
    )


def test_a_standby_says_another_process_runs_them() -> None:
    assert role_line(False) == (
        "Role: standby (another process polls prices and filings and checks the alerts)"
    )


def test_the_line_is_translated() -> None:
    with speaking("fr"):
        assert role_line(True).startswith("Rôle : meneur")
        assert role_line(False).startswith("Rôle : en attente")
