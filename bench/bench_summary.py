"""A daily-summary run for 1,000 servers through the local Discord, Discord's rate limits on.

Run: .venv/bin/python -m bench.bench_summary [--servers 1000]
Writes bench/results/summary.md.

The real bot (SummaryService, the outbox worker, DiscordSender over discord.py) runs against
the emulator with Discord's limits enforced: 50 requests per second globally, 5 messages per
5 seconds per channel. 1,000 servers have the summary configured for the same minute; at
that minute every server's job runs at once (as APScheduler fires them), each composing its
message from the shared part and queueing it, and the worker delivers them all. Figures:
how many times the shared part and the chart were rendered, posts per second, 429s served
per phase, and the process's peak resident memory.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import bench_settings, machine, publish, rss_mb, sizes
from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession, SandboxWorld
from bot.summary.catchup import Action
from bot.summary.service import job_id
from discord_emulator import DiscordEmulator

START = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # Wednesday, 10:00 in New York
SLOT = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)  # 16:30 in New York: every server's time
DELIVERY_TIMEOUT = 300.0
TARGET_RATE = 40.0


@dataclass
class Timeline:
    """Per-second samples of posts delivered and 429s served, from the first job on."""

    started: float = field(default_factory=time.perf_counter)
    samples: list[tuple[float, int, int, int]] = field(default_factory=list)

    def add(self, posts: int, served_429: int, served_global: int) -> None:
        self.samples.append((time.perf_counter() - self.started, posts, served_429, served_global))


def peak_rss_mb() -> float:
    """Return the process's peak resident memory (VmHWM) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return rss_mb()


def build_world(emu: DiscordEmulator, servers: int) -> tuple[SandboxWorld, list[tuple[int, int]]]:
    """Create the sandbox world plus ``servers - 1`` more servers with one channel each."""
    world = SandboxWorld.build(emu)
    targets = [(world.guild.id, world.daily.id)]
    for n in range(1, servers):
        guild = emu.add_guild(f"Server {n}", owner_id=world.admin.id)
        targets.append((guild.id, emu.add_channel(guild.id, "daily").id))
    return world, targets


async def sample(emu: DiscordEmulator, channels: list[int], timeline: Timeline) -> None:
    """Record posts and 429s every 100 ms until cancelled."""
    while True:
        posts = sum(len(emu.world.channel_messages.get(c, [])) for c in channels)
        timeline.add(posts, emu.ratelimits.served_429, emu.ratelimits.served_global_429)
        await asyncio.sleep(0.1)


