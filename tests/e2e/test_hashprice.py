"""Hashprice through the emulator: /price BTC-USD, the summary header, /help and its alert."""

from __future__ import annotations

from typing import Any

import pytest

from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession
from btcnet_emulator import FakeNetwork
from btcnet_emulator.server import Mode
from tests.e2e.alerts_helpers import WAIT, add_alert, settled, tick_at
from tests.e2e.conftest import REPLAY_CSV
from tests.e2e.deals_helpers import run

# BTC-USD at 91,000 from the start, 80,000 a minute later. The stand-in serves difficulty
# 149.3 T and 3.145 BTC a block: 38.56 then 33.90 USD per PH/s per day.
TIMELINE = REPLAY_CSV + "+60,BTC-USD,80000,90000,1200\n"


@pytest.fixture
def replay_csv() -> str:
    return TIMELINE


@pytest.fixture
def network_mode() -> Mode:
    """How the network stand-in answers (a test that wants it failing says so)."""
    return "ok"


@pytest.fixture
def settings_overrides(stand_in: FakeNetwork, network_mode: Mode) -> dict[str, Any]:
    # Set before the bot starts: its scheduler polls the network once at start-up, and a
    # failure switched on later could come after that poll had already succeeded.
    stand_in.mode = network_mode
    return {"btc_network_url": stand_in.url}


async def polled(sandbox: SandboxSession) -> None:
    """Run the network job once (the scheduler's first run, made deterministic)."""
    await sandbox.bot.services.poll_network()


async def test_bitcoins_card_shows_the_hashprice_with_its_inputs(sandbox: SandboxSession) -> None:
    await polled(sandbox)
    result = await run(sandbox, "price", {"symbol": "btc"}, user=sandbox.world.member)
    fields = {f["name"]: f["value"] for f in result.embeds[0]["fields"]}
    hashprice = fields["Hashprice"]
    assert hashprice.startswith("**$38.56/PH/s/day**\ndifficulty 149.30 T")
    assert "reward 3.1450 BTC per block (subsidy + fees, last 144 blocks)" in hashprice
    assert "BTC $91,000 as of <t:" in hashprice


async def test_other_cards_have_no_hashprice(sandbox: SandboxSession) -> None:
    await polled(sandbox)
    result = await run(sandbox, "price", {"symbol": "CIFR"})
    assert "Hashprice" not in {f["name"] for f in result.embeds[0]["fields"]}


@pytest.mark.parametrize("network_mode", ["429", "500", "garbage"])
async def test_a_failing_network_source_leaves_the_hashprice_unknown(
    sandbox: SandboxSession,
) -> None:
    await polled(sandbox)
    result = await run(sandbox, "price", {"symbol": "BTC-USD"})
    fields = {f["name"]: f["value"] for f in result.embeds[0]["fields"]}
    assert fields["Hashprice"].startswith("— (no recent network data)")


async def test_the_summary_header_carries_the_hashprice(sandbox: SandboxSession) -> None:
    await polled(sandbox)
    result = await run(sandbox, "summary preview", {}, user=sandbox.world.member)
    header = result.embeds[0]["description"]
    assert "**Hashprice** $38.56/PH/s/day" in header


async def test_help_economics_works_the_formula_through(sandbox: SandboxSession) -> None:
    await polled(sandbox)
    result = await run(sandbox, "help", {"topic": "economics"})
    assert result.ephemeral
    text = result.text()
    assert "EV** (enterprise value) = market cap + total debt − cash" in text
    assert "× 3.1450 BTC × $91,000.00 = **$38.56/PH/s/day**" in text


async def test_a_hashprice_alert_fires_when_bitcoin_falls(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    await polled(sandbox)
    reply, alert_id = await add_alert(
        sandbox, symbol="bitcoin", condition="hashprice_below", value=35
    )
    assert alert_id is not None, reply
    general = sandbox.world.general.id
    await tick_at(sandbox, e2e_clock, 60)  # BTC 91,000 → 80,000: hashprice 38.56 → 33.90
    (post,) = await sandbox.emu.wait_for_posts(general, 1, WAIT)
    text = " ".join([post.content, *(str(e) for e in post.embeds)])
    assert "HASHPRICE" in text
    assert f"<@{sandbox.world.member.id}>" in post.content
    rows = await settled(sandbox)
    assert sum(1 for r in rows if r.kind == "alert") == 1


async def test_a_hashprice_alert_on_another_symbol_is_refused(sandbox: SandboxSession) -> None:
    await polled(sandbox)
    reply, alert_id = await add_alert(sandbox, symbol="CIFR", condition="hashprice_below", value=35)
    assert alert_id is None
    assert reply.startswith("condition: hashprice_below watches bitcoin's hashprice")
    assert await sandbox.bot.store.alerts.active_symbols() == set()


@pytest.mark.parametrize("network_mode", ["500"])
async def test_no_hashprice_alert_without_network_data(sandbox: SandboxSession) -> None:
    await polled(sandbox)
    reply, alert_id = await add_alert(
        sandbox, symbol="BTC-USD", condition="hashprice_below", value=35
    )
    assert alert_id is None
    assert "the hashprice is unknown right now" in reply
