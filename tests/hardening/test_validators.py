"""Validators fed what JSON cannot carry (NaN, ±inf) and what no command should store."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.alerts.model import Member
from bot.alerts.validation import check_new_alert, check_snooze_minutes
from bot.clock import ManualClock
from bot.errors import InvalidInput
from bot.ledger.limits import MAX_NAME_LENGTH, check_number, check_text, check_url
from bot.ledger.service import Actor, LedgerService, validate_fields
from bot.market.calendar import TradingCalendar
from bot.market.models import DataSource, Quote
from bot.store import Store
from tests import factories
from tests.hardening.strategies import INVISIBLE, URLS

NON_FINITE = [math.nan, math.inf, -math.inf]
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
HOSTS = frozenset({"CIFR", "IREN"})


def quote(symbol: str = "CIFR", price: float = 15.5) -> Quote:
    return factories.quote(symbol, price, previous_close=15.0, as_of=NOW, source=DataSource.REPLAY)


def refusal(
    condition: str, value: float | None, *, price: float = 15.5, versus: str | None = None
) -> str:
    """Return what a member is told when a new CIFR alert is refused (it must be refused)."""
    with pytest.raises(InvalidInput) as refused:
        check_new_alert(
            symbol="CIFR",
            condition=condition,
            value=value,
            quote=quote(price=price),
            expires_days=None,
            note=None,
            versus=versus,
        )
    return refused.value.user_message


@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize(
    "field", ["mw_critical_it", "mw_gross", "term_years", "total_contract_value_usd"]
)
def test_contract_figures_refuse_non_finite_numbers(field: str, value: float) -> None:
    """NaN and ±inf never reach the store: SQLite would keep NaN as NULL ("not disclosed")."""
    with pytest.raises(InvalidInput) as refused:
        validate_fields({field: value}, HOSTS)
    assert field in refused.value.user_message
    assert "must be" in refused.value.user_message


@pytest.mark.parametrize("value", [*NON_FINITE, 1e308, -1e308, -1.0, -5e-324, 10_000.000001])
def test_megawatts_outside_the_range_are_refused_with_the_range(value: float) -> None:
    """The refusal says what is allowed: 0 to 10,000 MW."""
    problem = check_number("mw_it", value, 0, 10_000, "MW")
    assert problem is not None and "0 and 10,000 MW" in str(problem)


@pytest.mark.parametrize("value", [*NON_FINITE, 0.0, -1.0, 1e308, 5e-324])
@pytest.mark.parametrize("condition", ["above", "below", "move_pct"])
def test_alert_levels_refuse_non_finite_and_absurd_values(value: float, condition: str) -> None:
    """An alert level is finite and near the price (or a sane percentage)."""
    assert "value:" in refusal(condition, value)


@pytest.mark.parametrize("price", [*NON_FINITE, 0.0, -3.0])
def test_alert_without_a_usable_price_is_refused_not_guessed(price: float) -> None:
    """A NaN or negative quote cannot anchor the 0.1×–10× band: the member is told to retry."""
    assert "no current price" in refusal("above", 16.0, price=price)


@pytest.mark.parametrize("days", [0, -1, 366, 2**53, 2**63, True])
def test_alert_expiry_outside_one_to_365_days_is_refused(days: int) -> None:
    with pytest.raises(InvalidInput, match="expires_days"):
        check_new_alert(
            symbol="CIFR",
            condition="above",
            value=16.0,
            quote=quote(),
            expires_days=days,
            note=None,
        )


@pytest.mark.parametrize("minutes", [0, -5, 10_081, 2**53, 2**63])
def test_snooze_outside_a_week_is_refused(minutes: int) -> None:
    with pytest.raises(InvalidInput, match="minutes"):
        check_snooze_minutes(minutes)


@pytest.mark.parametrize("text", ["\u200b", "\u200b\u200e\u202e", " \u2060 ", "\ufeff\u2066\u2069"])
def test_text_of_only_invisible_characters_counts_as_blank(text: str) -> None:
    """A counterparty of zero-width characters would be stored and shown as nothing."""
    problem = check_text("counterparty", text, MAX_NAME_LENGTH)
    assert problem is not None and "blank" in str(problem)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/\u202egnp.exe",
        "https://\u200bexample.com",
        "https://example.com/a\u2066b",
        "https://example.com/\n",
        "https://example.com\n",
        "https://example.com/\x00",
    ],
)
def test_source_links_with_invisible_or_control_characters_are_refused(url: str) -> None:
    """A bidi override or a control character in a link hides where it really goes."""
    assert check_url("source_url", url) is not None


@pytest.mark.parametrize(
    "url", ["https://example.com/press/deal", "http://news.example.org/a?b=c#d"]
)
def test_ordinary_source_links_pass(url: str) -> None:
    assert check_url("source_url", url) is None


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.sampled_from(URLS),
        st.text(max_size=60).map(lambda t: "https://example.com/" + t),
        st.lists(st.sampled_from(INVISIBLE), min_size=1, max_size=3).map(
            lambda parts: "https://exa" + "".join(parts) + "mple.com/x"
        ),
    )
)
def test_every_accepted_link_is_printable_ascii_shaped(url: str) -> None:
    """Whatever check_url accepts is a plain http(s) link with no invisible characters."""
    if check_url("source_url", url) is None:
        assert url.startswith(("http://", "https://"))
        assert not any(ch in url for ch in INVISIBLE)
        assert url.isprintable() and not any(ch.isspace() for ch in url)


async def test_ledger_service_refuses_non_finite_numbers_end_to_end(
    seeded_store: Store, clock: ManualClock
) -> None:
    """Through the service the commands use: a NaN contract value is refused and not stored."""
    ledger = LedgerService(seeded_store, clock)
    admin = Actor(user_id=1, guild_id=10, is_admin=True, is_owner=False)
    before = len(await ledger.view(10))
    for value in NON_FINITE:
        with pytest.raises(InvalidInput):
            await ledger.add(
                admin,
                {"host_symbol": "IREN", "counterparty": "X", "total_contract_value_usd": value},
                source_url="https://example.com/a",
            )
    assert len(await ledger.view(10)) == before


async def test_alert_service_refuses_nan_before_touching_the_store(
    store: Store, clock: ManualClock
) -> None:
    """A NaN level raises InvalidInput; no alert row is written."""
    from bot.alerts.service import AlertService

    service = AlertService(store, clock, TradingCalendar())
    for value in NON_FINITE:
        with pytest.raises(InvalidInput):
            await service.create(
                Member(user_id=1, guild_id=10),
                channel_id=5,
                symbol="CIFR",
                condition="above",
                value=value,
                quote=quote(),
            )
    assert await store.db.fetch_one("SELECT count(*) FROM alerts") == (0,) or (
        (await store.db.fetch_one("SELECT count(*) FROM alerts"))[0] == 0
    )


@pytest.mark.parametrize("note", ["\u200b", "\u202e\u200b", " \ufeff "])
def test_an_alert_note_of_invisible_characters_is_no_note(note: str) -> None:
    """A note that would show as nothing is dropped rather than stored."""
    options = check_new_alert(
        symbol="CIFR", condition="above", value=16.0, quote=quote(), expires_days=None, note=note
    )
    assert options.note is None


@pytest.mark.parametrize("value", [*NON_FINITE, 0.0, -1.0, 1e308, 5e-324, True])
@pytest.mark.parametrize(
    ("condition", "versus"), [("volume", None), ("gap", None), ("relative", "BTC-USD")]
)
def test_new_kind_figures_refuse_non_finite_and_out_of_range_values(
    value: float, condition: str, versus: str | None
) -> None:
    """A multiple, a gap or a lead in points is finite and within its named bounds."""
    message = refusal(condition, value, versus=versus)
    assert "value:" in message
    assert "between" in message or "finite" in message


@pytest.mark.parametrize(
    ("condition", "value", "versus", "problem"),
    [
        ("high52", 5.0, None, "value: high52 takes no value"),
        ("ma_cross", None, "BTC-USD", "versus: ma_cross needs one of ma200, ma50, ma50_ma200"),
        ("ma_cross", None, "'; DROP TABLE alerts", "versus: ma_cross needs one of"),
        ("relative", 5.0, None, "versus: relative needs one of BTC-USD, NVDA (got nothing)"),
        ("relative", 5.0, "ma50", "versus: relative needs one of BTC-USD, NVDA"),
        ("above", 16.0, "NVDA", "versus: only ma_cross, relative and correlation take it"),
        ("volume", None, None, "value: volume needs a value (the multiple, 1.5 to 20)"),
        ("above", None, None, "value: above needs a value (the price level)"),
    ],
)
def test_new_options_are_refused_with_what_is_allowed(
    condition: str, value: float | None, versus: str | None, problem: str
) -> None:
    assert problem in refusal(condition, value, versus=versus)


def test_a_benchmark_is_not_compared_with_itself() -> None:
    with pytest.raises(InvalidInput, match="cannot be compared with itself"):
        check_new_alert(
            symbol="NVDA",
            condition="relative",
            value=3.0,
            quote=quote("NVDA", 180.0),
            expires_days=None,
            note=None,
            versus="nvidia",
        )
