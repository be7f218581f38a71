"""What counts, at which share, and when a status may be stale: the rules behind every total."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.ledger.consistency import consistency_problems
from bot.ledger.counting import (
    attributable_mw,
    attributable_value,
    delivery_due,
    derived_annual,
    is_counted,
    is_ranked,
    not_counted_reason,
    oldest_date,
    per_mw_year,
    stale_reason,
)
from bot.ledger.model import Contract
from bot.render.exposure import exposures, value_text
from tests import factories

TODAY = date(2026, 12, 4)


def deal(**values: Any) -> Contract:
    return factories.contract(**{"host_symbol": "WULF", "status_as_of": "2026-11-01", **values})


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({}, None),
        ({"deal_kind": "gpu_cloud_services"}, None),
        ({"deal_kind": "joint_venture", "host_share_pct": 51.0}, None),
        (
            {"deal_kind": "acquisition_investment", "value_kind": "purchase_price"},
            "acquisition / investment",
        ),
        ({"deal_kind": "partnership_mou"}, "partnership / MOU"),
        ({"value_kind": "target"}, "target"),
        ({"status": "announced"}, "not yet binding"),
        ({"status": "conditional"}, "not yet binding"),
        ({"status": "terminated"}, "terminated"),
    ],
)
def test_what_counts(values: dict[str, Any], reason: str | None) -> None:
    contract = deal(total_contract_value_usd=1e9, **values)
    assert not_counted_reason(contract) == reason
    assert is_counted(contract) is (reason is None)


def test_a_joint_venture_counts_at_the_host_share() -> None:
    jv = deal(
        deal_kind="joint_venture",
        host_share_pct=51.0,
        mw_critical_it=168.0,
        total_contract_value_usd=9.5e9,
    )
    assert attributable_mw(jv) == pytest.approx((85.68, "IT"))
    assert attributable_value(jv) == pytest.approx(4.845e9)
    (total,) = exposures([jv]).values()
    assert total.mw_it == pytest.approx(85.68) and total.value_usd == pytest.approx(4.845e9)
    assert total.partial_share == 1


def test_a_floor_counts_at_the_floor_and_marks_the_total() -> None:
    floor = deal(total_contract_value_usd=10e9, value_exactness="floor", term_years=12.0)
    assert derived_annual(floor) == pytest.approx(833_333_333.33)
    (total,) = exposures([floor, deal(total_contract_value_usd=1e9)]).values()
    assert total.value_usd == 11e9
    assert value_text(total) == "> $11B"


def test_a_vanishing_term_or_power_leaves_the_yearly_figures_unknown() -> None:
    # 1e13 over 5e-324 years overflows to infinity: that is not a figure anyone announced.
    tiny_term = deal(total_contract_value_usd=1e13, term_years=5e-324, mw_critical_it=100.0)
    assert derived_annual(tiny_term) is None and per_mw_year(tiny_term) is None
    tiny_mw = deal(total_contract_value_usd=1e13, term_years=1.0, mw_critical_it=5e-324)
    assert derived_annual(tiny_mw) == 1e13 and per_mw_year(tiny_mw) is None


def test_low_confidence_rows_count_in_totals_but_are_never_ranked() -> None:
    low = deal(confidence="low", total_contract_value_usd=1e9)
    assert is_counted(low) and not is_ranked(low)
    assert is_ranked(deal(confidence="medium"))


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("2026-09-30", date(2026, 9, 30)),
        ("2027-01", date(2027, 1, 31)),
        ("H2 2026", date(2026, 12, 31)),
        ("Phased Q1-Q3 2025", date(2025, 9, 30)),
        ("Two tranches: Dec 2025 and Feb 2026", date(2026, 2, 28)),
        ("Phase 1 in July 2026, completion in Q4 2026", date(2026, 12, 31)),
        ("From early 2027", date(2027, 4, 30)),
        ("About 40 MW in H1 2026; all of the 200+ MW by end-2026", date(2026, 12, 31)),
        ("Phased through 2026", date(2026, 12, 31)),
        ("when the tenant is ready", None),
        (None, None),
    ],
)
def test_expected_delivery_is_read_from_free_text(text: str | None, due: date | None) -> None:
    assert delivery_due(text) == due


@pytest.mark.parametrize(
    ("values", "stale"),
    [
        ({"status_as_of": "2026-11-01"}, False),
        ({"status_as_of": "2026-05-01"}, True),  # more than 180 days ago
        ({"status_as_of": "2026-11-01", "expected_delivery": "Q3 2026"}, False),
        ({"status_as_of": "2026-08-01", "expected_delivery": "2026-09-30"}, True),
        ({"status_as_of": "2025", "status": "energized"}, False),  # nothing more is due
        ({"status_as_of": "2025-10-30", "status": "terminated"}, False),
    ],
)
def test_status_may_be_stale(values: dict[str, Any], stale: bool) -> None:
    assert (stale_reason(deal(**values), TODAY) is not None) is stale


def test_the_oldest_date_reads_a_bare_year_from_its_start() -> None:
    assert oldest_date(["2025-03-01", "2025", "2026-01-01", None]) == "2025"
    assert oldest_date(["2025-11", "2025-10-30"]) == "2025-10-30"
    assert oldest_date([]) is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"deal_kind": "joint_venture"}, "host_share_pct"),
        ({"deal_kind": "lease", "host_share_pct": 40.0}, "host_share_pct"),
        ({"deal_kind": "lease", "value_exactness": "floor"}, "value_exactness"),
        (
            {"deal_kind": "lease", "value_exactness": "range", "total_contract_value_usd": 5e9},
            "value_high_usd",
        ),
        (
            {"deal_kind": "acquisition_investment", "total_contract_value_usd": 1.68e8},
            "value_kind",
        ),
        ({"deal_kind": "lease", "deal_type": "joint_venture"}, "deal_kind"),
        ({"deal_kind": "lease", "annualised_revenue_basis": "derived"}, "annualised_revenue_basis"),
    ],
)
def test_fields_that_contradict_each_other(values: dict[str, Any], field: str) -> None:
    assert [p.field for p in consistency_problems(values)] == [field]
