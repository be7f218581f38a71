"""Synthetic network figures for the demo price source (the hashprice is then DEMO)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from bot.network.hashprice import NetworkStats

# Plausible late-2025 levels: difficulty about 150 T, 3.125 BTC subsidy plus small fees.
DEMO_DIFFICULTY: Final = 150e12
DEMO_REWARD_BTC: Final = 3.145
DEMO_FEES_BTC: Final = 0.02


class DemoNetwork:
    """Answer with the same fixed figures every time, without any request."""

    async def fetch(self, now: datetime) -> NetworkStats:
        """Return the demo figures, dated now."""
        return NetworkStats(
            difficulty=DEMO_DIFFICULTY,
            hashrate=DEMO_DIFFICULTY * 2**32 / 600,
            reward_btc=DEMO_REWARD_BTC,
            fees_btc=DEMO_FEES_BTC,
            blocks=144,
            fetched_at=now,
        )

    async def aclose(self) -> None:
        """Nothing to close."""
