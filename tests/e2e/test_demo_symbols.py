"""Demo prices exist only for the tracked universe and a short documented list of extras."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.market.demo import EXTRA_SYMBOLS
from bot.sandbox.session import SandboxSession
from tests.e2e.alerts_helpers import add_alert
from tests.e2e.test_prices import price, private_reply


@pytest.fixture
def price_source() -> str:
    """Demo prices (synthetic, with a year of history) for every test here."""
    return "demo"


@pytest.mark.parametrize("typed", ["NOTAREALSYM", "12345", "XYZQ"])
async def test_a_symbol_without_demo_prices_is_unknown(sandbox: SandboxSession, typed: str) -> None:
    text = await private_reply(await price(sandbox, typed))
    assert text.startswith(f"No price found for {typed}: the price source does not know")
    assert typed not in await sandbox.bot.pipeline.watchlist()


async def test_an_unknown_symbol_gets_close_matches_as_with_yahoo(sandbox: SandboxSession) -> None:
    text = await private_reply(await price(sandbox, "CIFT"))
    assert "No price found for CIFT" in text and "Did you mean CIFR" in text


@pytest.mark.parametrize("typed", ["eth", "ethereum", "ETH-USD"])
async def test_ether_resolves_as_bitcoin_does(sandbox: SandboxSession, typed: str) -> None:
    result = await price(sandbox, typed)
    assert not result.ephemeral
    (embed,) = result.embeds
    assert embed["title"] == "[DEMO] ETH-USD"
    btc = (await price(sandbox, "bitcoin")).embeds[0]
    assert btc["title"].startswith("[DEMO] BTC-USD")


README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


async def test_every_documented_extra_symbol_has_demo_prices(sandbox: SandboxSession) -> None:
    readme = README
    for symbol in EXTRA_SYMBOLS:
        assert f"`{symbol}`" in readme, f"{symbol} is not listed in the README"
        (embed,) = (await price(sandbox, symbol)).embeds
        assert embed["title"].startswith(f"[DEMO] {symbol}")


async def test_an_alert_on_an_unknown_symbol_is_refused(sandbox: SandboxSession) -> None:
    reply, created = await add_alert(sandbox, symbol="NOTREAL", condition="above", value=10.0)
    assert created is None
    assert reply.startswith("No price found for NOTREAL")
    assert not await sandbox.bot.store.alerts.active_symbols()
    assert "NOTREAL" not in await sandbox.bot.pipeline.watchlist()
    status = await sandbox.invoke("status", {}, user=sandbox.world.member)
    await status.wait_done(timeout=15)
    assert "NOTREAL" not in status.text()
