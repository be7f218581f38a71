"""/chart style candles and line through the emulator: intraday and daily periods, the
default compare chart kept, and option combinations refused before deferring."""

from __future__ import annotations

import struct

import pytest

from bot.render.chart import DPI, HEIGHT_IN, WIDTH_IN
from bot.sandbox.session import SandboxSession
from tests.e2e.chart_helpers import PNG_SIGNATURE, chart

PNG_BUDGET = 400_000


@pytest.fixture
def price_source() -> str:
    """Demo prices: a year of synthetic daily history and minute paths for intraday bars."""
    return "demo"


@pytest.mark.parametrize(
    ("options", "name", "words"),
    [
        ({"symbol": "cipher", "style": "candles"}, "cifr-1mo-candles.png", "candles, daily bars"),
        (
            {"symbol": "CIFR", "style": "candles", "period": "1d"},
            "cifr-1d-candles.png",
            "1 day · candles, 5-minute bars",
        ),
        (
            {"symbol": "IREN", "style": "line", "period": "5d"},
            "iren-5d-line.png",
            "5 days · line, 15-minute bars",
        ),
        ({"symbol": "WULF", "style": "line", "period": "1y"}, "wulf-1y-line.png", "1 year · line"),
        ({"symbol": "bitcoin", "style": "candles", "period": "5d"}, "btc-usd-5d-candles.png", ""),
        ({"symbol": "CIFR", "style": "compare"}, "cifr-1mo.png", "normalised performance"),
    ],
)
async def test_each_style_posts_a_png_marked_demo(
    sandbox: SandboxSession, options: dict[str, str], name: str, words: str
) -> None:
    result = await chart(sandbox, **options)
    assert result.deferred and not result.ephemeral
    (message,) = result.visible
    (attachment,) = message.attachments
    assert attachment.filename == name
    data = attachment.data
    assert data.startswith(PNG_SIGNATURE) and len(data) < PNG_BUDGET
    assert struct.unpack(">II", data[16:24]) == (int(WIDTH_IN * DPI), int(HEIGHT_IN * DPI))
    assert result.content.startswith("[DEMO]") and "(synthetic prices)" in result.content
    assert words in result.content


async def test_candles_for_cipher_name_no_missing_averages(sandbox: SandboxSession) -> None:
    result = await chart(sandbox, symbol="CIFR", style="candles", period="1y")
    assert "average" not in result.content  # the lookback covers both averages


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"symbol": "CIFR", "period": "1d"}, "the compare chart uses daily closes"),
        ({"symbol": "CIFR", "style": "compare", "period": "1d"}, "for 1 day pick style candles"),
        ({"symbol": "CIFR", "style": "candles", "compare": "IREN"}, "only style compare draws"),
        ({"symbol": "CIFR", "style": "line", "compare": "IREN"}, "line shows one"),
    ],
)
async def test_option_combinations_that_cannot_be_drawn_are_refused_privately(
    sandbox: SandboxSession, options: dict[str, str], says: str
) -> None:
    result = await chart(sandbox, **options)
    assert result.ephemeral and not result.deferred
    assert says in result.text()
    assert not sandbox.emu.posts(sandbox.world.general.id)


async def test_an_unknown_symbol_intraday_is_a_private_clear_message(
    sandbox: SandboxSession,
) -> None:
    result = await sandbox.invoke(
        "chart", {"symbol": "ZZZZ", "style": "line", "period": "1d"}, user=sandbox.world.member
    )
    await result.wait_for(lambda r: r.followups, timeout=10)
    (shown,) = result.visible
    assert shown.ephemeral and not shown.attachments
    assert "No intraday prices for ZZZZ" in shown.content


@pytest.mark.parametrize(
    "options",
    [{"symbol": "IRNE"}, {"symbol": "IRNE", "style": "candles", "period": "1y"}],
)
async def test_a_misspelt_symbol_is_refused_with_its_close_matches(
    sandbox: SandboxSession, options: dict[str, str]
) -> None:
    """A symbol nothing knows and with no history is a typo until shown otherwise: the reply
    offers the tracked symbols it resembles rather than blaming a history refresh."""
    result = await sandbox.invoke("chart", options, user=sandbox.world.member)
    await result.wait_for(lambda r: r.followups, timeout=10)
    (shown,) = result.visible
    assert shown.ephemeral and not shown.attachments
    assert "No price found for IRNE" in shown.content
    assert "Did you mean IREN?" in shown.content
    assert not sandbox.emu.posts(sandbox.world.general.id)
