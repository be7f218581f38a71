"""The words deal announcements use: qualifiers, numbers, names, and what is not a deal."""

from __future__ import annotations

import re
from typing import Final

from bot.filings.proposal import CEILINGS
from bot.ledger.vocab import Exactness

# Words before a number that say it is not exact, mapped to the ledger's exactness.
QUALIFIERS: Final[dict[str, Exactness]] = {
    "approximately": "approximate",
    "approx.": "approximate",
    "about": "approximate",
    "around": "approximate",
    "roughly": "approximate",
    "nearly": "approximate",
    "almost": "approximate",
    "close to": "approximate",
    "an estimated": "approximate",
    "~": "approximate",
    "more than": "floor",
    "over": "floor",
    "in excess of": "floor",
    "at least": "floor",
    "exceeding": "floor",
    "greater than": "floor",
    "upwards of": "floor",
    "north of": "floor",
    "a minimum of": "floor",
}
QUALIFIER: Final = "|".join(
    re.escape(word).replace(r"\ ", r"\s+")
    for word in sorted([*QUALIFIERS, *CEILINGS], key=len, reverse=True)
)
NUMBER: Final = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
WORD_NUMBERS: Final = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "twenty-five": 25,
    "thirty": 30,
}
WORD_NUMBER: Final = "|".join(sorted(WORD_NUMBERS, key=len, reverse=True))
MONTHS: Final = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
MONTH: Final = "|".join(sorted(MONTHS, key=len, reverse=True))

# A proper name: capitalised words, with "of", "and", "&" inside and a legal suffix after.
NAME: Final = (
    r"(?:[A-Z][\w&'’\-]*|[A-Z]\.)(?:\s(?:[A-Z][\w&'’\-.]*|\d+|of|and|&|de|la)(?=[\s,.;:)]|$))*"
    r"(?:,?\s(?:Inc\.|LLC|L\.L\.C\.|Ltd\.|Limited|Corp\.|Corporation|plc|PLC|N\.V\.|B\.V\.|AG|SE))?"
)
# Capitalised words that are not a party (the start of a sentence, a heading, a filing part).
NOT_A_NAME: Final = frozenset(
    {
        "the",
        "a",
        "an",
        "its",
        "our",
        "their",
        "this",
        "each",
        "under",
        "item",
        "exhibit",
        "section",
        "company",
        "registrant",
        "agreement",
        "lease",
        "nasdaq",
        "nyse",
        "sec",
        "form",
        "it",
        "we",
        "such",
        "certain",
        "both",
        "all",
        "phase",
    }
)
AGREEMENT: Final = (
    r"(?:agreements?|leases?|contracts?|deal|partnership|arrangement|memorandum of "
    r"understanding|MOU|letter of intent|term sheet|transaction)"
)
# Sentences about a portfolio, totals or earlier deals: their figures are not this deal's.
AGGREGATE: Final = re.compile(
    r"\b(?:bring(?:s|ing)?\s+(?:its|our|the|total)|portfolio|to date|previously\s+"
    r"(?:announced|disclosed|reported)|cumulative|combined|total(?:ing|ling)|in aggregate across|"
    r"self-mining|hash\s?rate|EH/s|existing\s+(?:customers|tenants|contracts))\b",
    re.IGNORECASE,
)
# Where the announcement ends and the boilerplate (company profile, legal notes) starts.
BOILERPLATE: Final = re.compile(
    r"^[ \t]*(?:About\s+[A-Z][^\n]{0,80}|Forward[- ]Looking\s+Statements[^\n]{0,40}|"
    r"Cautionary\s+(?:Note|Statement)[^\n]{0,60}|Safe\s+Harbor[^\n]{0,40}|SIGNATURES?)[ \t]*$",
    re.MULTILINE,
)
# Words in a money figure's clause that make it something other than the deal's value.
NOT_DEAL_VALUE: Final = re.compile(
    r"\b(?:financ\w*|loans?|capex|capital\s+expenditures?|notes|offering|credit|prepay\w*|"
    r"deposits?|invest\w*|warrants?|equity|shares?|stock|annual\w*|per\s+year|per\s+annum|"
    r"a\s+year|per\s+MW|options?|optional\w*|additional|extensions?|renewals?|costs?|budget\w*|"
    r"raise[ds]?|debt|cash|purchase\s+price|consideration|fees?|quarter\w*|backlog)\b",
    re.IGNORECASE,
)
# Words in a money figure's sentence that make it the deal's value.
DEAL_VALUE: Final = re.compile(
    r"\b(?:contract\s+value|total\s+value|aggregate\s+value|value\s+of|valued|worth|revenue|"
    r"lease\s+payments|rent|payments|TCV)\b",
    re.IGNORECASE,
)
ABBREVIATIONS: Final = re.compile(
    r"(?:\b(?:Inc|Corp|Ltd|Co|No|approx|Mr|Ms|Dr|St|vs|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|"
    r"Nov|Dec)|\b[A-Z]\.[A-Z]|\b[A-Z])\.$"
)
