"""Read deal figures out of a filing's text: who, how many MW, how long, how much, where.

Every value comes with the exact words it was read from, and nothing is inferred: a figure
the text does not state stays None. The reading is deliberately plain (patterns, not a
model) so a person can see why each figure was proposed before confirming it.

A text that describes two sites or two tenants gives one proposal each (bot.filings.grouping);
figures are never added up or carried from one deal to the other. Parties named once for
several sites ("with CoreWeave for 200 MW at A and 100 MW at B") are stated for each of them.
"""

from __future__ import annotations

import re
from bisect import bisect
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Final

from bot.filings.grouping import group_into_deals
from bot.filings.phrases import (
    ABBREVIATIONS,
    AGGREGATE,
    AGREEMENT,
    BOILERPLATE,
    DEAL_VALUE,
    MONTH,
    MONTHS,
    NAME,
    NOT_A_NAME,
    NOT_DEAL_VALUE,
    NUMBER,
    QUALIFIER,
    QUALIFIERS,
    WORD_NUMBER,
    WORD_NUMBERS,
)
from bot.filings.proposal import Mention, Proposal, Quoted
from bot.ledger.vocab import Exactness

__all__ = ["Proposal", "Quoted", "extract_proposals"]


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
    proposals = group_into_deals(mentions, host)
    if announced is not None:
        proposals = [replace(p, announced_date=announced) for p in proposals]
    return proposals


