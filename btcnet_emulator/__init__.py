"""A local stand-in for a mempool.space-style REST API (tests and benchmarks; not shipped)."""

from .server import FakeNetwork, hashrate_payload, reward_payload

__all__ = ["FakeNetwork", "hashrate_payload", "reward_payload"]
