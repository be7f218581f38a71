"""Valuation per MW against hand calculations, unknowns, DEMO propagation and footnotes."""

from __future__ import annotations

from typing import Any

import pytest

from bot.ledger.valuation import ValuationInputs, valuation
from bot.render.valuation import valuation_board_pages, valuation_lines
from tests.factories import contract
from tests.hardening.harness import live_markup

# Three binding deals of one host, one listed-only deal, and another host's deal:
#   #1 lease, Fluidstack, 168 MW IT, $3.0B over 10 years, energised
#   #2 lease, AWS, 300 MW IT, $5.5B over 15 years, signed
#   #3 JV at 50 %, Fluidstack, 200 MW IT, $1.0B (no term): 100 MW and $0.5B attributable
#   #4 a target (never counted); #5 another host's lease
DEALS = (
    contract(
        id=1,
        mw_critical_it=168,
        total_contract_value_usd=3.0e9,
        term_years=10,
        status="energized",
        status_as_of="2025-12-01",
    ),
    contract(
        id=2,
        counterparty="AWS",
        mw_critical_it=300,
        total_contract_value_usd=5.5e9,
        term_years=15,
        status_as_of="2025-11-03",
    ),
    contract(
        id=3,
        deal_kind="joint_venture",
        host_share_pct=50,
        mw_critical_it=200,
        total_contract_value_usd=1.0e9,
    ),
    contract(id=4, value_kind="target", mw_critical_it=500, total_contract_value_usd=9e9),
    contract(id=5, host_symbol="WULF", mw_critical_it=200, total_contract_value_usd=3.7e9),
)


def inputs(**overrides: Any) -> ValuationInputs:
    values: dict[str, Any] = {
        "symbol": "CIFR",
        "market_cap": 6.0e9,
        "market_cap_as_of": "2026-11-25",
        "market_cap_demo": False,
        "total_debt": 1.2e9,
        "cash": 0.45e9,
        "balance_sheet_as_of": "2026-09-30",
        "balance_sheet_demo": False,
        "contracts": DEALS,
    }
    values.update(overrides)
    return ValuationInputs(**values)


def test_every_figure_matches_the_hand_calculation_to_the_cent() -> None:
    v = valuation(inputs())
    # EV = 6,000,000,000 + 1,200,000,000 − 450,000,000
    assert v.enterprise_value.value == pytest.approx(6_750_000_000.00, abs=0.005)
    # Counted MW: 168 + 300 + 200 × 50 % = 568; value: 3.0B + 5.5B + 0.5B = 9.0B
    assert v.contracted_mw.value == pytest.approx(568.0)
    assert v.contracted_value.value == pytest.approx(9_000_000_000.00, abs=0.005)
    # 6.75B ÷ 568 MW = 11,883,802.816901... → $11,883,802.82 per MW
    assert round(v.ev_per_contracted_mw.value or 0, 2) == 11_883_802.82
    # Energised: deal #1 only, 168 MW → 6.75B ÷ 168 = 40,178,571.428571...
    assert round(v.ev_per_energised_mw.value or 0, 2) == 40_178_571.43
    # Leases only: (3.0B ÷ 10 + 5.5B ÷ 15) ÷ (168 + 300) = 666,666,666.67 ÷ 468 = 1,424,501.42
    assert round(v.revenue_per_mw_year.value or 0, 2) == 1_424_501.42
    # 9.0B ÷ 6.75B = 1.3333...
    assert round(v.value_to_ev.value or 0, 4) == 1.3333


def test_tenant_concentration_comes_from_the_counted_capacity() -> None:
    v = valuation(inputs())
    shares = {t.tenant: round(t.fraction * 100, 2) for t in v.tenants}
    # Fluidstack: 168 + 100 = 268 of 568 MW; AWS: 300 of 568 (the target is not counted).
    assert shares == {"AWS": 52.82, "Fluidstack": 47.18}
    assert v.tenants[0].tenant == "AWS"


