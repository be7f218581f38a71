"""Filing alerts on a real store: created only for a company with a CIK, fired in the
transaction that stores the filing, each post queued once."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.alerts.filing_alerts import FilingAlertHook
from bot.alerts.model import AlertState
from bot.alerts.service import AlertService
from bot.errors import InvalidInput
from bot.filings.model import Level
from bot.outbox.model import Destination
from bot.store import Store
from tests.alerts.helpers import CHANNEL, MEMBER, OWNER, T0
from tests.alerts.test_filing_rule import FILING


@pytest.fixture
def filing_service(seeded_store: Store, service: AlertService) -> AlertService:
    return replace(service, store=seeded_store)


async def add_filing_alert(service: AlertService, value: float | None, **options: object) -> int:
    result = await service.create(
        MEMBER,
        channel_id=CHANNEL,
        symbol="CIFR",
        condition="filing",
        value=value,
        quote=None,
        **options,  # type: ignore[arg-type]
    )
    return result.alert.id


async def test_a_company_without_a_cik_is_refused_and_nothing_is_stored(
    filing_service: AlertService, seeded_store: Store
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await filing_service.create(
            MEMBER, channel_id=CHANNEL, symbol="RIOT", condition="filing", value=None, quote=None
        )
    assert "filings are not watched for RIOT: no CIK" in str(refused.value)
    assert await filing_service.list_alerts(MEMBER) == []


@pytest.mark.parametrize("value", [-1, 0.5, 3, float("nan")])
async def test_a_level_outside_0_to_2_is_refused_naming_the_bounds(
    filing_service: AlertService, value: float
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await add_filing_alert(filing_service, value)
    assert "between 0 and 2" in str(refused.value)
    assert await filing_service.list_alerts(MEMBER) == []


async def test_the_hook_fires_in_the_callers_transaction_and_queues_each_post_once(
    filing_service: AlertService, seeded_store: Store
) -> None:
    likely_only = await add_filing_alert(filing_service, 2)
    by_dm = await add_filing_alert(filing_service, 0, dm=True, repeat=True)
    hook = FilingAlertHook(seeded_store)
    routine, likely = FILING, replace(FILING, accession="0001819989-26-000102", level=Level.LIKELY)
    async with seeded_store.db.transaction() as conn:
        first = await hook(conn, [routine, likely], T0)
    async with seeded_store.db.transaction() as conn:
        again = await hook(conn, [routine, likely], T0)  # a replayed poll
    assert len(first) == 3 and again == []
    rows = {row.dedupe_key: row for row in await seeded_store.outbox.rows()}
    assert set(rows) == {
        f"alert:{by_dm}:{routine.accession}",
        f"alert:{by_dm}:{likely.accession}",
        f"alert:{likely_only}:{likely.accession}",
    }
    assert rows[f"alert:{by_dm}:{routine.accession}"].destination == Destination.dm(OWNER)
    channel_post = rows[f"alert:{likely_only}:{likely.accession}"]
    assert channel_post.destination == Destination.channel(CHANNEL)
    fired = await seeded_store.alerts.get(likely_only)
    repeating = await seeded_store.alerts.get(by_dm)
    assert fired is not None and fired.state is AlertState.FIRED
    assert repeating is not None and repeating.state is AlertState.ARMED
    assert repeating.fired_count == 2


async def test_a_crash_before_the_commit_leaves_the_alert_armed_and_nothing_queued(
    filing_service: AlertService, seeded_store: Store
) -> None:
    alert_id = await add_filing_alert(filing_service, None)
    assert await seeded_store.alerts.active_symbols() == set()  # no price is polled for it
    hook = FilingAlertHook(seeded_store)
    with pytest.raises(RuntimeError):
        async with seeded_store.db.transaction() as conn:
            await hook(conn, [FILING], T0)
            raise RuntimeError("the process stops before the commit")
    assert await seeded_store.outbox.rows() == []
    alert = await seeded_store.alerts.get(alert_id)
    assert alert is not None and alert.state is AlertState.ARMED
    async with seeded_store.db.transaction() as conn:  # the next poll finds it again
        assert len(await hook(conn, [FILING], T0)) == 1
