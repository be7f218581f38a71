"""The companies the shipped ledger gives a CIK, for the local EDGAR of the filings tests."""

from __future__ import annotations

from typing import Any, Final

from bot.clock import Clock
from bot.filings.client import EdgarClient, RateLimiter
from edgar_emulator import EdgarEmulator

CIFR_CIK: Final = 1819989
CONTACT: Final = "Minerwatch Tests tests@example.com"
# Symbol, EDGAR name, CIK: as the shipped ledger records them.
SHIPPED: Final = (
    ("APLD", "Applied Digital Corp.", 1144879),
    ("CIFR", "Cipher Digital Inc.", CIFR_CIK),
    ("CORZ", "Core Scientific, Inc.", 1839341),
    ("CRWV", "CoreWeave, Inc.", 1769628),
    ("GLXY", "Galaxy Digital Inc.", 1859392),
    ("HUT", "Hut 8 Corp.", 1964789),
    ("IREN", "IREN Limited", 1878848),
    ("WULF", "TeraWulf Inc.", 1083301),
)


def add_shipped_companies(edgar: EdgarEmulator) -> None:
    """Put every company with a shipped CIK on the local EDGAR, each with one past 10-Q."""
    for symbol, name, cik in SHIPPED:
        edgar.add_company(cik, name, [symbol])
        edgar.add_filing(cik, "10-Q", description="Quarterly report")


def edgar_client(
    edgar: EdgarEmulator, clock: Clock, *, contact: str = CONTACT, **options: Any
) -> EdgarClient:
    """Return a client aimed at the local EDGAR, with its own rate limiter; the caller closes
    it. ``options`` go to the client as they are (a timeout, ...)."""
    return EdgarClient(
        contact=contact,
        data_url=edgar.base_url,
        archives_url=edgar.base_url,
        limiter=RateLimiter(),
        clock=clock,
        **options,
    )
