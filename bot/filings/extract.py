"""Read deal figures out of a filing's text: who, how many MW, how long, how much, where.

Every value comes with the exact words it was read from, and nothing is inferred: a figure
the text does not state stays None. The reading is deliberately plain (patterns, not a
model) so a person can see why each figure was proposed before confirming it.

A text that describes two sites or two tenants gives one proposal each; figures are never
added up or carried from one deal to the other. Parties named once for several sites ("with
CoreWeave for 200 MW at A and 100 MW at B") are stated for each of them and carried over.
"""

from __future__ import annotations

import re
from bisect import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Final

from bot.ledger.model import FieldValue
from bot.ledger.vocab import Exactness, ValueKind

# ----- vocabulary ------------------------------------------------------------------------

# Words before a number that say it is not exact, mapped to the ledger's exactness.
_QUALIFIERS: Final[dict[str, Exactness]] = {
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
# A ceiling ("up to $9 billion") is a figure the company hopes to reach: a target.
_CEILINGS: Final = ("up to", "as much as")
_QUALIFIER: Final = "|".join(
    re.escape(word).replace(r"\ ", r"\s+")
    for word in sorted([*_QUALIFIERS, *_CEILINGS], key=len, reverse=True)
)
_NUMBER: Final = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORD_NUMBERS: Final = {
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
_WORD_NUMBER: Final = "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))
_MONTHS: Final = {
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
_MONTH: Final = "|".join(sorted(_MONTHS, key=len, reverse=True))

# A proper name: capitalised words, with "of", "and", "&" inside and a legal suffix after.
_NAME: Final = (
    r"(?:[A-Z][\w&'’\-]*|[A-Z]\.)(?:\s(?:[A-Z][\w&'’\-.]*|\d+|of|and|&|de|la)(?=[\s,.;:)]|$))*"
    r"(?:,?\s(?:Inc\.|LLC|L\.L\.C\.|Ltd\.|Limited|Corp\.|Corporation|plc|PLC|N\.V\.|B\.V\.|AG|SE))?"
)
# Capitalised words that are not a party (the start of a sentence, a heading, a filing part).
_NOT_A_NAME: Final = frozenset(
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
_AGREEMENT: Final = (
    r"(?:agreements?|leases?|contracts?|deal|partnership|arrangement|memorandum of "
    r"understanding|MOU|letter of intent|term sheet|transaction)"
)
# Sentences about a portfolio, totals or earlier deals: their figures are not this deal's.
_AGGREGATE: Final = re.compile(
    r"\b(?:bring(?:s|ing)?\s+(?:its|our|the|total)|portfolio|to date|previously\s+"
    r"(?:announced|disclosed|reported)|cumulative|combined|total(?:ing|ling)|in aggregate across|"
    r"self-mining|hash\s?rate|EH/s|existing\s+(?:customers|tenants|contracts))\b",
    re.IGNORECASE,
)
# Where the announcement ends and the boilerplate (company profile, legal notes) starts.
_BOILERPLATE: Final = re.compile(
    r"^[ \t]*(?:About\s+[A-Z][^\n]{0,80}|Forward[- ]Looking\s+Statements[^\n]{0,40}|"
    r"Cautionary\s+(?:Note|Statement)[^\n]{0,60}|Safe\s+Harbor[^\n]{0,40}|SIGNATURES?)[ \t]*$",
    re.MULTILINE,
)
# Words in a money figure's clause that make it something other than the deal's value.
_NOT_DEAL_VALUE: Final = re.compile(
    r"\b(?:financ\w*|loans?|capex|capital\s+expenditures?|notes|offering|credit|prepay\w*|"
    r"deposits?|invest\w*|warrants?|equity|shares?|stock|annual\w*|per\s+year|per\s+annum|"
    r"a\s+year|per\s+MW|options?|optional\w*|additional|extensions?|renewals?|costs?|budget\w*|"
    r"raise[ds]?|debt|cash|purchase\s+price|consideration|fees?|quarter\w*|backlog)\b",
    re.IGNORECASE,
)
# Words in a money figure's sentence that make it the deal's value.
_DEAL_VALUE: Final = re.compile(
    r"\b(?:contract\s+value|total\s+value|aggregate\s+value|value\s+of|valued|worth|revenue|"
    r"lease\s+payments|rent|payments|TCV)\b",
    re.IGNORECASE,
)
_ABBREVIATIONS: Final = re.compile(
    r"(?:\b(?:Inc|Corp|Ltd|Co|No|approx|Mr|Ms|Dr|St|vs|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|"
    r"Nov|Dec)|\b[A-Z]\.[A-Z]|\b[A-Z])\.$"
)


# ----- what is extracted ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quoted:
    """One value read from a text, with the exact words it came from.

    ``exactness`` uses the ledger's vocabulary ("approximately" → approximate, "more than" →
    floor, "$3 to $3.5 billion" → range with ``high``); ``qualifier`` is the word as written.
    """

    value: str | float
    phrase: str
    exactness: Exactness = "exact"
    qualifier: str | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class Proposal:
    """One deal a text describes: the figures it states, each with its source phrase."""

    host: str
    counterparty: Quoted | None = None
    end_customer: Quoted | None = None
    backstop: Quoted | None = None
    mw_critical_it: Quoted | None = None
    mw_gross: Quoted | None = None
    mw_unstated: Quoted | None = None
    """MW whose basis (critical IT or gross) the text does not say: kept apart, unassigned."""
    term_years: Quoted | None = None
    value_usd: Quoted | None = None
    site: Quoted | None = None
    announced_date: Quoted | None = None

    @property
    def value_kind(self) -> ValueKind:
        """A ceiling ("up to") is a target; any other stated value is contracted revenue."""
        if self.value_usd is not None and self.value_usd.qualifier in _CEILINGS:
            return "target"
        return "contracted_revenue"

    def quoted(self) -> dict[str, Quoted]:
        """Return every value the text states, by proposal field."""
        found: dict[str, Quoted] = {}
        for name in _PROPOSAL_FIELDS:
            value = getattr(self, name)
            if value is not None:
                found[name] = value
        return found

    def contract_fields(self) -> dict[str, FieldValue]:
        """Return the stated values as contract fields (the ledger's names); nothing guessed."""
        fields: dict[str, FieldValue] = {"host_symbol": self.host}
        for name in ("counterparty", "end_customer", "backstop", "site", "announced_date"):
            value = getattr(self, name)
            if value is not None:
                fields[name] = str(value.value)
        for name in ("mw_critical_it", "mw_gross", "term_years"):
            value = getattr(self, name)
            if value is not None:
                fields[name] = float(value.value)
        if self.mw_unstated is not None:
            fields["mw_note"] = f"{self.mw_unstated.phrase} (critical IT or gross not stated)"
        if self.value_usd is not None:
            fields["total_contract_value_usd"] = float(self.value_usd.value)
            fields["value_exactness"] = self.value_usd.exactness
            fields["value_kind"] = self.value_kind
            if self.value_usd.high is not None:
                fields["value_high_usd"] = self.value_usd.high
        return fields


_PROPOSAL_FIELDS: Final = (
    "counterparty",
    "end_customer",
    "backstop",
    "mw_critical_it",
    "mw_gross",
    "mw_unstated",
    "term_years",
    "value_usd",
    "site",
    "announced_date",
)
_PARTY_FIELDS: Final = ("counterparty", "end_customer", "backstop")
_FIGURE_FIELDS: Final = ("mw_critical_it", "mw_gross", "mw_unstated", "term_years", "value_usd")


@dataclass(frozen=True, slots=True)
class _Mention:
    field: str
    start: int
    quoted: Quoted
    sentence: int = 0
    paragraph: int = 0


# ----- reading ------------------------------------------------------------------------


def extract_proposals(text: str, *, host: str, host_names: Iterable[str] = ()) -> list[Proposal]:
    """Return the deals ``text`` describes for ``host``, one proposal per site or tenant.

    ``host_names`` are the host's own names and aliases: the host is never its own tenant.
    """
    own = {name.casefold() for name in (host, *host_names) if name}
    body = _announcement(text)
    announced = _announced_date(body)
    mentions = _mentions(body, own)
    mentions = sorted([*mentions, *_sites_again(body, mentions)], key=lambda m: m.start)
    breaks = [match.start() for match in re.finditer(r"\n\s*\n", body)]
    mentions = [replace(m, paragraph=bisect(breaks, m.start)) for m in mentions]
    proposals = _group(mentions, host)
    if announced is not None:
        proposals = [replace(p, announced_date=announced) for p in proposals]
    return proposals


def _announcement(text: str) -> str:
    """Cut the company profile and legal notes: their MW and dollars are not the deal's."""
    cut = _BOILERPLATE.search(text)
    return text if cut is None else text[: cut.start()]


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each sentence; abbreviations ("Inc.", "U.S.") do not end one."""
    start = 0
    for boundary in re.finditer(r"(?<=[.!?;])\s+(?=[\"“(A-Z0-9])|\n\s*\n", text):
        piece = text[start : boundary.start()].rstrip()
        if _ABBREVIATIONS.search(piece) and boundary.group().count("\n") < 2:
            continue
        yield start, boundary.start()
        start = boundary.end()
    if start < len(text):
        yield start, len(text)


def _mentions(text: str, own: set[str]) -> list[_Mention]:
    found: list[_Mention] = []
    for index, (start, end) in enumerate(_sentences(text)):
        sentence = text[start:end]
        skipped = _aggregate_clauses(sentence)
        claimed: list[tuple[int, int]] = []
        for mention in _sentence_mentions(sentence, own, claimed):
            if not any(a <= mention.start < b for a, b in skipped):
                found.append(replace(mention, start=start + mention.start, sentence=index))
    return found


def _aggregate_clauses(sentence: str) -> list[tuple[int, int]]:
    """Return the clauses about totals or a portfolio ("bringing its total to 590 MW")."""
    clauses = []
    for match in _AGGREGATE.finditer(sentence):
        left = max(sentence.rfind(mark, 0, match.start()) for mark in (",", ";", "—", "("))
        ends = [i for mark in (",", ";", "—", ")") if (i := sentence.find(mark, match.end())) >= 0]
        clauses.append((left + 1, min(ends) if ends else len(sentence)))
    return clauses


def _sites_again(text: str, mentions: list[_Mention]) -> list[_Mention]:
    """Find a site named again without "campus" ("The Lake Mariner lease has ...")."""
    sites = {str(m.quoted.value) for m in mentions if m.field == "site"}
    taken = {m.start for m in mentions}
    bounds = list(_sentences(text))
    again = []
    for site in sites:
        for match in re.finditer(rf"\b{re.escape(site)}\b", text):
            if match.start() in taken:
                continue
            index = next(i for i, (a, b) in enumerate(bounds) if a <= match.start() <= b)
            again.append(_Mention("site", match.start(), Quoted(site, site), index))
    return again


def _sentence_mentions(
    sentence: str, own: set[str], claimed: list[tuple[int, int]]
) -> Iterator[_Mention]:
    # Backstops and end customers first: their names are then not read as the tenant.
    yield from _parties(sentence, own, claimed)
    # Most sentences of a filing state no figure: a plain substring test skips the patterns.
    folded = sentence.lower()
    if "mw" in folded or "gw" in folded or "watt" in folded:
        yield from _power(sentence)
    if "year" in folded:
        yield from _terms(sentence)
    if "$" in sentence:
        yield from _values(sentence)
    yield from _sites(sentence, own, claimed)


_BACKSTOP_PATTERNS: Final = (
    re.compile(rf"\b(?:backstop(?:ped)?|guaranteed)\s+by\s+(?P<name>{_NAME})"),
    re.compile(
        rf"\bwith\s+(?P<name>{_NAME})\s+(?:providing|acting\s+as)\s+(?:a\s+|the\s+)?"
        r"(?:financial\s+)?(?:backstop|guarantee)"
    ),
    re.compile(
        rf"\b(?P<name>{_NAME})\s+(?:has\s+agreed\s+to\s+|agreed\s+to\s+|will\s+)"
        r"(?:backstop|guarantee)"
    ),
)
_END_CUSTOMER_PATTERNS: Final = (
    re.compile(rf"\bend[- ](?:customer|user)(?:\s+is|,)?\s+(?P<name>{_NAME})"),
    re.compile(rf"\bon\s+behalf\s+of\s+(?P<name>{_NAME})"),
    re.compile(rf"\bfor\s+use\s+by\s+(?P<name>{_NAME})"),
    re.compile(rf"\b(?P<name>{_NAME})\s+(?:will\s+be|is)\s+the\s+end[- ](?:customer|user)"),
)
_COUNTERPARTY_PATTERNS: Final = (
    # Only the verbs ignore case: a name starts with a capital letter.
    re.compile(rf"\b(?i:{_AGREEMENT})\s+(?:\S+\s+){{0,6}}?with\s+(?P<name>{_NAME})"),
    re.compile(
        r"\b(?i:signed|entered\s+into|executed|reached|announced)\s+(?:\S+\s+){0,8}?with\s+"
        rf"(?P<name>{_NAME})"
    ),
    re.compile(
        rf"\b(?:tenant|customer|lessee|counterparty)(?:\s+is|,)?\s+(?P<name>{_NAME})",
    ),
    re.compile(rf"\b(?:and|as\s+well\s+as)\s+with\s+(?P<name>{_NAME})"),
    re.compile(rf"\b(?P<name>{_NAME})\s+(?:has|have)\s+(?:agreed|signed|committed|contracted)\b"),
    re.compile(rf"\b(?P<name>{_NAME})\s+will\s+(?:lease|occupy|take|use)\b"),
)


# An agreement about money, not capacity: its other party is a lender or an underwriter.
_FINANCING: Final = re.compile(
    r"\b(?:credit|loan|underwriting|at-the-market|equity\s+distribution|sales\s+agreement|"
    r"indenture|notes|employment|separation|purchase\s+agreement)\b",
    re.IGNORECASE,
)


def _parties(sentence: str, own: set[str], claimed: list[tuple[int, int]]) -> Iterator[_Mention]:
    financing = _FINANCING.search(sentence) is not None
    for name_field, patterns in (
        ("backstop", _BACKSTOP_PATTERNS),
        ("end_customer", _END_CUSTOMER_PATTERNS),
        ("counterparty", _COUNTERPARTY_PATTERNS),
    ):
        for pattern in patterns:
            for match in pattern.finditer(sentence):
                span = match.span("name")
                if any(a < span[1] and span[0] < b for a, b in claimed):
                    continue
                name = _clean_name(match.group("name"))
                if name is None or _is_own(name, own):
                    continue
                if financing and name_field == "counterparty":
                    continue
                claimed.append(span)
                at = sentence.find(name, span[0])
                phrase = sentence[match.start() : at + len(name)]
                yield _Mention(name_field, match.start(), Quoted(name, phrase))


def _clean_name(raw: str) -> str | None:
    """Trim what the name pattern takes too much of; None when it is no party's name."""
    name = raw.strip().rstrip(",.;:")
    if name.endswith((" Inc", " Corp", " Ltd", " Co")):
        name += "."  # the legal suffix keeps its dot
    words = name.split()
    while words and words[-1] in ("of", "and", "&", "de", "la"):
        words.pop()
    # "the Company's Barber Lake": the leading words and possessives are not the name.
    while words and (
        words[0].casefold().rstrip(".,") in _NOT_A_NAME or words[0].endswith(("'s", "’s"))
    ):
        words.pop(0)
    name = " ".join(words)
    if not name or name.casefold() in _NOT_A_NAME or not name[0].isupper():
        return None
    if name.casefold().rstrip(".") in _MONTHS:
        return None
    return name


def _is_own(name: str, own: set[str]) -> bool:
    folded = name.casefold()
    return any(folded == o or folded.startswith(o + " ") or o.startswith(folded) for o in own)


_MW: Final = re.compile(
    rf"(?:(?P<qualifier>{_QUALIFIER})\s+)?(?P<number>{_NUMBER})\s*"
    r"(?P<unit>MW|megawatts?|GW|gigawatts?)\b",
    re.IGNORECASE,
)
_CRITICAL: Final = re.compile(
    r"^\s*(?:\(|of\s+)?(?:contracted\s+|available\s+|net\s+)?(?P<basis>critical[- ]IT(?:\s+"
    r"(?:load|capacity|power))?|IT\s+(?:load|capacity)|critical\s+load)",
    re.IGNORECASE,
)
_GROSS: Final = re.compile(
    r"^\s*(?:\(|of\s+)?(?:contracted\s+)?(?P<basis>gross(?:\s+(?:power|capacity|load))?|"
    r"utility\s+(?:power|capacity)|grid\s+(?:power|capacity)|(?:total\s+)?power\s+capacity)",
    re.IGNORECASE,
)


def _power(sentence: str) -> Iterator[_Mention]:
    for match in _MW.finditer(sentence):
        number = _parse_number(match.group("number"))
        if match.group("unit").lower().startswith(("gw", "giga")):
            number = _parse_number(match.group("number"), 1000)
        after = sentence[match.end() :]
        before = sentence[max(0, match.start() - 30) : match.start()].lower()
        name, end = "mw_unstated", match.end()
        if critical := _CRITICAL.match(after):
            name, end = "mw_critical_it", match.end() + critical.end()
        elif gross := _GROSS.match(after):
            name, end = "mw_gross", match.end() + gross.end()
        elif re.search(r"critical[- ]it(?:\s+capacity)?\s+of\s+$", before):
            name = "mw_critical_it"
        elif re.search(r"gross\s+(?:power|capacity)?\s*of\s+$", before):
            name = "mw_gross"
        yield _Mention(name, match.start(), _figure(match, number, sentence[match.start() : end]))


_TERM: Final = re.compile(
    rf"(?:(?P<qualifier>{_QUALIFIER})\s+)?(?P<number>{_NUMBER}|{_WORD_NUMBER})"
    r"(?:[- ]year\b(?![- ]old)|\s+years?\b)",
    re.IGNORECASE,
)
_TERM_CONTEXT: Final = re.compile(
    r"\b(?:term|lease|colocation|contract|agreement|deal|hosting|commitment|period)s?\b",
    re.IGNORECASE,
)


def _terms(sentence: str) -> Iterator[_Mention]:
    for match in _TERM.finditer(sentence):
        after = sentence[match.end() : match.end() + 40].lower()
        before = sentence[max(0, match.start("number") - 25) : match.start("number")].lower()
        # "two five-year extension options" and "renewal terms" are not the initial term.
        if re.search(r"\b(?:extension|renewal|extend|renew)", after) or re.search(
            r"\b(?:two|three|four|additional|extension|renewal)\s+$", before
        ):
            continue
        if match.group(0).lower().endswith("years"):
            # "N years" is a term only as "a term of 10 years", "for 15 years".
            if not re.search(r"\b(?:term|for|period|over)\s+(?:of\s+)?(?:\w+\s+)?$", before):
                continue
        elif not _TERM_CONTEXT.search(after):
            continue  # "a 10-year lease", never "10-year Treasury"
        word = match.group("number").lower()
        number = float(_WORD_NUMBERS[word]) if word in _WORD_NUMBERS else _parse_number(word)
        quoted = _figure(match, number, match.group(0))
        if quoted.qualifier == "over":  # "over 15 years" is the length, not "more than"
            quoted = replace(quoted, exactness="exact", qualifier=None)
        yield _Mention("term_years", match.start(), quoted)


_MONEY: Final = re.compile(
    rf"(?:(?P<qualifier>{_QUALIFIER})\s+)?(?:US)?\$\s?(?P<number>{_NUMBER})"
    r"(?:\s*(?P<unit>trillion|billion|million|bn|mm|B|M)\b)?"
    rf"(?:\s*(?:to|and|-|–)\s*(?:US)?\$?\s?(?P<high>{_NUMBER})"
    r"\s*(?P<high_unit>trillion|billion|million|bn|mm|B|M)\b)?",
)
_UNITS: Final = {
    "trillion": 10**12,
    "billion": 10**9,
    "bn": 10**9,
    "b": 10**9,
    "million": 10**6,
    "mm": 10**6,
    "m": 10**6,
}


def _values(sentence: str) -> Iterator[_Mention]:
    if not _DEAL_VALUE.search(sentence):
        return
    for match in _MONEY.finditer(sentence):
        if _NOT_DEAL_VALUE.search(_clause(sentence, match.start(), match.end())):
            continue
        unit = match.group("unit") or match.group("high_unit")
        scale = _UNITS[unit.lower()] if unit else 1
        if unit is None and _parse_number(match.group("number")) < 1e6:
            continue  # "$5" alone is a share price or a fee, not a contract
        number = _parse_number(match.group("number"), scale)
        high = None
        if match.group("high") is not None:
            high = _parse_number(match.group("high"), _UNITS[match.group("high_unit").lower()])
        quoted = _figure(match, number, match.group(0).rstrip())
        if high is not None and high > number:
            quoted = replace(quoted, exactness="range", high=high)
        yield _Mention("value_usd", match.start(), quoted)


def _clause(sentence: str, start: int, end: int) -> str:
    """Return the part of a sentence between the commas (or dashes) around a figure."""
    left = max(sentence.rfind(mark, 0, start) for mark in (",", ";", "—", "(", " with "))
    rights = [i for mark in (",", ";", "—", ")", " with ") if (i := sentence.find(mark, end)) >= 0]
    return sentence[left + 1 : min(rights) if rights else len(sentence)]


_SITE: Final = re.compile(
    rf"(?P<name>{_NAME})(?:,\s[A-Z][a-z]+\.?)?\s+(?P<kind>campus|site|facility|"
    r"data\s+cent(?:er|re)|park)\b"
)


def _sites(sentence: str, own: set[str], claimed: list[tuple[int, int]]) -> Iterator[_Mention]:
    for match in _SITE.finditer(sentence):
        span = match.span("name")
        if any(a < span[1] and span[0] < b for a, b in claimed):
            continue
        name = _clean_name(match.group("name"))
        if name is None or _is_own(name, own):
            continue
        at = sentence.find(name, span[0])
        yield _Mention("site", at, Quoted(name, sentence[at : match.end()]))


_DATE: Final = re.compile(
    rf"\b(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}}),\s+(?P<year>20\d\d)\b", re.IGNORECASE
)


def _announced_date(text: str) -> Quoted | None:
    """Return the date the text was announced: a dateline, or "On <date>, ..." ."""
    for match in _DATE.finditer(text):
        before = text[max(0, match.start() - 4) : match.start()]
        in_dateline = match.start() < 200 and re.search(r"[,—–-]\s*$", before)
        if not (in_dateline or re.search(r"\bOn\s+$", before)):
            continue
        try:
            day = date(
                int(match.group("year")),
                _MONTHS[match.group("month").lower()],
                int(match.group("day")),
            )
        except ValueError:
            continue
        return Quoted(day.isoformat(), match.group(0))
    return None


# ----- helpers ---------------------------------------------------------------------------


def _parse_number(text: str, scale: int = 1) -> float:
    # In decimal: $4.1 billion is 4,100,000,000, not 4,099,999,999.9999995.
    return float(Decimal(text.replace(",", "")) * scale)


def _figure(match: re.Match[str], number: float, phrase: str) -> Quoted:
    raw = match.group("qualifier")
    qualifier = " ".join(raw.lower().split()) if raw else None
    exactness: Exactness = _QUALIFIERS.get(qualifier or "", "exact")
    return Quoted(number, phrase, exactness, qualifier)


# ----- grouping into deals ----------------------------------------------------------------


@dataclass(slots=True)
class _Draft:
    values: dict[str, Quoted] = field(default_factory=dict)
    inherited: set[str] = field(default_factory=set)
    party_sentence: int = -1  # the sentence that named this deal's parties
    paragraph: int = -1  # where the deal was last read

    def holds(self, name: str, value: Quoted) -> bool:
        """Whether this deal already has ``value`` as its own (not carried) ``name``."""
        held = self.values.get(name)
        return (
            held is not None
            and name not in self.inherited
            and str(held.value).casefold() == str(value.value).casefold()
        )

    def collides(self, mention: _Mention) -> bool:
        """Whether ``mention`` belongs to another deal than the one being read."""
        name, value = mention.field, mention.quoted
        if self.values and mention.paragraph != self.paragraph:
            # A new paragraph is a new deal unless it names this one's site or tenant again:
            # figures of two announcements are never read into one deal.
            return not self.holds(name, value)
        if name in _PARTY_FIELDS or name == "site":
            held = self.values.get(name)
            if held is None or name in self.inherited:
                return False
            return str(held.value).casefold() != str(value.value).casefold()
        if name.startswith("mw_"):
            # Critical IT and gross MW of one deal sit side by side; a second figure of the
            # same basis, or any MW beside one of unstated basis, is another deal.
            others = [
                held
                for key, held in self.values.items()
                if key.startswith("mw_") and (key == name or "mw_unstated" in (key, name))
            ]
            return any(held.value != value.value for held in others)
        held = self.values.get(name)
        return held is not None and held.value != value.value

    def take(self, mention: _Mention) -> bool:
        """Record a mention; False when this deal already held that very value."""
        name = mention.field
        if name in _PARTY_FIELDS:
            self.party_sentence = mention.sentence
        recorded = self._record(name, mention.quoted)
        if recorded or name in (*_PARTY_FIELDS, "site"):
            # Its site or tenant named again, or a new figure: the deal is read here now.
            # A figure merely repeated does not bring a new paragraph into this deal.
            self.paragraph = mention.paragraph
        return recorded

    def _record(self, name: str, value: Quoted) -> bool:
        if name.startswith("mw_") and any(
            held.value == value.value for k, held in self.values.items() if k.startswith("mw_")
        ):
            # The same figure again: keep the mention that states its basis.
            if name != "mw_unstated":
                unstated = self.values.get("mw_unstated")
                if unstated is not None and unstated.value == value.value:
                    del self.values["mw_unstated"]
                self.values.setdefault(name, value)
            return False
        if name not in self.values or name in self.inherited:
            self.values[name] = value
            self.inherited.discard(name)
            return True
        return False

    def next_deal(self, mention: _Mention) -> _Draft:
        """Start the deal ``mention`` belongs to.

        Parties named in the same sentence as the new site or figure ("with CoreWeave for
        200 MW at A and 100 MW at B") are the new deal's too; a new tenant starts afresh.
        """
        if mention.field in _PARTY_FIELDS or mention.sentence != self.party_sentence:
            return _Draft()
        parties = {k: v for k, v in self.values.items() if k in _PARTY_FIELDS}
        return _Draft(dict(parties), set(parties), self.party_sentence)

    def worth_proposing(self) -> bool:
        return any(name in self.values for name in (*_FIGURE_FIELDS, "counterparty"))


def _group(mentions: list[_Mention], host: str) -> list[Proposal]:
    drafts: list[_Draft] = []
    current: _Draft | None = None
    # Values a sentence repeated before it turned to another deal: "signed a 15-year lease
    # with a second tenant for 150 MW" restates the term for the new deal, not the old one.
    repeated: list[_Mention] = []
    for mention in mentions:
        if repeated and repeated[-1].sentence != mention.sentence:
            repeated = []
        if mention.field == "site":
            # A site named again brings the reading back to its deal.
            named = [d for d in drafts if d.holds(mention.field, mention.quoted)]
            if len(named) == 1:
                current = named[0]
        if current is None:
            current = _Draft()
            drafts.append(current)
        elif current.collides(mention):
            current = current.next_deal(mention)
            drafts.append(current)
            for earlier in repeated:
                current.take(earlier)
            repeated = []
        if not current.take(mention) and mention.field not in ("site", "counterparty"):
            repeated.append(mention)
    return [Proposal(host=host, **draft.values) for draft in drafts if draft.worth_proposing()]