async def main(servers: int) -> str:
    logging.basicConfig(level=logging.WARNING)
    settings = bench_settings("summary")
    clock = ManualClock(START)
    emu = await DiscordEmulator().start()
    world, targets = build_world(emu, servers)
    started = time.perf_counter()
    session = await SandboxSession.start(settings, clock=clock, emulator=emu, world=world)
    cold_start = time.perf_counter() - started
    bot = session.bot
    try:
        await bot.pipeline.tick()
        await bot.pipeline.refresh_history()
        configured = time.perf_counter()
        for guild_id, channel_id in targets:
            await bot.summaries.configure(guild_id, channel_id)
        configure_seconds = time.perf_counter() - configured
        jobs = [bot.scheduler.aps.get_job(job_id(guild_id)) for guild_id, _ in targets]
        assert all(job is not None for job in jobs)
        emu.ratelimits.enable()
        clock.set(SLOT)
        rss_before = rss_mb()

        channels = [channel_id for _, channel_id in targets]
        timeline = Timeline()
        sampler = asyncio.create_task(sample(emu, channels, timeline))
        # Every server's job fires at the same instant, as the scheduler runs them.
        outcomes: list[Any] = await asyncio.gather(*(job.func() for job in jobs))
        queued_seconds = time.perf_counter() - timeline.started
        await emu.messenger.posted.wait_until(
            lambda: sum(len(emu.world.channel_messages.get(c, [])) for c in channels) >= servers,
            DELIVERY_TIMEOUT,
            lambda: "not every summary was delivered",
        )
        delivered_seconds = time.perf_counter() - timeline.started
        sampler.cancel()
        timeline.add(servers, emu.ratelimits.served_429, emu.ratelimits.served_global_429)
        # A second run in the same minute must post nothing more.
        again: list[Any] = await asyncio.gather(*(job.func() for job in jobs))
        await bot.outbox.deliver_due()
        per_channel = [len(emu.posts(c)) for c in channels]
        pngs = sum(len(m.attachments) for c in channels for m in emu.posts(c))
        attachment_mb = sum(
            len(a.data) for c in channels for m in emu.posts(c) for a in m.attachments
        ) / (1024 * 1024)
        chart_builds, shared_builds = bot.summaries.charts.builds, bot.summaries.shared.builds
        rss_after, peak = rss_mb(), peak_rss_mb()
        problems = emu.problems()
        files_row = await bot.store.db.fetch_one("SELECT count(*) FROM outbox_files")
        stored_files = int(files_row[0]) if files_row else -1
    finally:
        await session.stop()

    first_post = next((t for t, posts, _, _ in timeline.samples if posts > 0), 0.0)
    burst_end = first_post + 1.0
    in_burst = max((s[2] for s in timeline.samples if s[0] <= burst_end), default=0)
    total_429 = timeline.samples[-1][2]
    total_global = timeline.samples[-1][3]
    send_seconds = delivered_seconds - first_post
    rate = servers / send_seconds if send_seconds > 0 else float("inf")
    per_second = _per_second(timeline)
    lines = [
        "# Daily summary: one run for many servers",
        "",
        "Command: `.venv/bin/python -m bench.bench_summary"
        + (f" --servers {servers}`" if servers != 1000 else "`"),
        "",
        f"Machine: {machine()}",
        "",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        "The real bot (SummaryService → outbox → OutboxWorker → DiscordSender over discord.py)",
        "against the local Discord with its rate limits on (50 requests/s globally, 5",
        "messages per 5 s per channel), demo prices. Every server has the summary at 16:30",
        "New York time; at that instant all jobs run at once, as APScheduler fires them.",
        "Bot and emulator share this process and its event loop, so the emulator's work",
        "(multipart parsing, spec validation, storing every attachment) is in every figure.",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| servers | {servers:,} |",
        f"| chart renders (PNG) | **{chart_builds}** |",
        f"| shared-part renders (board, movers, leaderboard) | **{shared_builds}** |",
        f"| chart files stored in the outbox | {stored_files} |",
        f"| jobs that posted / did nothing | {outcomes.count(Action.POST)} / "
        f"{outcomes.count(Action.NOTHING)} |",
        f"| all summaries queued after | {queued_seconds:.2f} s |",
        f"| first post after | {first_post:.2f} s |",
        f"| all delivered after | {delivered_seconds:.2f} s |",
        f"| delivery rate (first post → last post) | **{rate:.1f} posts/s** "
        f"(target ≥ {TARGET_RATE:.0f}) |",
        f"| 429s served: first second of sending | {in_burst} |",
        f"| 429s served: after the first second | **{total_429 - in_burst}** |",
        f"| of which global 429s (whole run) | {total_global} |",
        f"| posts per channel (min / max) | {min(per_channel)} / {max(per_channel)} |",
        f"| PNG attachments received | {pngs:,} ({attachment_mb:.0f} MiB held by the emulator) |",
        f"| second run in the same minute: posted | {again.count(Action.POST)} |",
        f"| emulator problems (spec violations, unknown routes) | {len(problems)} |",
        f"| resident memory before the run / after | {rss_before:.0f} / {rss_after:.0f} MiB |",
        f"| peak resident memory (VmHWM) of the process | **{peak:.0f} MiB** |",
        "",
        f"Set-up, not timed in the run: cold start {cold_start:.1f} s, configuring "
        f"{servers:,} servers {configure_seconds:.1f} s.",
        "",
        "Reading the figures:",
        "",
        "- Rendering: the first job to reach the shared part renders it (the chart in a",
        "  worker thread); every other job due at the same instant waits for that one render",
        "  and reuses it. Each server still composes its own header, contract changes and",
        "  alerts (pure string work, about a millisecond).",
        "- Rate: Discord allows a bot 50 requests per second in all, so 50 posts/s is the",
        "  ceiling for any number of servers; the delivery worker paces its sends just under",
        "  it, which is why the emulator had no 429 to serve. Posts start while the jobs are",
        "  still queueing, and the worker is woken once per 100 ms of queued summaries, not",
        "  once per summary (each wake-up makes it read the due rows again).",
        f"- Memory: the emulator keeps every uploaded PNG ({attachment_mb:.0f} MiB for "
        f"{pngs:,} posts) in this",
        "  same process; the bot itself holds one copy of the chart (the outbox stores it once,",
        "  the sender keeps the last few files it sent).",
        "",
        "Posts and 429s per second of the run:",
        "",
        "| second | posts | 429s |",
        "|---:|---:|---:|",
        *(f"| {second} | {posts} | {refused} |" for second, posts, refused in per_second),
    ]
    if problems:
        lines += ["", "Problems:", *(f"- {p}" for p in problems[:20])]
    return "\n".join(lines) + "\n"


def _per_second(timeline: Timeline) -> list[tuple[int, int, int]]:
    """Return (second, posts delivered in it, 429s served in it) from the samples."""
    rows: list[tuple[int, int, int]] = []
    last_posts = last_429 = 0
    second = 0
    for t, posts, refused, _ in timeline.samples:
        while t >= second + 1:
            rows.append((second, 0, 0))
            second += 1
        if rows and rows[-1][0] == second:
            _, p, r = rows[-1]
            rows[-1] = (second, p + posts - last_posts, r + refused - last_429)
        else:
            rows.append((second, posts - last_posts, refused - last_429))
        last_posts, last_429 = posts, refused
    return [row for row in rows if row[1] or row[2]] or rows[:1]


if __name__ == "__main__":
    report = asyncio.run(main(sizes(__doc__, servers=1000).servers))
    publish(report, "summary.md")
