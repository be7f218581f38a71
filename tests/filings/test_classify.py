"""Classification: items in words, deal language scored, levels, figures quoted."""

from __future__ import annotations

import pytest

from bot.filings.classify import items_in_words, level_of, quote_figures, score_text
from bot.filings.documents import exhibit_99_names, html_to_text
from bot.filings.model import Level, followed
from bot.filings.submissions import SubmissionsError, parse_submissions
from edgar_emulator import LEASE_8K, ROUTINE_8K

PARTIES = ["Fluidstack", "Google", "CoreWeave"]


def test_items_read_in_words() -> None:
    assert items_in_words(["1.01", "9.01", "6.66"]) == [
        "1.01 material agreement",
        "9.01 financial statements and exhibits",
        "6.66",
    ]


@pytest.mark.parametrize(
    ("form", "items", "text", "level"),
    [
        ("8-K", ("1.01", "9.01"), html_to_text(LEASE_8K), Level.LIKELY),
        ("8-K", ("5.07",), html_to_text(ROUTINE_8K), Level.ROUTINE),
        # Results mention AI, HPC and megawatts, but a results item announces no deal.
        (
            "8-K",
            ("2.02", "9.01"),
            "Our HPC business grew; 300 MW of AI capacity leased to CoreWeave.",
            Level.POSSIBLE,
        ),
        (
            "6-K",
            (),
            "A 10-year colocation lease with a hyperscaler for 50 MW of critical IT.",
            Level.LIKELY,
        ),
        ("8-K", ("8.01",), "The company plans a data center.", Level.ROUTINE),
        # A 10-K is full of this language; it is never read, so never a deal alert.
        ("10-K", (), html_to_text(LEASE_8K), Level.ROUTINE),
    ],
    ids=["lease-8k", "vote-8k", "results-8k", "colocation-6k", "vague-8k", "10-k"],
)
def test_levels(form: str, items: tuple[str, ...], text: str, level: Level) -> None:
    assert level_of(form, items, score_text(text, PARTIES)) is level


def test_phrases_count_once_and_name_the_parties() -> None:
    score = score_text("lease lease lease Fluidstack, backed by Google, 168 MW", PARTIES)
    assert score.phrases == ("lease", "MW", "Fluidstack", "Google")
    assert score.points == 2 + 2 + 3 + 3


def test_figures_are_quoted_each_once_in_order() -> None:
    text = html_to_text(LEASE_8K)
    assert quote_figures(text) == ["168 MW of critical IT", "10 years", "$3.8 billion"]
    assert quote_figures("a fifteen-year term, US$ 1,200 million, 50 megawatts, 50 megawatts") == [
        "fifteen-year",
        "US$ 1,200 million",
        "50 megawatts",
    ]


def test_followed_forms() -> None:
    assert [f for f in ("8-K", "8-K/A", "6-K", "424B5", "4", "SC 13G", "10-Q") if followed(f)] == [
        "8-K", "8-K/A", "6-K", "424B5", "10-Q"
    ]  # fmt: skip


def test_html_text_drops_scripts_and_keeps_paragraphs() -> None:
    html = (
        "<html><head><title>x</title><script>var a=1</script></head>"
        "<p>One  &amp; two</p><p>Three</p>"
    )
    assert html_to_text(html) == "One & two\nThree"


def test_exhibit_99_is_found_in_the_folder_listing() -> None:
    listing = {
        "directory": {"item": [{"name": "cifr-8k.htm"}, {"name": "ex99-1.htm"}, {"name": "R1.xml"}]}
    }
    assert exhibit_99_names(listing) == ["ex99-1.htm"]
    assert exhibit_99_names({"odd": 1}) == []


def test_submissions_are_read_in_edgar_order() -> None:
    data = {
        "name": "Cipher Digital Inc.",
        "filings": {
            "recent": {
                "accessionNumber": ["0001819989-26-000002", "0001819989-26-000001"],
                "form": ["8-K", "10-Q"],
                "filingDate": ["2026-03-02", "2026-02-27"],
                "acceptanceDateTime": ["2026-03-02T16:05:11.000Z", ""],
                "items": ["1.01,9.01", ""],
                "primaryDocument": ["cifr-8k.htm", "cifr-10q.htm"],
                "primaryDocDescription": ["8-K", "10-Q"],
            }
        },
    }
    first, second = parse_submissions(data)
    assert (first.accession, first.items, second.items) == (
        "0001819989-26-000002",
        ("1.01", "9.01"),
        (),
    )
    assert first.accepted is not None and first.accepted.hour == 16 and second.accepted is None


@pytest.mark.parametrize(
    "recent",
    [
        {"accessionNumber": ["0001819989-26-000002"], "form": ["8-K"], "filingDate": []},
        {
            "accessionNumber": ["not-an-accession"],
            "form": ["8-K"],
            "filingDate": ["x"],
            "primaryDocument": ["a"],
        },
        {"form": ["8-K"]},
    ],
    ids=["uneven", "malformed-accession", "missing-column"],
)
def test_a_malformed_listing_is_refused_whole(recent: dict[str, object]) -> None:
    with pytest.raises(SubmissionsError):
        parse_submissions({"filings": {"recent": recent}})