def _announcement(text: str) -> str:
    """Cut the company profile and legal notes: their MW and dollars are not the deal's."""
    cut = BOILERPLATE.search(text)
    return text if cut is None else text[: cut.start()]


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each sentence; abbreviations ("Inc.", "U.S.") do not end one."""
    start = 0
    for boundary in re.finditer(r"(?<=[.!?;])\s+(?=[\"“(A-Z0-9])|\n\s*\n", text):
        piece = text[start : boundary.start()].rstrip()
        if ABBREVIATIONS.search(piece) and boundary.group().count("\n") < 2:
            continue
        yield start, boundary.start()
        start = boundary.end()
    if start < len(text):
        yield start, len(text)


def _mentions(text: str, own: set[str]) -> list[Mention]:
    found: list[Mention] = []
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
    for match in AGGREGATE.finditer(sentence):
        left = max(sentence.rfind(mark, 0, match.start()) for mark in (",", ";", "—", "("))
        ends = [i for mark in (",", ";", "—", ")") if (i := sentence.find(mark, match.end())) >= 0]
        clauses.append((left + 1, min(ends) if ends else len(sentence)))
    return clauses


def _sites_again(text: str, mentions: list[Mention]) -> list[Mention]:
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
            again.append(Mention("site", match.start(), Quoted(site, site), index))
    return again


def _sentence_mentions(
    sentence: str, own: set[str], claimed: list[tuple[int, int]]
) -> Iterator[Mention]:
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
    re.compile(rf"\b(?:backstop(?:ped)?|guaranteed)\s+by\s+(?P<name>{NAME})"),
    re.compile(
        rf"\bwith\s+(?P<name>{NAME})\s+(?:providing|acting\s+as)\s+(?:a\s+|the\s+)?"
        r"(?:financial\s+)?(?:backstop|guarantee)"
    ),
    re.compile(
        rf"\b(?P<name>{NAME})\s+(?:has\s+agreed\s+to\s+|agreed\s+to\s+|will\s+)"
        r"(?:backstop|guarantee)"
    ),
)
_END_CUSTOMER_PATTERNS: Final = (
    re.compile(rf"\bend[- ](?:customer|user)(?:\s+is|,)?\s+(?P<name>{NAME})"),
    re.compile(rf"\bon\s+behalf\s+of\s+(?P<name>{NAME})"),
    re.compile(rf"\bfor\s+use\s+by\s+(?P<name>{NAME})"),
    re.compile(rf"\b(?P<name>{NAME})\s+(?:will\s+be|is)\s+the\s+end[- ](?:customer|user)"),
)
_COUNTERPARTY_PATTERNS: Final = (
    # Only the verbs ignore case: a name starts with a capital letter.
    re.compile(rf"\b(?i:{AGREEMENT})\s+(?:\S+\s+){{0,6}}?with\s+(?P<name>{NAME})"),
    re.compile(
        r"\b(?i:signed|entered\s+into|executed|reached|announced)\s+(?:\S+\s+){0,8}?with\s+"
        rf"(?P<name>{NAME})"
    ),
    re.compile(
        rf"\b(?:tenant|customer|lessee|counterparty)(?:\s+is|,)?\s+(?P<name>{NAME})",
    ),
    re.compile(rf"\b(?:and|as\s+well\s+as)\s+with\s+(?P<name>{NAME})"),
    re.compile(rf"\b(?P<name>{NAME})\s+(?:has|have)\s+(?:agreed|signed|committed|contracted)\b"),
    re.compile(rf"\b(?P<name>{NAME})\s+will\s+(?:lease|occupy|take|use)\b"),
)


# An agreement about money, not capacity: its other party is a lender or an underwriter.
_FINANCING: Final = re.compile(
    r"\b(?:credit|loan|underwriting|at-the-market|equity\s+distribution|sales\s+agreement|"
    r"indenture|notes|employment|separation|purchase\s+agreement)\b",
    re.IGNORECASE,
)


def _parties(sentence: str, own: set[str], claimed: list[tuple[int, int]]) -> Iterator[Mention]:
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
                yield Mention(name_field, match.start(), Quoted(name, phrase))


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
        words[0].casefold().rstrip(".,") in NOT_A_NAME or words[0].endswith(("'s", "’s"))
    ):
        words.pop(0)
    name = " ".join(words)
    if not name or name.casefold() in NOT_A_NAME or not name[0].isupper():
        return None
    if name.casefold().rstrip(".") in MONTHS:
        return None
    return name


def _is_own(name: str, own: set[str]) -> bool:
    folded = name.casefold()
    return any(folded == o or folded.startswith(o + " ") or o.startswith(folded) for o in own)


_MW: Final = re.compile(
    rf"(?:(?P<qualifier>{QUALIFIER})\s+)?(?P<number>{NUMBER})\s*"
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


def _power(sentence: str) -> Iterator[Mention]:
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
        yield Mention(name, match.start(), _figure(match, number, sentence[match.start() : end]))


_TERM: Final = re.compile(
    rf"(?:(?P<qualifier>{QUALIFIER})\s+)?(?P<number>{NUMBER}|{WORD_NUMBER})"
    r"(?:[- ]year\b(?![- ]old)|\s+years?\b)",
    re.IGNORECASE,
)
_TERM_CONTEXT: Final = re.compile(
    r"\b(?:term|lease|colocation|contract|agreement|deal|hosting|commitment|period)s?\b",
    re.IGNORECASE,
)


def _terms(sentence: str) -> Iterator[Mention]:
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
        number = float(WORD_NUMBERS[word]) if word in WORD_NUMBERS else _parse_number(word)
        quoted = _figure(match, number, match.group(0))
        if quoted.qualifier == "over":  # "over 15 years" is the length, not "more than"
            quoted = replace(quoted, exactness="exact", qualifier=None)
        yield Mention("term_years", match.start(), quoted)


_MONEY: Final = re.compile(
    rf"(?:(?P<qualifier>{QUALIFIER})\s+)?(?:US)?\$\s?(?P<number>{NUMBER})"
    r"(?:\s*(?P<unit>trillion|billion|million|bn|mm|B|M)\b)?"
    rf"(?:\s*(?:to|and|-|–)\s*(?:US)?\$?\s?(?P<high>{NUMBER})"
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


def _values(sentence: str) -> Iterator[Mention]:
    if not DEAL_VALUE.search(sentence):
        return
    for match in _MONEY.finditer(sentence):
        if NOT_DEAL_VALUE.search(_clause(sentence, match.start(), match.end())):
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
        yield Mention("value_usd", match.start(), quoted)


def _clause(sentence: str, start: int, end: int) -> str:
    """Return the part of a sentence between the commas (or dashes) around a figure."""
    left = max(sentence.rfind(mark, 0, start) for mark in (",", ";", "—", "(", " with "))
    rights = [i for mark in (",", ";", "—", ")", " with ") if (i := sentence.find(mark, end)) >= 0]
    return sentence[left + 1 : min(rights) if rights else len(sentence)]


_SITE: Final = re.compile(
    rf"(?P<name>{NAME})(?:,\s[A-Z][a-z]+\.?)?\s+(?P<kind>campus|site|facility|"
    r"data\s+cent(?:er|re)|park)\b"
)


def _sites(sentence: str, own: set[str], claimed: list[tuple[int, int]]) -> Iterator[Mention]:
    for match in _SITE.finditer(sentence):
        span = match.span("name")
        if any(a < span[1] and span[0] < b for a, b in claimed):
            continue
        name = _clean_name(match.group("name"))
        if name is None or _is_own(name, own):
            continue
        at = sentence.find(name, span[0])
        yield Mention("site", at, Quoted(name, sentence[at : match.end()]))


_DATE: Final = re.compile(
    rf"\b(?P<month>{MONTH})\.?\s+(?P<day>\d{{1,2}}),\s+(?P<year>20\d\d)\b", re.IGNORECASE
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
                MONTHS[match.group("month").lower()],
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
    exactness: Exactness = QUALIFIERS.get(qualifier or "", "exact")
    return Quoted(number, phrase, exactness, qualifier)
