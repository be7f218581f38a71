"""/price and /board in English and French, as members read them (snapshots), and their layout."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from bot.i18n import speaking
from bot.i18n.language import Language
from bot.limits import EMBED_DESCRIPTION, EMBED_TOTAL
from bot.market.models import DataSource, MarketState
from bot.render.board import BoardContext, BoardRow, board_pages, embed_size
from bot.render.exposure import Exposure
from bot.render.quote import QuoteCard, quote_embed
from tests import factories
from tests.render.test_board import synthetic_rows

from .snapshots import assert_snapshot, embed_text

AS_OF = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
BOTH: list[Language] = ["en", "fr"]


def cipher_card() -> QuoteCard:
    quote = factories.quote(
        "CIFR",
        1234.56,
        previous_close=1200.0,
        day_high=1250.0,
        day_low=1190.5,
        volume=12_345_678,
        market_cap=9.7e9,
        fifty_two_week_high=2500.0,
        fifty_two_week_low=320.0,
        as_of=AS_OF,
    )
    quote = dataclasses.replace(quote, market_state=MarketState.POST, delayed=True)
    exposure = Exposure(
        "CIFR",
        contracts=3,
        mw_it=544.5,
        mw_gross_only=1400,
        mw_unknown=1,
        value_usd=9.3e9,
        value_approx=True,
        value_unknown=1,
        partial_share=1,
        as_of="2025-11-20",
    )
    return QuoteCard(quote, "Cipher Digital Inc.", True, exposure, stale=2)


BOARD_ROWS = [
    BoardRow("CIFR", 1234.56, 3.3, 12.0, 6e9, 1507, True, 9.33e9, True, stale=True),
    BoardRow("WULF", 11.2, -1.8, None, None, 588, False, 16.2e9, value_floor=True),
    BoardRow("IREN", 0.5, 0.0, -45.5, 2.5e12, None, False, None),
]


@pytest.mark.parametrize("language", BOTH)
def test_price_card(language: Language) -> None:
    with speaking(language):
        embed = quote_embed(cipher_card())
    assert_snapshot(f"price.{language}", embed_text(embed))


@pytest.mark.parametrize("language", BOTH)
def test_board_page(language: Language) -> None:
    context = BoardContext("market_cap", DataSource.DEMO, AS_OF, "2025-11-20")
    with speaking(language):
        (page,) = board_pages(BOARD_ROWS, context)
    assert_snapshot(f"board.{language}", embed_text(page))


def _table(page: dict[str, object]) -> list[str]:
    return str(page["description"]).split("```\n")[1].split("\n```")[0].splitlines()


@pytest.mark.parametrize("count", [1, 20, 60])
def test_the_french_board_stays_aligned_and_within_discords_limits(count: int) -> None:
    context = BoardContext("mw", DataSource.YAHOO, AS_OF, "2025-11-20")
    with speaking("fr"):
        pages = board_pages(synthetic_rows(count), context)
    widths = set()
    for page in pages:
        assert len(str(page["description"])) <= EMBED_DESCRIPTION
        assert embed_size(page) <= EMBED_TOTAL
        # The last column is right-aligned and never empty: aligned rows are equally long.
        widths |= {len(line) for line in _table(page)}
    assert len(widths) == 1
    assert all("\u202f" not in line for page in pages for line in _table(page))


def test_the_french_card_fits_an_embed() -> None:
    with speaking("fr"):
        embed = quote_embed(cipher_card())
    assert len(embed["title"]) <= 256
    assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in embed["fields"])
    assert embed_size(embed) <= EMBED_TOTAL
