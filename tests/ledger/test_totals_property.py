"""Over generated ledgers: totals are the sum of the attributable, counted rows, nothing else."""

from __future__ import annotations

import math
import re
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ledger.model import Contract
from bot.ledger.vocab import CONFIDENCES, DEAL_KINDS, EXACTNESSES, STATUSES, VALUE_KINDS
from bot.render.exposure import exposures
from bot.render.leaderboard import Metric, leaderboard_embed

HOSTS = ("CIFR", "WULF", "IREN")
BINDING = {"signed", "under_construction", "partially_energized", "energized"}
COUNTED_KINDS = {"lease", "gpu_cloud_services", "joint_venture"}

money = st.one_of(st.none(), st.floats(min_value=1e6, max_value=5e10))
power = st.one_of(st.none(), st.floats(min_value=1, max_value=2000))


@st.composite
def contracts(draw: st.DrawFn, contract_id: int) -> Contract:
    kind = draw(st.sampled_from(DEAL_KINDS))
    return Contract(
        id=contract_id,
        key=None,
        guild_id=None,
        origin=draw(st.sampled_from(("seed", "user"))),
        host_symbol=draw(st.sampled_from(HOSTS)),
        counterparty=f"Tenant {contract_id}",
        status=draw(st.sampled_from(STATUSES)),
        status_as_of=draw(st.sampled_from(("2025", "2025-11", "2026-03-16"))),
        confidence=draw(st.sampled_from(CONFIDENCES)),
        deal_kind=kind,
        value_kind=draw(st.sampled_from(VALUE_KINDS)),
        value_exactness=draw(st.sampled_from(EXACTNESSES)),
        total_contract_value_usd=draw(money),
        optional_value_usd=draw(money),
        tcv_with_extensions_usd=draw(money),
        host_share_pct=draw(st.floats(min_value=1, max_value=100))
        if kind == "joint_venture"
        else None,
        mw_critical_it=draw(power),
        mw_gross=draw(power),
        term_years=draw(st.one_of(st.none(), st.floats(min_value=1, max_value=30))),
        deleted_at=draw(st.sampled_from((None, None, "2026-01-01T00:00:00+00:00"))),
    )


ledgers = st.integers(min_value=0, max_value=25).flatmap(
    lambda n: st.tuples(*(contracts(i) for i in range(1, n + 1)))
)


def counted_by_the_rules(contract: Contract) -> bool:
    """The rules as the issue states them, written out independently of the code under test."""
    return (
        contract.deleted_at is None
        and contract.status in BINDING
        and contract.deal_kind in COUNTED_KINDS
        and contract.value_kind == "contracted_revenue"
    )


def share(contract: Contract) -> float:
    return (contract.host_share_pct or 100.0) / 100


@settings(max_examples=300, deadline=None)
@given(ledgers)
def test_totals_are_the_sum_of_attributable_counted_rows(ledger: tuple[Contract, ...]) -> None:
    totals = exposures(ledger)
    for host in HOSTS:
        rows = [c for c in ledger if c.host_symbol == host and counted_by_the_rules(c)]
        total = totals.get(host)
        if not rows:
            assert total is None
            continue
        assert total is not None and total.contracts == len(rows)
        values = [c.total_contract_value_usd * share(c) for c in rows if c.total_contract_value_usd]
        if values:
            assert total.value_usd is not None
            assert math.isclose(total.value_usd, sum(values), rel_tol=1e-9)
        else:
            assert total.value_usd is None
        it = sum(c.mw_critical_it * share(c) for c in rows if c.mw_critical_it is not None)
        gross = sum(
            c.mw_gross * share(c)
            for c in rows
            if c.mw_critical_it is None and c.mw_gross is not None
        )
        assert math.isclose(total.mw_it, it, abs_tol=1e-6)
        assert math.isclose(total.mw_gross_only, gross, abs_tol=1e-6)
        floors = any(
            c.value_exactness in ("floor", "range") for c in rows if c.total_contract_value_usd
        )
        assert total.value_floor is floors


@settings(max_examples=200, deadline=None)
@given(ledgers)
def test_excluded_rows_never_reach_a_total(ledger: tuple[Contract, ...]) -> None:
    # Inflating every excluded row's figures a thousandfold changes no total.
    inflated = tuple(
        c
        if counted_by_the_rules(c)
        else replace(
            c,
            total_contract_value_usd=(c.total_contract_value_usd or 1e6) * 1000,
            mw_critical_it=(c.mw_critical_it or 1) * 1000,
        )
        for c in ledger
    )
    assert exposures(inflated) == exposures(ledger)
    for metric in (Metric.MW, Metric.VALUE):
        assert leaderboard_embed(metric, inflated) == leaderboard_embed(metric, ledger)


@settings(max_examples=200, deadline=None)
@given(ledgers)
def test_price_per_mw_tables_never_mix_kinds(ledger: tuple[Contract, ...]) -> None:
    by_id = {c.id: c for c in ledger}
    tables = {
        "__Colocation / powered-shell leases__": "lease",
        "__GPU-cloud services (the price includes the GPUs)__": "gpu_cloud_services",
        "__Joint ventures (whole deal)__": "joint_venture",
    }
    description = leaderboard_embed(Metric.USD_PER_MW_YEAR, ledger)["description"]
    kind = None
    for line in description.splitlines():
        if line in tables:
            kind = tables[line]
            continue
        found = re.search(r"\(#(\d+)\)", line)
        if found:
            contract = by_id[int(found.group(1))]
            assert contract.deal_kind == kind
            assert counted_by_the_rules(contract) and contract.confidence != "low"
