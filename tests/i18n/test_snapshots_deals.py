"""/deals show in English and French (snapshots): data as stored, vocabularies translated."""

from __future__ import annotations

import pytest

from bot.i18n import speaking
from bot.i18n.language import Language
from bot.ledger.model import Contract, HistoryEntry, Source
from bot.render.contracts import contract_detail_pages
from tests import factories

from .snapshots import assert_snapshot, embed_text

BOTH: list[Language] = ["en", "fr"]


def joint_venture() -> Contract:
    return factories.contract(
        id=14,
        host_symbol="WULF",
        counterparty="Core42 (G42)",
        status="under_construction",
        status_as_of="2025-12-01",
        deal_kind="joint_venture",
        confidence="medium",
        mw_critical_it=200.0,
        mw_gross=240.0,
        host_share_pct=51.0,
        term_years=10.0,
        total_contract_value_usd=9.7e9,
        value_exactness="approximate",
        gpu_type="GB300",
        gpu_count=18_000,
        site="Lake Mariner",
        site_location="Barker, NY",
        notes="Phase 1 energised in Q3.",
        sources=(Source("https://example.com/pr", "TeraWulf and Core42 form a JV", "2025-10-02"),),
    )


HISTORY = (
    HistoryEntry(14, "2025-10-02T12:00:00+00:00", None, "ledger", "create", None, None, None),
    HistoryEntry(
        14,
        "2025-12-01T09:30:00+00:00",
        42,
        "user:42",
        "update",
        "status",
        "signed",
        "under_construction",
    ),
)


@pytest.mark.parametrize("language", BOTH)
def test_deals_show(language: Language) -> None:
    with speaking(language):
        pages = contract_detail_pages(joint_venture(), HISTORY)
    assert_snapshot(f"deals_show.{language}", "\n".join(embed_text(page) for page in pages))


def test_data_stays_data_in_french() -> None:
    """Names, counterparties and source titles are shown as stored, never translated."""
    with speaking("fr"):
        (page,) = contract_detail_pages(joint_venture(), HISTORY)
    text = embed_text(page)
    for stored in ("Core42 (G42)", "TeraWulf and Core42 form a JV", "Lake Mariner", "GB300"):
        assert stored in text
    assert "en construction" in text and "coentreprise" in text  # the vocabularies are
