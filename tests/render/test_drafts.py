"""How drafts read: figures marked extracted and unverified, quotes shown inertly, in limits."""

from __future__ import annotations

from bot.filings.draft_model import Draft, FilingRef
from bot.filings.extract import Proposal, Quoted, extract_proposals
from bot.limits import EMBED_DESCRIPTION, EMBED_TITLE
from bot.render.drafts import UNVERIFIED, draft_embed, draft_lines, figure_lines
from tests.filings.texts import CASES

FILING = FilingRef("0000000000-26-000001", "1", "8-K", "2026-11-04", "https://www.sec.gov/x/")


def proposals(host: str) -> list[Proposal]:
    case = next(case for case in CASES if case.host == host)
    return extract_proposals(case.text, host=host, host_names=case.host_names)


def test_figure_lines_give_mw_term_and_value_then_the_parties() -> None:
    (cipher,) = proposals("CIFR")
    assert figure_lines(cipher) == [
        f"approximately 168 MW critical IT · 10 years · ~$3.8B {UNVERIFIED}",
        f"with Fluidstack Ltd. · backstop Google · at Barber Lake {UNVERIFIED}",
    ]


def test_qualifiers_read_as_the_filing_wrote_them() -> None:
    (glxy,) = proposals("GLXY")
    (hut,) = proposals("HUT")
    coreweave, fluidstack = proposals("RIOT")
    (mou,) = proposals("BTDR")
    assert "more than $4.5B" in figure_lines(glxy)[0]
    assert "$6.5B–$7B" in figure_lines(hut)[0]
    assert "up to $2.5B" in figure_lines(fluidstack)[0]
    assert figure_lines(mou)[0] == f"up to 570 MW gross {UNVERIFIED}"
    assert figure_lines(coreweave) == [
        f"200 MW critical IT {UNVERIFIED}",
        f"with CoreWeave {UNVERIFIED}",
    ]


def test_nothing_stated_gives_no_line() -> None:
    assert figure_lines(Proposal(host="CIFR")) == []


def test_a_basis_not_stated_is_said() -> None:
    unstated = Proposal(host="APLD", mw_unstated=Quoted(150.0, "150 MW"))
    assert figure_lines(unstated) == [f"150 MW (critical IT or gross not stated) {UNVERIFIED}"]


def draft(fields: dict[str, object], evidence: dict[str, str] | None = None) -> Draft:
    return Draft(
        id=7,
        guild_id=None,
        filing=FILING,
        proposal_index=0,
        host_symbol="CIFR",
        fields=fields,  # type: ignore[arg-type]
        evidence=evidence or {},
        state="pending",
        created_at="2026-11-26T15:00:00+00:00",
    )


def test_a_draft_names_what_the_filing_left_empty() -> None:
    embed = draft_embed(draft({"mw_gross": 570.0}), 1, 3)
    assert embed["title"] == "Draft 7: CIFR ← tenant not stated (1 of 3)"
    assert "Not stated (left empty): tenant, MW critical IT, term, value" in embed["description"]
    assert f"570 MW gross {UNVERIFIED}" in embed["description"]
    assert "not a ledger fact" in embed["footer"]["text"]


def test_hostile_text_in_a_draft_is_shown_inertly_and_within_limits() -> None:
    hostile = "@everyone **[click](https://evil.example)** " + "x" * 5_000
    embed = draft_embed(
        draft({"counterparty": hostile, "site": hostile}, {"counterparty": hostile}), 1, 1
    )
    assert len(embed["title"]) <= EMBED_TITLE
    assert len(embed["description"]) <= EMBED_DESCRIPTION
    text = embed["title"] + embed["description"]
    # The mention cannot ping, the link is not a link: brackets and stars are escaped.
    assert "@everyone" not in text.replace("@\u200beveryone", "")
    assert "[click](https://evil" not in text.replace("\\[click]", "")


def test_draft_lines_match_figure_lines_for_the_same_figures() -> None:
    (cipher,) = proposals("CIFR")
    fields = cipher.contract_fields()
    assert draft_lines(fields)[0] == f"168 MW critical IT · 10 years · ~$3.8B {UNVERIFIED}"
    assert draft_lines(fields)[1] == figure_lines(cipher)[1]
