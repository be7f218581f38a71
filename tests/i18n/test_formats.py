"""Numbers, money, percentages and dates as each language writes them (CLDR, via Babel)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from bot import format as fmt
from bot.i18n import speaking

NNBSP = "\u202f"  # French groups thousands with a narrow no-break space
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("write", "english", "french"),
    [
        (lambda: fmt.price(1234.56), "$1,234.56", f"1{NNBSP}234,56{NBSP}$US"),
        (lambda: fmt.price(0.5), "$0.5000", f"0,5000{NBSP}$US"),
        (lambda: fmt.price(-5, "CAD"), "−5.00 CAD", f"−5,00{NBSP}CAD"),
        (lambda: fmt.money(9.7e9), "$9.7B", f"9,7{NBSP}Md$"),
        (lambda: fmt.money(830e6), "$830M", f"830{NBSP}M$"),
        (lambda: fmt.money(45_600, approx=True), "~$45.6K", f"~45,6{NBSP}k$"),
        (lambda: fmt.money(2.5e12), "$2.5T", f"2,5{NBSP}Bn$"),
        (lambda: fmt.money(950), "$950", f"950{NBSP}$"),
        (lambda: fmt.percent(12.5), "+12.5 %", f"+12,5{NBSP}%"),
        (lambda: fmt.percent(-1.26), "−1.3 %", f"−1,3{NBSP}%"),
        (lambda: fmt.compact_percent(-12.3), "−12%", "−12%"),
        (lambda: fmt.megawatts(1400), "1.4 GW", "1,4 GW"),
        (lambda: fmt.megawatts(168.5, "IT"), "168.5 MW (IT)", "168,5 MW (IT)"),
        (lambda: fmt.megawatts(244, "gross"), "244 MW (gross)", "244 MW (brut)"),
        (lambda: fmt.volume(12.3e6), "12.3M", f"12,3{NBSP}M"),
        (lambda: fmt.years(2.5), "2.5 y", "2,5 ans"),
        (lambda: fmt.years(1.5), "1.5 y", "1,5 an"),
        (lambda: fmt.ratio(1.5), "1.50×", "1,50×"),
        (lambda: fmt.price_change(0.5, level=15), "+$0.50", f"+0,50{NBSP}$US"),
        (
            lambda: fmt.price_range(14.9, 15.8),
            "$14.90 – $15.80",
            f"14,90{NBSP}$US – 15,80{NBSP}$US",
        ),
        (lambda: fmt.number(12345), "12,345", f"12{NNBSP}345"),
        (lambda: fmt.day(date(2026, 12, 4)), "Dec 4, 2026", "4 déc. 2026"),
        (lambda: fmt.short_day(date(2026, 12, 4)), "Dec 4", "4 déc."),
    ],
)
def test_each_language_writes_numbers_its_own_way(
    write: Callable[[], str], english: str, french: str
) -> None:
    with speaking("en"):
        assert write() == english
    with speaking("fr"):
        assert write() == french


def test_discord_timestamps_stay_as_they_are() -> None:
    """The Discord client writes <t:…> in each reader's language and time zone."""
    moment = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
    with speaking("fr"):
        assert fmt.timestamp(moment, "R") == f"<t:{int(moment.timestamp())}:R>"


def test_unknown_stays_a_dash_in_every_language() -> None:
    with speaking("fr"):
        assert {fmt.money(None), fmt.price(None), fmt.percent(None), fmt.megawatts(None)} == {
            fmt.DASH
        }


def test_the_language_comes_back_after_the_block() -> None:
    with speaking("fr"):
        assert fmt.percent(1.0) == f"+1,0{NBSP}%"
    assert fmt.percent(1.0) == "+1.0 %"


def test_a_figure_written_in_one_language_reads_in_the_next_one_s_way() -> None:
    """Prices and percentages are remembered once written: per language, never across."""
    value, move = 4321.987, -0.049
    with speaking("fr"):
        assert (fmt.price(value), fmt.percent(move)) == (f"4{NNBSP}321,99{NBSP}$US", f"0,0{NBSP}%")
    assert (fmt.price(value), fmt.percent(move)) == ("$4,321.99", "0.0 %")
    with speaking("fr"):
        assert fmt.price(value) == f"4{NNBSP}321,99{NBSP}$US"
