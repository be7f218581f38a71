"""What the watcher reads from the ledger: the companies to poll and the parties to look for."""

from __future__ import annotations

import re
from typing import Final

from bot.filings.model import Tracked
from bot.ledger.service import LedgerService
from bot.store import Store

# Kinds of companies that lease capacity from hosts or stand behind leases.
PARTY_KINDS: Final = frozenset({"neocloud", "hyperscaler", "chipmaker", "other"})
# Generic words that name no one in particular ("AI Cloud", "Inc.").
_GENERIC: Final = re.compile(r"^(?:inc|corp|llc|ltd|ai|cloud|the|group|holdings?)\.?$", re.I)
MIN_PARTY_LENGTH: Final = 4


async def tracked_companies(store: Store) -> list[Tracked]:
    """Return the listed companies whose CIK is known, in symbol order."""
    return [
        Tracked(c.symbol, c.name, c.cik)
        for c in await store.ledger.companies()
        if c.cik is not None and c.listed
    ]


async def known_parties(store: Store, ledger: LedgerService) -> list[str]:
    """Return the names of known tenants, end customers and backstops, each once."""
    names: dict[str, None] = {}
    for company in await store.ledger.companies():
        if company.kind in PARTY_KINDS:
            for alias in (company.name, *company.aliases):
                names.setdefault(alias.strip(), None)
    for contract in await ledger.view(None):
        for party in (contract.counterparty, contract.end_customer, contract.backstop):
            if party:
                names.setdefault(party.strip(), None)
    return [n for n in names if len(n) >= MIN_PARTY_LENGTH and not _GENERIC.match(n)]
