"""Summing a server's visible contracts into contracted MW and value per host."""

from __future__ import annotations

from typing import Any

import pytest

from bot.ledger.model import Contract
from bot.render.exposure import Exposure, exposures, power_text, value_text
from tests import factories


def contract(host: str = "CIFR", **fields: Any) -> Contract:
    base: dict[str, Any] = {
        "host_symbol": host,
        "counterparty": "Tenant",
        "status_as_of": "2025-11-03",
    }
    return factories.contract(**{**base, **fields})


@pytest.mark.parametrize(
    ("contracts", "mw_it", "gross", "unknown", "value", "approx", "as_of"),
    [
        (
            [contract(mw_critical_it=168, total_contract_value_usd=3e9)],
            168,
            0,
            0,
            3e9,
            False,
            "2025-11-03",
        ),
        (
            [
                contract(mw_critical_it=168, mw_gross=244, total_contract_value_usd=3e9),
                contract(
                    mw_gross=300,
                    total_contract_value_usd=5.5e9,
                    value_exactness="approximate",
                    status_as_of="2025-11-20",
                ),
            ],
            168,
            300,
            0,
            8.5e9,
            True,
            "2025-11-03",  # the oldest status a total relies on
        ),
        ([contract(), contract(mw_critical_it=40)], 40, 0, 1, None, False, "2025-11-03"),
    ],
)
def test_sums_it_first_then_gross(
    contracts: list[Contract],
    mw_it: float,
    gross: float,
    unknown: int,
    value: float | None,
    approx: bool,
    as_of: str,
) -> None:
    (summary,) = exposures(contracts).values()
    assert (summary.mw_it, summary.mw_gross_only, summary.mw_unknown) == (mw_it, gross, unknown)
    assert summary.value_usd == value and summary.value_approx is approx
    assert summary.as_of == as_of and summary.contracts == len(contracts)


def test_terminated_and_removed_contracts_do_not_count() -> None:
    held = exposures(
        [
            contract(mw_critical_it=100, status="terminated"),
            contract(mw_critical_it=50, deleted_at="2026-01-01T00:00:00+00:00"),
            contract("WULF", mw_critical_it=200),
        ]
    )
    assert set(held) == {"WULF"}


@pytest.mark.parametrize(
    ("exposure", "power", "value"),
    [
        (None, "—", "—"),
        (Exposure("X"), "—", "—"),
        (Exposure("X", contracts=1, mw_it=168), "168 MW (IT)", "—"),
        (Exposure("X", contracts=1, mw_gross_only=1400), "1.4 GW (gross)", "—"),
        (Exposure("X", contracts=2, mw_it=10, mw_gross_only=20), "10 MW (IT) + 20 MW (gross)", "—"),
        (
            Exposure("X", contracts=1, value_usd=8.3e8, value_approx=True, mw_unknown=1),
            "—",
            "~$830M",
        ),
    ],
)
def test_texts(exposure: Exposure | None, power: str, value: str) -> None:
    assert power_text(exposure) == power
    assert value_text(exposure) == value