@pytest.mark.parametrize(
    ("missing", "named"),
    [("market_cap", "market cap"), ("total_debt", "total debt"), ("cash", "cash")],
)
def test_a_missing_input_makes_ev_and_everything_built_on_it_unknown(
    missing: str, named: str
) -> None:
    v = valuation(inputs(**{missing: None}))
    assert v.enterprise_value.value is None
    assert v.enterprise_value.missing == (named,)
    for fig in (v.ev_per_contracted_mw, v.ev_per_energised_mw, v.value_to_ev):
        assert fig.value is None and named in fig.missing
    # Figures that do not need EV are still known.
    assert v.revenue_per_mw_year.value is not None
    text = "\n".join(valuation_lines(v))
    assert f"**EV** unknown (no {named})" in text
    assert "$6B" not in text.split("[1]")[0]  # never the market cap in disguise


def test_no_energised_capacity_leaves_ev_per_energised_mw_unknown() -> None:
    v = valuation(inputs(contracts=DEALS[1:]))
    assert v.ev_per_energised_mw.value is None
    assert "energised MW" in v.ev_per_energised_mw.missing


def test_a_host_without_counted_deals_has_no_per_mw_figures() -> None:
    v = valuation(inputs(symbol="HUT"))
    assert v.enterprise_value.value is not None
    assert v.ev_per_contracted_mw.value is None
    assert v.revenue_per_mw_year.value is None
    assert v.tenants == ()


@pytest.mark.parametrize("demo_input", ["market_cap_demo", "balance_sheet_demo"])
def test_a_demo_input_makes_every_derived_figure_demo(demo_input: str) -> None:
    v = valuation(inputs(**{demo_input: True}))
    for fig in (v.enterprise_value, v.ev_per_contracted_mw, v.value_to_ev):
        assert fig.demo
    assert not v.revenue_per_mw_year.demo  # the ledger alone: not synthetic
    lines = valuation_lines(v)
    assert "[DEMO]" in lines[0]
    page = valuation_board_pages([v], demo=False)[0]
    assert page["title"].startswith("[DEMO]")


def test_footnotes_name_every_input_with_its_as_of_date() -> None:
    lines = valuation_lines(valuation(inputs()))
    notes = [line for line in lines if line.startswith("[")]
    assert notes[0] == (
        "[1] EV = market cap + total debt − cash; inputs: market cap (as of 2026-11-25), "
        "total debt (as of 2026-09-30), cash (as of 2026-09-30)"
    )
    # EV per MW names EV's inputs and the ledger, dated by the oldest status it relies on.
    assert notes[1].endswith(
        "inputs: market cap (as of 2026-11-25), total debt (as of 2026-09-30), "
        "cash (as of 2026-09-30), contracted MW (as of 2025-11-03)"
    )
    assert "energised MW (as of 2025-12-01)" in notes[2]
    assert "lease value, term and MW (as of 2025-11-03)" in notes[3]
    assert "contract value (as of 2025-11-03)" in notes[4]
    figures = "\n".join(lines)
    assert "**EV** $6.75B [1]" in figures
    assert "**EV / contracted MW** $11.9M/MW [2]" in figures
    assert "**Revenue / MW / yr** $1.42M/MW/yr [4]" in figures
    assert "**Tenant concentration** 53 % AWS, 47 % Fluidstack (of 568 MW counted)" in figures


def test_the_valuation_board_puts_the_cheapest_megawatts_first() -> None:
    cifr = valuation(inputs())
    wulf = valuation(inputs(symbol="WULF", market_cap=4.0e9, total_debt=0.2e9, cash=0.6e9))
    unknown = valuation(inputs(symbol="RIOT", cash=None))
    page = valuation_board_pages([cifr, unknown, wulf], demo=False)[0]
    table = page["description"].split("```")[1].strip().splitlines()
    assert [row.split()[0] for row in table[1:]] == ["CIFR", "WULF", "RIOT"]
    # WULF: (4.0B + 0.2B − 0.6B) ÷ 200 MW = $18M per MW, after CIFR's $11.9M.
    assert "$18M" in table[2]
    assert "balance sheets as of 2026-09-30" in page["description"]


def test_a_hostile_tenant_name_is_shown_inertly() -> None:
    hostile = contract(
        id=9, counterparty="@everyone <@&1> [free](https://evil.example)", mw_critical_it=10
    )
    v = valuation(inputs(contracts=(hostile,)))
    assert v.tenants[0].fraction == 1.0
    assert live_markup("\n".join(valuation_lines(v))) == []
    table = valuation_board_pages([v], demo=False)[0]["description"].split("```")[1]
    assert live_markup(table.replace("`", "")) == []
