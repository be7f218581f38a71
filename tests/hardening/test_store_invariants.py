"""The store oracle the fuzzers rely on accepts every level a command may store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.alerts.model import AlertKind, AlertState, Basis
from bot.store import Store
from tests.alerts.helpers import T0, new_alert
from tests.hardening.harness import store_invariants

# The edge levels /alert add accepts for each kind (the store's CHECK refuses the rest).
VALID_LEVELS = [
    (AlertKind.ABOVE, None, 16.5),
    (AlertKind.MOVE_PCT, None, 0.1),
    (AlertKind.HIGH52, None, 0.0),
    (AlertKind.MA_CROSS, Basis.MA50, 0.0),
    (AlertKind.CORRELATION, Basis.BTC, -0.95),
    (AlertKind.RELATIVE, Basis.NVDA, 0.1),
    (AlertKind.FILING, None, 0.0),
    (AlertKind.FILING, None, 2.0),
    (AlertKind.EARNINGS, None, 1.0),
]


@pytest.mark.parametrize(("kind", "basis", "level"), VALID_LEVELS)
async def test_oracle_accepts_every_level_a_command_may_store(
    store: Store, kind: AlertKind, basis: Basis | None, level: float
) -> None:
    alert = new_alert(
        kind,
        level,
        basis=basis,
        repeat=False,
        state=AlertState.ARMED,
        expires_at=T0 + timedelta(days=30),
    )
    async with store.db.transaction() as conn:
        await store.alerts.insert(conn, alert)
    report = await store_invariants(store)
    assert report.alerts == 1
    assert report.problems == []
