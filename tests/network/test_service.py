"""The network data through a local stand-in of the REST API: figures, failures, backoff."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.market.models import DataSource, Quote
from bot.network.client import NetworkClient, NetworkDataError
from bot.network.service import BitcoinNetwork
from btcnet_emulator import FakeNetwork
from tests.factories import NOW, quote


@pytest.fixture
def network_clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def network(
    stand_in: FakeNetwork, network_clock: ManualClock
) -> AsyncIterator[BitcoinNetwork]:
    """The network service polling the stand-in, with a live BTC price of 91,000 USD."""
    service = BitcoinNetwork(NetworkClient(stand_in.url), btc, network_clock)
    try:
        yield service
    finally:
        await service.aclose()


def btc(price: float = 91_000.0, source: DataSource = DataSource.YAHOO) -> Quote:
    return quote("BTC-USD", price, source=source)


async def test_the_client_reads_difficulty_and_the_average_reward(stand_in: FakeNetwork) -> None:
    client = NetworkClient(stand_in.url)
    try:
        stats = await client.fetch(NOW)
    finally:
        await client.aclose()
    assert stats.difficulty == 149.3e12
    assert stats.blocks == 144
    assert stats.reward_btc == pytest.approx(3.145)
    assert stats.fees_btc == pytest.approx(0.02)
    assert sorted(stand_in.seen) == [
        "/api/v1/mining/hashrate/3d",
        "/api/v1/mining/reward-stats/144",
    ]


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("429", "HTTP 429"),
        ("500", "HTTP 503"),
        ("garbage", "not JSON"),
        ("wrong-shape", "currentDifficulty is missing"),
    ],
)
async def test_each_failure_is_a_clear_error(stand_in: FakeNetwork, mode: str, reason: str) -> None:
    stand_in.mode = mode  # type: ignore[assignment]
    client = NetworkClient(stand_in.url)
    try:
        with pytest.raises(NetworkDataError, match=reason):
            await client.fetch(NOW)
    finally:
        await client.aclose()


async def test_hashprice_from_the_stand_in_and_our_btc_price(network: BitcoinNetwork) -> None:
    assert network.hashprice() is None  # nothing polled yet: unknown
    assert await network.poll()
    hp = network.hashprice()
    assert hp is not None and not hp.demo and not hp.stale
    assert round(hp.usd_per_ph_day, 2) == 38.56


async def test_a_demo_btc_price_makes_the_hashprice_demo(
    stand_in: FakeNetwork, network_clock: ManualClock
) -> None:
    network = BitcoinNetwork(
        NetworkClient(stand_in.url), lambda: btc(source=DataSource.DEMO), network_clock
    )
    try:
        await network.poll()
        hp = network.hashprice()
        assert hp is not None and hp.demo
        alerted = network.hashprice_quote()
        assert alerted is not None and alerted.is_demo and alerted.symbol == "HASHPRICE"
    finally:
        await network.aclose()


@pytest.mark.parametrize("mode", ["429", "500", "garbage"])
async def test_failures_keep_the_last_figures_marked_stale_then_unknown(
    stand_in: FakeNetwork, network: BitcoinNetwork, network_clock: ManualClock, mode: str
) -> None:
    await network.poll()
    stand_in.mode = mode  # type: ignore[assignment]
    network_clock.advance(timedelta(minutes=10))
    assert not await network.poll()
    assert network.last_error is not None
    network_clock.advance(timedelta(minutes=25))  # 35 minutes old: still shown, stale
    hp = network.hashprice()
    assert hp is not None and hp.stale
    assert round(hp.usd_per_ph_day, 2) == 38.56
    quoted = network.hashprice_quote()
    assert quoted is not None and quoted.stale  # a stale figure fires no alert
    network_clock.advance(timedelta(hours=6))  # too old: unknown, never a guess
    assert network.hashprice() is None


async def test_polls_are_ten_minutes_apart_and_back_off_after_failures(
    stand_in: FakeNetwork, network: BitcoinNetwork, network_clock: ManualClock
) -> None:
    assert await network.poll()
    assert not await network.poll()  # again at once: no request
    assert stand_in.requests() == 2
    network_clock.advance(timedelta(minutes=10))
    stand_in.mode = "429"
    assert not await network.poll()
    failed = stand_in.requests()
    network_clock.advance(timedelta(minutes=10))  # backing off: 20 minutes after one failure
    assert not await network.poll() and stand_in.requests() == failed
    network_clock.advance(timedelta(minutes=10))
    stand_in.mode = "ok"
    assert await network.poll()


async def test_without_a_btc_price_the_hashprice_is_unknown(
    stand_in: FakeNetwork, network_clock: ManualClock
) -> None:
    network = BitcoinNetwork(NetworkClient(stand_in.url), lambda: None, network_clock)
    try:
        await network.poll()
        assert network.hashprice() is None
    finally:
        await network.aclose()
