"""Properties of extraction on any text: nothing invented, nothing merged, nothing carried."""

from __future__ import annotations

import math
import re
from dataclasses import replace

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.filings.extract import Proposal, Quoted, extract_proposals
from tests.filings.texts import CASES, Case

WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
}  # fmt: skip
SCALES = (1, 1_000, 10**6, 10**9, 10**12)
ALL_HOST_NAMES = tuple(name for case in CASES for name in case.host_names)
# Sentences of the written texts, to be shuffled with noise into texts nobody wrote.
SENTENCES = [
    sentence.strip()
    for case in CASES
    for sentence in re.split(r"(?<=\.)\s+(?=[A-Z])", case.text)
    if sentence.strip()
]
NOISE = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs", "Sc")), max_size=80
)
FIGURE_WORDS = st.sampled_from(
    ["MW", "GW", "megawatts of critical IT", "-year lease", " years", "billion", "million"]
)
FRAGMENT = st.one_of(
    st.sampled_from(SENTENCES),
    NOISE,
    st.builds(
        lambda q, n, w: f"{q}{n}{w}",
        st.sampled_from(["", "$", "approximately $", "up to ", "more than ", "a term of "]),
        st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False).map(str),
        FIGURE_WORDS,
    ),
)
TEXTS = st.lists(FRAGMENT, max_size=12).map(" ".join)


def read_numbers(phrase: str) -> set[float]:
    """Every number the phrase writes, at every scale its unit could give it."""
    written = [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", phrase)]
    written += [v for w, v in WORD_NUMBERS.items() if re.search(rf"\b{w}\b", phrase.lower())]
    return {n * scale for n in written for scale in SCALES}


def stated(value: float, phrase: str) -> bool:
    """Whether the phrase writes this value at some scale (equal to float rounding: 65540.1
    billion is 65540100000000.01 one way and 65540100000000.0 the other)."""
    return any(math.isclose(value, n, rel_tol=1e-12, abs_tol=0.005) for n in read_numbers(phrase))


def figures(proposal: Proposal) -> dict[str, Quoted]:
    return {k: v for k, v in proposal.quoted().items() if isinstance(v.value, float)}


def extract(text: str) -> list[Proposal]:
    return extract_proposals(text, host="TEST", host_names=ALL_HOST_NAMES)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_no_value_appears_that_the_text_does_not_state(text: str) -> None:
    for proposal in extract(text):
        for name, quoted in proposal.quoted().items():
            assert quoted.phrase and quoted.phrase in text, name
            if isinstance(quoted.value, str):
                if name != "announced_date":
                    assert quoted.value in quoted.phrase, name
                continue
            assert stated(quoted.value, quoted.phrase), (name, quoted)
            if quoted.high is not None:
                assert stated(quoted.high, quoted.phrase)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(categories=("L", "P", "Zs")), max_size=300))
def test_a_text_without_numbers_gives_no_figures(text: str) -> None:
    stated = set(" ".join(re.findall(r"[a-z]+", text.lower())).split())
    if stated & set(WORD_NUMBERS):
        return  # "ten-year" is a number written out
    assert all(figures(p) == {} for p in extract(text))


def without_date(proposals: list[Proposal]) -> list[Proposal]:
    return [replace(p, announced_date=None) for p in proposals]


def identities(case: Case) -> set[str]:
    """The tenants and sites a case's deals name."""
    return {
        str(fields[name]).casefold()
        for fields in case.expected
        for name in ("counterparty", "site")
        if name in fields
    }


ANNOUNCEMENTS = [case for case in CASES if "About " not in case.text]


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(ANNOUNCEMENTS), st.sampled_from(ANNOUNCEMENTS))
def test_two_announcements_together_give_each_ones_deals_unmerged(
    first: Case, second: Case
) -> None:
    """One after the other, two texts give the proposals each gives alone, in order.

    Only texts that share no tenant and no site: a tenant or site named again is read as
    the same deal (what a filing means when it names its tenant twice).
    """
    assume(not identities(first) & identities(second))
    names = first.host_names + second.host_names

    def read(text: str) -> list[Proposal]:
        return without_date(extract_proposals(text, host="TEST", host_names=names))

    together = read(first.text + "\n\n" + second.text)
    assert together == read(first.text) + read(second.text)


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_extraction_is_deterministic_and_never_fails(text: str) -> None:
    assert extract(text) == extract(text)
