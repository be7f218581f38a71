"""Filings as the watcher knows them: EDGAR's listing entries, classified filings, levels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

# Forms worth a post: current reports (8-K; 6-K from foreign issuers), periodic reports and
# registration statements / prospectuses. Amendments ("8-K/A") follow their form.
FOLLOWED_FORMS: Final = frozenset({"8-K", "6-K", "10-Q", "10-K", "20-F", "40-F", "S-1", "F-1"})
FOLLOWED_PREFIXES: Final = ("424B",)
# Current reports carry announcements: their text is read and scored for deal language.
CURRENT_REPORTS: Final = frozenset({"8-K", "6-K"})


def base_form(form: str) -> str:
    """Return the form without its amendment suffix ("8-K/A" is an 8-K)."""
    return form.removesuffix("/A")


def followed(form: str) -> bool:
    """Tell whether filings of ``form`` are stored and posted."""
    base = base_form(form)
    return base in FOLLOWED_FORMS or base.startswith(FOLLOWED_PREFIXES)


class Level(StrEnum):
    """How likely a filing announces an AI/HPC deal (the vocabulary of ``filings.level``)."""

    ROUTINE = "routine"
    POSSIBLE = "possible"
    LIKELY = "likely"

    @property
    def rank(self) -> int:
        """Return the level's order: routine < possible < likely."""
        return _RANKS[self]


_RANKS: Final = {Level.ROUTINE: 0, Level.POSSIBLE: 1, Level.LIKELY: 2}


@dataclass(frozen=True, slots=True)
class Listing:
    """One entry of a company's EDGAR submissions (``filings.recent``), as EDGAR lists it."""

    accession: str
    form: str
    items: tuple[str, ...]
    filed: str
    accepted: datetime | None
    primary_document: str
    description: str


@dataclass(frozen=True, slots=True)
class Tracked:
    """A tracked company whose filings are polled."""

    symbol: str
    name: str
    cik: str


@dataclass(frozen=True, slots=True)
class Filing:
    """A filing of a tracked company, classified."""

    accession: str
    cik: str
    symbol: str
    company: str
    form: str
    items: tuple[str, ...]
    filed: str
    accepted: datetime | None
    title: str | None
    primary_url: str | None
    index_url: str
    level: Level
    score: int
    phrases: tuple[str, ...]
    figures: tuple[str, ...]
    found_at: datetime
    baseline: bool = False
