"""The PostgreSQL store's surroundings: the doctor's store check, and the test cluster's
rule (a clear skip on a developer's machine without PostgreSQL, a failure in CI)."""

from __future__ import annotations

import socket

import pytest

from bot.deploy.doctor import check_store
from bot.store.db import discover_migrations
from tests.postgres import Cluster, pg_database, running


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_doctor_checks_a_postgresql_store(pg_cluster: Cluster | str) -> None:
    async with pg_database(running(pg_cluster)) as url:
        (finding,) = await check_store(url)
    assert finding.level == "ok"
    assert finding.text.endswith(f"at schema version {discover_migrations()[-1].version}")
    assert finding.text.startswith("postgresql://")


async def test_the_doctor_names_an_unreachable_postgresql_store_without_its_password() -> None:
    url = f"postgresql://minerwatch:s3cret@127.0.0.1:{closed_port()}/minerwatch"
    (finding,) = await check_store(url)
    assert finding.level == "fail"
    assert "cannot connect to the store postgresql://minerwatch:***@127.0.0.1" in finding.text
    assert "s3cret" not in finding.text


def test_without_postgresql_a_developer_gets_one_skip_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL store tests not run: initdb"):
        running("PostgreSQL store tests not run: initdb and pg_ctl were not found")


def test_without_postgresql_ci_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true: PostgreSQL must run in CI"):
        running("PostgreSQL store tests not run: initdb and pg_ctl were not found")
