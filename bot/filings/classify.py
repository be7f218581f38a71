"""Classify a filing: its 8-K items in words, and how much its text reads like an AI/HPC deal.

Pure functions over plain text. The score counts distinct deal phrases (each once, however
often it appears), so a long document is not "likely" merely for being long.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from bot.filings.model import CURRENT_REPORTS, Level, base_form
from bot.i18n import N_, _

# Form 8-K's items (SEC's General Instructions), the ones a reader of this bot meets.
ITEM_NAMES: Final = {
    "1.01": N_("material agreement"),
    "1.02": N_("agreement terminated"),
    "1.05": N_("cybersecurity incident"),
    "2.01": N_("acquisition or disposition"),
    "2.02": N_("results of operations"),
    "2.03": N_("new financial obligation"),
    "2.05": N_("exit or restructuring costs"),
    "3.02": N_("unregistered sale of shares"),
    "3.03": N_("change to shareholders' rights"),
    "5.02": N_("directors or officers"),
    "5.03": N_("charter or bylaws amended"),
    "5.07": N_("shareholder vote"),
    "7.01": N_("Regulation FD disclosure"),
    "8.01": N_("other events"),
    "9.01": N_("financial statements and exhibits"),
}
# Items that can announce a deal; 9.01 (exhibits) and 2.02 (results) on their own cannot.
DEAL_ITEMS: Final = frozenset({"1.01", "2.01", "7.01", "8.01"})


@dataclass(frozen=True, slots=True)
class Phrase:
    """Deal language to look for: a pattern, the label stored, and its weight."""

    label: str
    pattern: re.Pattern[str]
    weight: int


def _phrase(label: str, pattern: str, weight: int) -> Phrase:
    return Phrase(label, re.compile(pattern, re.IGNORECASE), weight)


DEAL_PHRASES: Final = (
    _phrase("lease", r"\b(?:lease agreement|leases?|leasing)\b", 2),
    _phrase("colocation", r"\bco-?location\b", 3),
    _phrase("hosting agreement", r"\bhosting (?:agreement|contract|services)\b", 2),
    _phrase("critical IT", r"\bcritical[- ]IT\b", 3),
    _phrase("MW", r"\b\d[\d,.]*\s?(?:MW|megawatts?)\b", 2),
    _phrase("hyperscaler", r"\bhyperscal(?:er|e)s?\b", 2),
    _phrase("HPC", r"\b(?:HPC|high[- ]performance computing)\b", 2),
    _phrase("AI", r"\b(?:AI|artificial intelligence)\b", 1),
    _phrase("data center", r"\bdata cent(?:er|re)s?\b", 1),
    _phrase("tenant", r"\btenants?\b", 1),
    _phrase("GPU", r"\bGPUs?\b", 1),
)
PARTY_WEIGHT: Final = 3  # a known tenant, end customer or backstop named in the text
LIKELY_SCORE: Final = 8
POSSIBLE_SCORE: Final = 4
# Figures quoted on the card of a likely deal (each a short phrase, never a sentence).
_FIGURES: Final = re.compile(
    r"(?:US)?\$\s?\d[\d,]*(?:\.\d+)?\s?(?:billion|million|bn|m)\b"
    r"|\b\d[\d,]*(?:\.\d+)?\s?(?:MW|megawatts?)\b(?:\s+of\s+critical[- ]IT)?"
    r"|\b(?:\d{1,2}|five|ten|twelve|fifteen|twenty)(?:-year|\s+years?)\b",
    re.IGNORECASE,
)
MAX_FIGURES: Final = 6


@dataclass(frozen=True, slots=True)
class Score:
    """What the text scored and which phrases it matched."""

    points: int
    phrases: tuple[str, ...]


def items_in_words(items: Iterable[str]) -> list[str]:
    """Return "1.01 material agreement"-style words for 8-K items (unknown ones as numbers)."""
    return [f"{item} {_(ITEM_NAMES[item])}" if item in ITEM_NAMES else item for item in items]


def score_text(text: str, parties: Sequence[str]) -> Score:
    """Score ``text`` for AI/HPC deal language; ``parties`` are known tenants and backstops."""
    found: list[str] = []
    points = 0
    for phrase in DEAL_PHRASES:
        if phrase.pattern.search(text):
            found.append(phrase.label)
            points += phrase.weight
    for name in parties:
        if len(name) >= 3 and re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE):
            found.append(name)
            points += PARTY_WEIGHT
    return Score(points, tuple(found))


def level_of(form: str, items: Sequence[str], score: Score) -> Level:
    """Return the filing's level: only current reports with deal language rise above routine."""
    if base_form(form) not in CURRENT_REPORTS:
        return Level.ROUTINE
    points = score.points + (2 if "1.01" in items else 0)
    # An 8-K whose items cannot announce a deal (results, votes) stays at most possible.
    can_announce = base_form(form) == "6-K" or not items or bool(DEAL_ITEMS & set(items))
    if points >= LIKELY_SCORE and can_announce:
        return Level.LIKELY
    if points >= POSSIBLE_SCORE:
        return Level.POSSIBLE
    return Level.ROUTINE


def quote_figures(text: str) -> list[str]:
    """Return the MW, dollar and term phrases the text states, in order, each once."""
    seen: dict[str, None] = {}
    for match in _FIGURES.finditer(text):
        figure = " ".join(match.group(0).split())
        seen.setdefault(figure, None)
        if len(seen) == MAX_FIGURES:
            break
    return list(seen)
