"""Interaction → first response through the local Discord, and cold start to ready.

Run: .venv/bin/python -m bench.bench_interactions [--count 1000]
Writes bench/results/interactions.md.
"""

from __future__ import annotations

import asyncio
import logging
import time

from bench.common import bench_settings, machine, percentile, publish, rss_mb, sizes
from bot.sandbox.session import SandboxSession
from discord_emulator import InteractionResult


async def first_response_ms(session: SandboxSession, command: str) -> float:
    """Invoke ``command`` and return the time until the bot's first response arrived."""
    started = time.perf_counter()
    result: InteractionResult = await session.invoke(command)
    await result.wait_ack(timeout=5)
    return (time.perf_counter() - started) * 1000


async def main(count: int) -> str:
    logging.basicConfig(level=logging.WARNING)
    settings = bench_settings("interactions")
    started = time.perf_counter()
    session = await SandboxSession.start(settings)
    cold_start = time.perf_counter() - started
    try:
        for _ in range(50):  # warm-up: caches, code paths
            await first_response_ms(session, "help")
        samples = [await first_response_ms(session, "help") for _ in range(count)]
        memory = rss_mb()
    finally:
        await session.stop()
    lines = [
        "# Interactions through the local Discord",
        "",
        "Command: `.venv/bin/python -m bench.bench_interactions`",
        "",
        f"Machine: {machine()}",
        "",
        "Both the emulator and the bot run in this one process on one event loop, so each",
        "figure includes the emulator's own work (building INTERACTION_CREATE, the gateway",
        "frame, the callback request with spec validation): the bot's share is smaller.",
        "",
        f"Cold start to ready (store migrate + ledger seed + calendar + login + sync + READY): "
        f"**{cold_start * 1000:.0f} ms**",
        "",
        f"`/help`, invoke → first response, {count} invocations after 50 warm-up:",
        "",
        "| p50 | p90 | p99 | max | target p99 |",
        "|---:|---:|---:|---:|---:|",
        f"| {percentile(samples, 50):.2f} ms | {percentile(samples, 90):.2f} ms | "
        f"{percentile(samples, 99):.2f} ms | {max(samples):.2f} ms | < 20 ms |",
        "",
        f"Resident memory after the run: {memory:.0f} MiB.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    report = asyncio.run(main(sizes(__doc__, count=1000).count))
    publish(report, "interactions.md")
