"""Serve /v1/mining/hashrate/3d and /v1/mining/reward-stats/N on 127.0.0.1, in the documented
shape, with switchable failures: 429, 5xx, garbage."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from local_http import StandIn

Mode = Literal["ok", "429", "500", "garbage", "wrong-shape"]


def hashrate_payload(difficulty: float, hashrate: float, at: int = 1_764_000_000) -> dict[str, Any]:
    """Return a hashrate answer: a short series and the current figures."""
    return {
        "hashrates": [{"timestamp": at - 86_400 * i, "avgHashrate": hashrate} for i in (2, 1, 0)],
        "difficulty": [
            {"time": at, "height": 925_000, "difficulty": difficulty, "adjustment": 1.0}
        ],
        "currentHashrate": hashrate,
        "currentDifficulty": difficulty,
    }


def reward_payload(total_sats: int, fee_sats: int, blocks: int = 144) -> dict[str, Any]:
    """Return a reward-stats answer over ``blocks`` blocks (the API sends digit strings)."""
    end = 925_143
    return {
        "startBlock": end - blocks + 1,
        "endBlock": end,
        "totalReward": str(total_sats),
        "totalFee": str(fee_sats),
        "totalTx": str(blocks * 3_000),
    }


@dataclass
class FakeNetwork(StandIn[str]):
    """The figures to serve and how to fail; ``start()`` then ``url`` is the API's base URL."""

    difficulty: float = 149.3e12
    hashrate: float = 1.07e21
    total_reward_sats: int = 144 * 314_500_000
    total_fee_sats: int = 144 * 2_000_000
    mode: Mode = "ok"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def requests(self) -> int:
        """Return how many requests were answered so far."""
        return len(self.logged())

    def answer(self, path: str) -> tuple[int, bytes]:
        """Return the status and body for ``path``."""
        if self.mode == "429":
            return 429, b"Too Many Requests"
        if self.mode == "500":
            return 503, b"<html>Service Unavailable</html>"
        if self.mode == "garbage":
            return 200, b"<html>not json{"
        if path == "/api/v1/mining/hashrate/3d":
            body: dict[str, Any] = hashrate_payload(self.difficulty, self.hashrate)
        elif path.startswith("/api/v1/mining/reward-stats/"):
            blocks = int(path.rsplit("/", 1)[-1])
            body = reward_payload(self.total_reward_sats, self.total_fee_sats, blocks)
        else:
            return 404, b"Not Found"
        if self.mode == "wrong-shape":
            body = {"unexpected": list(body)}
        return 200, json.dumps(body).encode()

    def reply(self, raw_path: str) -> tuple[int, str, bytes]:
        status, body = self.answer(raw_path.split("?", 1)[0])
        self.record(raw_path)
        return status, "application/json", body
