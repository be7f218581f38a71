"""Symbol spelling rules shared by every source."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Final

log = logging.getLogger(__name__)

# The one symbol rule, for what members type, the ledger's rows and the poll alike.
# Tickers Yahoo serves are short ("BTC-USD", "CAPIO.ST", "EURUSD=X"); anything far longer
# is not one.
MAX_SYMBOL_LENGTH: Final = 15
# Yahoo spellings: "MSFT", "BRK-B", "BTC-USD", "CAPIO.ST", "EURUSD=X", "^GSPC".
_SYMBOL = re.compile(r"^\^?[A-Z0-9][A-Z0-9.\-=]*$")


class InvalidSymbol(ValueError):
    """A string that cannot be a ticker symbol."""

    def __init__(self, text: str) -> None:
        super().__init__(f"not a ticker symbol: {text[:40]!r}")
        self.text = text


def normalize_symbol(text: str) -> str:
    """Return ``text`` as an upper-case ticker symbol of at most 15 characters, or raise."""
    symbol = text.strip().upper()
    if len(symbol) > MAX_SYMBOL_LENGTH or not _SYMBOL.match(symbol):
        raise InvalidSymbol(text)
    return symbol


def normalize_symbols(texts: Iterable[str]) -> tuple[str, ...]:
    """Return the distinct valid symbols of ``texts`` in sorted order, logging the others."""
    valid: set[str] = set()
    for text in texts:
        try:
            valid.add(normalize_symbol(text))
        except InvalidSymbol:
            # One bad row in the store must not stop the poll of every other symbol.
            log.warning("ignoring %r: not a ticker symbol", text[:40])
    return tuple(sorted(valid))
