"""Which tracked companies the filings watcher can follow: US listings with a known CIK."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from bot.ledger.records import CompanyRecord

# Exchanges whose listed companies file with the SEC (foreign issuers file 6-Ks there too).
US_EXCHANGES: Final = frozenset({"Nasdaq", "NYSE", "NYSE American", "NYSE Arca", "Cboe"})


def listings_without_cik(companies: Iterable[CompanyRecord]) -> list[str]:
    """Return the symbols of US-listed tracked companies whose CIK is not known."""
    return sorted(
        c.symbol for c in companies if c.listed and c.exchange in US_EXCHANGES and c.cik is None
    )
