"""A client for a mempool.space-style REST API: current difficulty and the latest rewards."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import aiohttp

from bot.network.hashprice import SATS_PER_BTC, NetworkStats

HASHRATE_PATH: Final = "/v1/mining/hashrate/3d"
# The last 144 blocks: about a day of subsidy and fees.
REWARD_BLOCKS: Final = 144
REWARDS_PATH: Final = f"/v1/mining/reward-stats/{REWARD_BLOCKS}"
TIMEOUT_SECONDS: Final = 10.0
MAX_BODY: Final = 1_000_000  # the 3-day hashrate series is a few kB; more is not an answer


class NetworkDataError(Exception):
    """The source did not give usable figures."""

    def __init__(self, reason: str, *, throttled: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.throttled = throttled


def _number(payload: Mapping[str, Any], key: str) -> float:
    """Return a positive finite number (the API sends some as digit strings)."""
    raw = payload.get(key)
    if isinstance(raw, bool):
        raise NetworkDataError(f"{key} is not a number")
    try:
        value = float(raw) if isinstance(raw, int | float | str) else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise NetworkDataError(f"{key} is missing or not a usable number")
    return value


def parse_stats(
    hashrate: Mapping[str, Any], rewards: Mapping[str, Any], fetched_at: datetime
) -> NetworkStats:
    """Return the figures of the two answers; raise NetworkDataError on anything unusable."""
    difficulty = _number(hashrate, "currentDifficulty")
    current = _number(hashrate, "currentHashrate")
    total, fees = _number(rewards, "totalReward"), _number(rewards, "totalFee")
    start, end = _number(rewards, "startBlock"), _number(rewards, "endBlock")
    blocks = int(abs(end - start)) + 1
    if difficulty <= 0 or total <= 0 or fees > total or blocks <= 0:
        raise NetworkDataError("the figures contradict each other")
    return NetworkStats(
        difficulty=difficulty,
        hashrate=current,
        reward_btc=total / blocks / SATS_PER_BTC,
        fees_btc=fees / blocks / SATS_PER_BTC,
        blocks=blocks,
        fetched_at=fetched_at,
    )


class NetworkClient:
    """Ask the API for its figures (two GET requests)."""

    def __init__(self, base_url: str, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self._base = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def fetch(self, now: datetime) -> NetworkStats:
        """Return the current figures; raise NetworkDataError when they cannot be had."""
        hashrate = await self._get(HASHRATE_PATH)
        rewards = await self._get(REWARDS_PATH)
        return parse_stats(hashrate, rewards, now)

    async def _get(self, path: str) -> Mapping[str, Any]:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.get(self._base + path) as response:
                if response.status == 429 or response.status >= 500:
                    raise NetworkDataError(
                        f"HTTP {response.status} on {path}", throttled=response.status == 429
                    )
                if response.status != 200:
                    raise NetworkDataError(f"HTTP {response.status} on {path}")
                body = await response.content.read(MAX_BODY + 1)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise NetworkDataError(f"network: {type(exc).__name__} on {path}") from exc
        if len(body) > MAX_BODY:
            raise NetworkDataError(f"answer too large on {path}")
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise NetworkDataError(f"not JSON on {path}") from exc
        if not isinstance(payload, Mapping):
            raise NetworkDataError(f"unexpected answer on {path}")
        return payload

    async def aclose(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None
