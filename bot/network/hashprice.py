"""Hashprice: what one PH/s of hashrate is expected to earn in a day, in US dollars.

    hashprice = 10^15 × 86,400 ÷ (difficulty × 2^32) × (subsidy + fees per block) × BTC price

One hash finds a block with probability 1 ÷ (difficulty × 2^32); a PH/s makes 10^15 hashes a
second, 86,400 seconds a day. The reward per block is the average over the latest blocks
(subsidy plus fees), the BTC price our own quote.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.i18n import N_

HASHES_PER_PH: Final = 1e15
SECONDS_PER_DAY: Final = 86_400
TWO_TO_32: Final = 2**32
SATS_PER_BTC: Final = 100_000_000
# Alerts on the hashprice are stored as "below" alerts on this name (it is no ticker, and
# never polled as one); /alert add's condition hashprice_below on BTC-USD creates them.
HASHPRICE_SYMBOL: Final = "HASHPRICE"
HASHPRICE_BELOW: Final = "hashprice_below"
FORMULA: Final = N_(
    "hashprice (USD per PH/s per day) = 10¹⁵ × 86,400 ÷ (difficulty × 2³²) × "
    "(subsidy + fees per block, BTC) × BTC price"
)


def blocks_per_ph_day(difficulty: float) -> float:
    """Return the blocks one PH/s is expected to find in a day at ``difficulty``."""
    return HASHES_PER_PH * SECONDS_PER_DAY / (difficulty * TWO_TO_32)


def hashprice_usd(difficulty: float, reward_btc: float, btc_usd: float) -> float:
    """Return USD per PH/s per day; raise ValueError for a figure that cannot be right."""
    for name, value in (("difficulty", difficulty), ("reward", reward_btc), ("price", btc_usd)):
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    return blocks_per_ph_day(difficulty) * reward_btc * btc_usd


@dataclass(frozen=True, slots=True)
class NetworkStats:
    """What the network-data source said: difficulty and the latest blocks' rewards."""

    difficulty: float
    hashrate: float  # hashes per second, the source's current estimate
    reward_btc: float  # average subsidy + fees per block over the window
    fees_btc: float  # of which fees, per block
    blocks: int  # blocks averaged
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class Hashprice:
    """Hashprice with its inputs; DEMO when the BTC price is, stale when the stats are."""

    usd_per_ph_day: float
    stats: NetworkStats
    btc_usd: float
    btc_as_of: datetime
    demo: bool
    stale: bool

    @property
    def as_of(self) -> datetime:
        """Return the older of the network figures' and the price's time."""
        return min(self.stats.fetched_at, self.btc_as_of)
