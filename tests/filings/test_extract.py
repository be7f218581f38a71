"""Extraction from announcement texts: the figures each states, and those it leaves empty."""

from __future__ import annotations

import pytest

from bot.filings.extract import Proposal, extract_proposals
from tests.filings.test_extract_properties import stated
from tests.filings.texts import CASES, Case


def proposals(case: Case) -> list[Proposal]:
    return extract_proposals(case.text, host=case.host, host_names=case.host_names)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_text_gives_its_deals_and_nothing_more(case: Case) -> None:
    found = proposals(case)
    assert [p.contract_fields() for p in found] == list(case.expected)
    for proposal, empty in zip(found, case.empty, strict=True):
        stated = proposal.quoted()
        assert [name for name in empty if name in stated] == []


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_value_quotes_the_words_it_came_from(case: Case) -> None:
    for proposal in proposals(case):
        for name, quoted in proposal.quoted().items():
            assert quoted.phrase in case.text, name
            if isinstance(quoted.value, float):
                assert stated(quoted.value, quoted.phrase), name
