"""Hashprice: the formula against a worked example, and how it reads."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from bot.network.hashprice import Hashprice, NetworkStats, blocks_per_ph_day, hashprice_usd
from bot.render.economics import hashprice_text
from bot.render.hashprice import hashprice_detail, hashprice_short

AT = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def test_worked_example_at_the_april_2024_halving() -> None:
    """Difficulty 86,388,558,925,171 (set at block 840,000), subsidy 3.125 BTC, no fees,
    BTC at $63,800.

    Blocks per PH/s per day = 10^15 × 86,400 ÷ (86,388,558,925,171 × 2^32) = 0.000232861...
    × 3.125 BTC × $63,800 = $46.43 per PH/s per day.
    """
    difficulty = 86_388_558_925_171
    assert blocks_per_ph_day(difficulty) == pytest.approx(0.00023286148, rel=1e-9)
    assert round(hashprice_usd(difficulty, 3.125, 63_800), 2) == 46.43


def test_fees_raise_the_hashprice_in_proportion() -> None:
    # 149.3 T, 3.145 BTC a block (3.125 subsidy + 0.02 fees), BTC $91,000 → $38.56.
    assert round(hashprice_usd(149.3e12, 3.145, 91_000), 2) == 38.56
    ratio = hashprice_usd(149.3e12, 3.145, 91_000) / hashprice_usd(149.3e12, 3.125, 91_000)
    assert ratio == pytest.approx(3.145 / 3.125)


@pytest.mark.parametrize(
    ("difficulty", "reward", "price"),
    [(0, 3.125, 90_000), (1e14, -1, 90_000), (1e14, 3.125, math.nan), (math.inf, 3.1, 1.0)],
)
def test_impossible_inputs_are_refused(difficulty: float, reward: float, price: float) -> None:
    with pytest.raises(ValueError, match="must be a positive number"):
        hashprice_usd(difficulty, reward, price)


def _hp(*, demo: bool = False, stale: bool = False) -> Hashprice:
    stats = NetworkStats(149.3e12, 1.07e21, 3.145, 0.02, 144, AT)
    return Hashprice(38.5617, stats, 91_000.0, AT, demo=demo, stale=stale)


def test_the_figure_reads_to_the_cent_with_its_marks() -> None:
    assert hashprice_short(_hp()) == "$38.56/PH/s/day"
    assert hashprice_short(_hp(demo=True, stale=True)) == "$38.56/PH/s/day [DEMO] [stale]"
    assert hashprice_short(None) == "— (no recent network data)"


def test_the_detail_names_every_input_and_the_formula() -> None:
    text = hashprice_detail(_hp())
    assert "**$38.56/PH/s/day**" in text
    assert "difficulty 149.30 T" in text
    assert "reward 3.1450 BTC per block (subsidy + fees, last 144 blocks)" in text
    assert "BTC $91,000 as of <t:" in text
    assert "`/help economics`" in text


def test_the_help_page_works_the_formula_through_with_the_current_figures() -> None:
    text = hashprice_text(_hp())
    assert "10¹⁵ × 86,400 ÷ (149,300,000,000,000 × 2³²) = 0.000134739 blocks" in text
    assert "× 3.1450 BTC × $91,000.00 = **$38.56/PH/s/day**" in text
    assert "no recent network data" in hashprice_text(None)
