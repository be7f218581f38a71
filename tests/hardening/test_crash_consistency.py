"""SIGKILL a process writing through the store at random points: nothing torn, nothing lost."""

from __future__ import annotations

import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

ROUNDS = 6
START_TIMEOUT_S = 30.0


def run_until_killed(db: Path, seed: int, rng: random.Random) -> list[str]:
    """Start the writer, let it commit for a random while, SIGKILL it; return what it reported."""
    writer = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "tests.hardening.crash_writer", str(db), str(seed)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    lines: list[str] = []
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while "ready" not in lines:
            assert time.monotonic() < deadline, "the writer never got ready"
            ready, _, _ = select.select([writer.stdout], [], [], 0.5)
            if ready:
                line = writer.stdout.readline()
                assert line, f"the writer died: {writer.stderr.read() if writer.stderr else ''}"
                lines.append(line.strip())
        time.sleep(rng.uniform(0.05, 0.8))
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        out, _ = writer.communicate(timeout=10)
    assert writer.returncode == -signal.SIGKILL
    return lines + [line.strip() for line in out.splitlines() if line.strip()]


def check(db: Path, reported: list[str]) -> dict[str, int]:
    """Check integrity, the links between tables, and that every reported commit survived."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []

        def ids(query: str) -> set[int]:
            return {row[0] for row in conn.execute(query)}

        contracts = ids("SELECT id FROM contracts")
        created = ids("SELECT contract_id FROM contract_history WHERE action = 'create'")
        assert contracts == created, "a contract without its history, or history without it"
        removed = ids("SELECT id FROM contracts WHERE deleted_at IS NOT NULL")
        assert removed == ids("SELECT contract_id FROM contract_history WHERE action = 'delete'")
        # A firing and its message commit together: fired_count = messages linked.
        torn = conn.execute(
            """
            SELECT a.id, a.fired_count, count(l.outbox_id) FROM alerts a
            LEFT JOIN outbox_alerts l ON l.alert_id = a.id
            GROUP BY a.id HAVING a.fired_count != count(l.outbox_id)
            """
        ).fetchall()
        assert not torn, f"alerts fired without their message (or the reverse): {torn[:5]}"
        unlinked = conn.execute(
            """
            SELECT o.id FROM outbox o WHERE o.kind = 'alert'
              AND NOT EXISTS (SELECT 1 FROM outbox_alerts l WHERE l.outbox_id = o.id)
            """
        ).fetchall()
        assert not unlinked, f"alert messages no alert points to: {unlinked[:5]}"
        half_delivered = conn.execute(
            "SELECT id FROM outbox WHERE state = 'delivered' "
            "AND (message_id IS NULL OR delivered_at IS NULL)"
        ).fetchall()
        assert not half_delivered
        fired_states = conn.execute(
            "SELECT count(*) FROM alerts WHERE state = 'fired' AND fired_count = 0"
        ).fetchone()
        assert fired_states == (0,)
        alerts = ids("SELECT id FROM alerts")
        delivered = ids("SELECT id FROM outbox WHERE state = 'delivered'")
        for line in reported:
            kind, _, rest = line.partition(" ")
            if kind == "contract":
                assert int(rest) in contracts, f"committed {line}, lost after the kill"
            elif kind == "alert":
                assert int(rest) in alerts, f"committed {line}, lost after the kill"
            elif kind == "removed":
                assert int(rest) in removed, f"committed {line}, lost after the kill"
            elif kind == "delivered":
                assert int(rest) in delivered, f"committed {line}, lost after the kill"
        return {
            "contracts": len(contracts),
            "alerts": len(alerts),
            "messages": len(ids("SELECT id FROM outbox")),
            "fired": conn.execute("SELECT coalesce(sum(fired_count), 0) FROM alerts").fetchone()[0],
        }
    finally:
        conn.close()


@pytest.mark.slow
def test_sigkill_during_writes_leaves_a_consistent_store(tmp_path: Path) -> None:
    """Six kills at random points, each followed by a restart on the same file."""
    db = tmp_path / "crash.sqlite3"
    rng = random.Random(20261125)
    reported: list[str] = []
    counts: dict[str, int] = {}
    for round_ in range(ROUNDS):
        reported += run_until_killed(db, round_, rng)
        counts = check(db, reported)
    ops = sum(1 for line in reported if line != "ready")
    print(f"\ncrash test: {ROUNDS} kills, {ops} committed operations survived; {counts}")
    assert counts["contracts"] > 0 and counts["alerts"] > 0 and counts["fired"] > 0
