"""One symbol rule: what a member may type, what the poll accepts and what the ledger ships."""

from __future__ import annotations

import pytest

from bot.alerts.validation import check_new_alert
from bot.errors import InvalidInput
from bot.ledger.records import CompanyRecord
from bot.market.symbols import MAX_SYMBOL_LENGTH, InvalidSymbol, normalize_symbol
from bot.symbols import MalformedSymbol, SymbolIndex

LONGEST = "A" * MAX_SYMBOL_LENGTH
TOO_LONG = "B" * (MAX_SYMBOL_LENGTH + 1)


def test_members_and_sources_share_one_length() -> None:
    assert SymbolIndex(()).resolve(LONGEST.lower()) == normalize_symbol(LONGEST) == LONGEST
    with pytest.raises(MalformedSymbol):
        SymbolIndex(()).resolve(TOO_LONG)
    with pytest.raises(InvalidSymbol):
        normalize_symbol(TOO_LONG)


def alert_problems(symbol: str) -> str:
    """Return what a new alert for ``symbol`` is refused for (without a price, it always is)."""
    with pytest.raises(InvalidInput) as refused:
        check_new_alert(
            symbol=symbol, condition="above", value=1.0, quote=None, expires_days=None, note=None
        )
    return refused.value.user_message


def test_an_alert_for_a_symbol_too_long_is_refused_with_the_rule() -> None:
    assert "must be a ticker" not in alert_problems(LONGEST)
    assert "symbol: must be a ticker" in alert_problems(TOO_LONG)


def test_the_ledger_ships_symbols_within_the_same_length() -> None:
    field = CompanyRecord.model_fields["symbol"]
    assert any(getattr(m, "max_length", None) == MAX_SYMBOL_LENGTH for m in field.metadata)


def test_the_refusal_names_the_length() -> None:
    with pytest.raises(MalformedSymbol) as refused:
        SymbolIndex(()).resolve(TOO_LONG)
    assert f"at most {MAX_SYMBOL_LENGTH} characters" in refused.value.user_message
