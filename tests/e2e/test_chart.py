"""/chart through the emulator: a PNG from demo history, options, and too little history."""

from __future__ import annotations

import struct

import pytest

from bot.render.chart import DPI, HEIGHT_IN, PNG_LIMIT_BYTES, WIDTH_IN
from bot.sandbox.session import SandboxSession
from tests.e2e.chart_helpers import PNG_SIGNATURE, chart, png_of


@pytest.fixture
def price_source() -> str:
    """Demo prices (a year of synthetic history) unless a test parametrizes "replay"."""
    return "demo"


@pytest.mark.parametrize(
    ("options", "name"),
    [
        ({"symbol": "cipher"}, "cifr-1mo.png"),
        ({"symbol": "IREN", "period": "5d"}, "iren-5d.png"),
        ({"symbol": "WULF", "period": "1y"}, "wulf-1y.png"),
        ({"symbol": "APLD", "period": "ytd", "compare": "nebius"}, "apld-ytd.png"),
        ({"symbol": "bitcoin", "period": "3mo"}, "btc-usd-3mo.png"),
    ],
)
async def test_chart_is_a_png_of_the_expected_size(
    sandbox: SandboxSession, options: dict[str, str], name: str
) -> None:
    result = await chart(sandbox, **options)
    assert result.deferred and not result.ephemeral
    data = png_of(result)
    assert data.startswith(PNG_SIGNATURE)
    assert struct.unpack(">II", data[16:24]) == (int(WIDTH_IN * DPI), int(HEIGHT_IN * DPI))
    assert len(data) < PNG_LIMIT_BYTES
    assert result.visible[0].attachments[0].filename == name
    assert result.content.startswith("[DEMO]")


async def test_compare_with_itself_is_refused_before_deferring(sandbox: SandboxSession) -> None:
    result = await chart(sandbox, symbol="CIFR", compare="cipher")
    assert result.ephemeral and not result.deferred
    assert "pick a symbol other than CIFR" in result.text()


async def test_malformed_symbol_is_refused_before_deferring(sandbox: SandboxSession) -> None:
    result = await chart(sandbox, symbol="@here")
    assert result.ephemeral and not result.deferred
    assert "@here" not in result.text()


async def test_chart_autocomplete_covers_symbol_and_compare(sandbox: SandboxSession) -> None:
    for focused in ("symbol", "compare"):
        choices = await sandbox.emu.autocomplete(
            sandbox.world.guild.id,
            sandbox.world.general.id,
            sandbox.world.member.id,
            "chart",
            {"symbol": "CIFR"} if focused == "compare" else {},
            focused=focused,
            value="neb",
        )
        assert choices[0]["value"] == "NBIS"


@pytest.mark.parametrize("price_source", ["replay"])
async def test_too_little_history_is_a_private_message(sandbox: SandboxSession) -> None:
    result = await sandbox.invoke("chart", {"symbol": "CIFR"}, user=sandbox.world.member)
    await result.wait_for(lambda r: r.followups, timeout=10)
    (shown,) = result.visible
    assert shown.ephemeral and not shown.attachments
    assert "Not enough price history to chart CIFR" in shown.content
    assert not sandbox.emu.posts(sandbox.world.general.id)
