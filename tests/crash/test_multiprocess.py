"""Three bot processes over 8 shards on PostgreSQL: SIGKILL the leader and a delivering follower.

Sixteen servers, two on each of the 8 shards, each with two alert channels (ten alerts
each, as in the single-process crash test) and a daily summary due at a minute inside the
run. Three real `python -m bot run` processes share the shards (0-2, 3-5, 6-7) and one
PostgreSQL database; one of them leads (it polls prices and fires alerts), every one
delivers the outbox. The price climbs through every level just before the summaries are due.

During the storm the leader is SIGKILLed when the emulator creates the n-th alert message,
and a follower (the first process not leading to reach it) when the emulator answers its k-th
post (it has a row claimed and in flight, and no answer yet). Each comes back after a
moment; the leader only once a standby has taken over (or the 15 s allowed for that have
passed), so the takeover is a standby's.
Then everything drains, and: every alert was reported exactly once, every server got one
summary, a standby logged "became the leader" within 15 s of the kill, no outbox row is left
pending, and one process leads once the killed ones are back. Each process reaches the
emulator through its own relay, so the test also knows who sent what: a post sent a second
time is allowed only when its first sender died with it in flight (Discord's nonce memory
would hide any other double delivery for a few minutes only).

The kill points are drawn from a seed, printed with any failure: MINERWATCH_CRASH_SEED=<seed>
draws the same points again (or others).
"""

from __future__ import annotations

import asyncio
import functools
import os
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import pytest

from bot.market.calendar import TradingCalendar
from bot.store import Store
from discord_emulator import Channel, DiscordEmulator, Message
from tests.crash.fleet import Fleet, Member
from tests.crash.harness import (
    FOOTER_ID,
    Deliveries,
    World,
    assert_messages_exactly_once,
    bot_environment,
    build_world,
    configure_summaries,
    count_by,
    seed_ledger,
    store_alerts,
    write_prices,
)
from tests.crash.relay import RestRelay
from tests.postgres import Cluster, pg_database, running

pytestmark = pytest.mark.slow

SEED: Final = 20_261_206
SHARD_COUNT: Final = 8
PROCESSES: Final = ("0-2", "3-5", "6-7")
SERVERS_PER_SHARD: Final = 2
CHANNELS_PER_SERVER: Final = 2  # 16 servers x 2 channels x 10 alerts: 320 alerts
# The storm sends 64 to 224 alert messages (fewer when polls run late and group more):
# the leader's kill point is drawn below the fewest, so it always strikes.
LEADER_KILL_LAST: Final = 60
# Whichever worker claims rows first sends them: a follower may send few of the storm's.
FOLLOWER_KILL_LAST: Final = 5
RESTART_AFTER: Final = 1.0  # seconds between a kill and the restart of that process
TAKEOVER_LIMIT: Final = 15.0  # a standby leads within this many seconds of the kill
READY_TIMEOUT: Final = 90.0  # three processes starting at once on a small CI machine
# The summaries' minute is the first that starts at least this long after the spawn, so
# every process has scheduled its jobs; the storm starts a moment before it.
SUMMARY_AFTER_SPAWN: Final = 30.0
STORM_BEFORE_SUMMARY: Final = 3.0
# After the storm: a row claimed by a killed process waits out its 30 s lease.
DRAIN_TIMEOUT: Final = 90.0


@dataclass(frozen=True, slots=True)
class KillPlan:
    """Where the two kills land, drawn from a seed."""

    seed: int
    leader_at: int  # the n-th alert message the emulator creates, whoever posts it
    follower_at: int  # the k-th post of the first follower to make that many

    @classmethod
    def draw(cls, seed: int) -> KillPlan:
        rng = random.Random(seed)
        return cls(
            seed,
            rng.randint(1, LEADER_KILL_LAST),
            rng.randint(1, FOLLOWER_KILL_LAST),
        )

    def __str__(self) -> str:
        return (
            f"seed {self.seed}: leader killed at alert message {self.leader_at}, "
            f"a follower at its post {self.follower_at} "
            f"(replay: MINERWATCH_CRASH_SEED={self.seed})"
        )


def chosen_seed() -> int:
    """The seed of the kill points: fixed, unless MINERWATCH_CRASH_SEED names another."""
    return int(os.environ.get("MINERWATCH_CRASH_SEED") or SEED)


@dataclass(frozen=True, slots=True)
class Server:
    """A server of the test world: its alert channels and its summary channel."""

    world: World
    daily: Channel


def build_servers(emu: DiscordEmulator) -> list[Server]:
    """Put SERVERS_PER_SHARD servers on each shard, with alert channels and a summary channel."""
    servers = []
    for shard in range(SHARD_COUNT):
        for n in range(SERVERS_PER_SHARD):
            world = build_world(
                emu,
                f"shard {shard} server {n}",
                channels=CHANNELS_PER_SERVER,
                on_shard=(shard, SHARD_COUNT),
            )
            servers.append(Server(world, emu.add_channel(world.guild_id, "daily")))
    return servers


def summary_minute(spawn_at: datetime) -> datetime:
    """Return the first whole minute at least SUMMARY_AFTER_SPAWN after the spawn."""
    earliest = spawn_at + timedelta(seconds=SUMMARY_AFTER_SPAWN)
    minute = earliest.replace(second=0, microsecond=0)
    return minute if minute == earliest else minute + timedelta(minutes=1)


class LeaderKill:
    """Kill the leader while the emulator creates the n-th alert message (a listener)."""

    def __init__(self, fleet: Fleet, at: int) -> None:
        self.fleet = fleet
        self.at = at
        self.seen = 0
        self.target: Member | None = None  # armed once the leader is known
        self.offsets: dict[str, int] = {}  # where the logs stood at the kill
        self.struck = asyncio.Event()

    def __call__(self, event: str, message: Message) -> None:
        if event != "MESSAGE_CREATE" or self.target is None or not is_alert(message):
            return
        self.seen += 1
        if self.seen == self.at:
            self.target.kill()
            self.offsets = self.fleet.log_offsets()
            self.struck.set()


class FollowerKill:
    """Kill the first process not leading whose k-th post Discord answered, before it hears
    back (a hook on every process's relay)."""

    def __init__(self, fleet: Fleet, at: int) -> None:
        self.at = at
        self.target: Member | None = None
        self.struck = asyncio.Event()
        for member in fleet.members:
            member.relay.on_posted = functools.partial(self._posted, member)

    def _posted(self, member: Member, relay: RestRelay, _message_id: int) -> None:
        if self.struck.is_set() or len(relay.sent) < self.at:
            return
        # A process killed a moment ago still has its last posts answered: not a follower.
        if not member.bot.alive or member.leading():
            return
        self.target = member
        member.kill()
        self.struck.set()


def is_alert(message: Message) -> bool:
    """Tell whether a message reports alerts (by the footer naming them)."""
    return any(FOOTER_ID.search(e.get("footer", {}).get("text", "")) for e in message.embeds)


async def prepare_store(
    url: str, servers: list[Server], calendar: TradingCalendar, at: datetime
) -> int:
    """Seed the ledger, create every alert and configure every summary; return the alerts."""
    await seed_ledger(url)
    total = 0
    for server in servers:
        total += await store_alerts(url, server.world, calendar)
    store = await Store.open(url)
    try:
        await configure_summaries(store, [(s.world.guild_id, s.daily.id) for s in servers], at)
    finally:
        await store.close()
    return total


async def restart_leader(
    fleet: Fleet, kill: LeaderKill, takeover: list[tuple[Member, float] | None]
) -> None:
    """Once the leader is killed: wait for a standby to take over, then bring it back."""
    await kill.struck.wait()
    assert kill.target is not None
    takeover.append(await fleet.wait_for_takeover(kill.target, kill.offsets, TAKEOVER_LIMIT))
    await asyncio.sleep(max(0.0, kill.target.kills[-1] + RESTART_AFTER - time.monotonic()))
    await kill.target.start()


async def restart_follower(kill: FollowerKill) -> None:
    """Once the follower is killed: bring it back after a moment."""
    await kill.struck.wait()
    assert kill.target is not None
    await asyncio.sleep(RESTART_AFTER)
    await kill.target.start()


async def wait_until_drained(
    fleet: Fleet, url: str, deliveries: Deliveries, servers: list[Server], total: int
) -> None:
    """Wait until every alert and summary is posted and no outbox row is pending."""
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while True:
        reported = len(deliveries.reported())
        summaries = sum(1 for s in servers if fleet.emu.posts(s.daily.id))
        states = await count_by(url, "outbox", "state")
        if reported >= total and summaries == len(servers) and not states.get("pending"):
            return
        assert time.monotonic() < deadline, (
            f"not drained after {DRAIN_TIMEOUT:g} s: {reported}/{total} alerts reported, "
            f"{summaries}/{len(servers)} summaries, outbox {dict(states)}\n{fleet.tails()}"
        )
        await asyncio.sleep(0.2)


def doubled_report(fleet: Fleet, deliveries: Deliveries) -> str:
    """Name, for each alert reported more than once, the processes that posted it."""
    posts: dict[int, list[str]] = defaultdict(list)
    for message in deliveries.messages:
        for embed in message.embeds:
            if found := FOOTER_ID.search(embed.get("footer", {}).get("text", "")):
                by = fleet.who_posted(message.id)
                posts[int(found.group(1))].append(f"message {message.id} by {by}")
    return "\n".join(f"alert #{a}: {'; '.join(p)}" for a, p in sorted(posts.items()) if len(p) > 1)


async def test_three_processes_deliver_every_alert_and_summary_once_through_kills(
    tmp_path: Path, calendar: TradingCalendar, pg_cluster: Cluster | str
) -> None:
    cluster = running(pg_cluster)
    plan = KillPlan.draw(chosen_seed())
    try:
        async with pg_database(cluster) as url, DiscordEmulator() as emu:
            await run_scenario(tmp_path, calendar, url, emu, plan)
    except AssertionError as exc:
        exc.args = (f"[{plan}]\n{exc}",)  # the kill points first, the traceback kept
        raise


async def run_scenario(
    tmp_path: Path, calendar: TradingCalendar, url: str, emu: DiscordEmulator, plan: KillPlan
) -> None:
    started = time.perf_counter()
    servers = build_servers(emu)
    spawn_at = datetime.now(UTC)
    summary_at = summary_minute(spawn_at)
    total = await prepare_store(url, servers, calendar, summary_at)
    prices = tmp_path / "prices.csv"
    storm_after = (summary_at - spawn_at).total_seconds() - STORM_BEFORE_SUMMARY
    write_prices(prices, spawn_at, first_step_after=storm_after)
    deliveries = Deliveries()
    emu.messenger.listeners.append(deliveries)

    def environment(api_base: str) -> dict[str, str]:
        # At INFO: a process says "became the leader" at INFO.
        cache = tmp_path / "cache"
        return bot_environment(emu, url, prices, cache, api_base=api_base, log_level="INFO")

    fleet = await Fleet.launch(emu, PROCESSES, SHARD_COUNT, environment, tmp_path)
    try:
        await fleet.wait_all_shards(READY_TIMEOUT)
        ready_in = time.perf_counter() - started
        leader = await fleet.wait_for_leader(max(5.0, storm_after - ready_in))
        leader_kill = LeaderKill(fleet, plan.leader_at)
        leader_kill.target = leader
        emu.messenger.listeners.append(leader_kill)
        follower_kill = FollowerKill(fleet, plan.follower_at)
        takeover: list[tuple[Member, float] | None] = []
        restarts = asyncio.gather(
            restart_leader(fleet, leader_kill, takeover), restart_follower(follower_kill)
        )
        try:
            await asyncio.wait_for(restarts, storm_after + DRAIN_TIMEOUT)
        except TimeoutError:
            raise AssertionError(
                f"kills struck: leader {leader_kill.struck.is_set()} "
                f"({leader_kill.seen} alert messages), a follower {follower_kill.struck.is_set()} "
                f"(posts: {fleet.posts()})\n{fleet.tails()}"
            ) from None
        await wait_until_drained(fleet, url, deliveries, servers, total)
        await fleet.wait_all_shards(READY_TIMEOUT)  # the restarted processes are back
        states = await count_by(url, "outbox", "state")
        alerts = await count_by(url, "alerts", "state")
        settled = await count_by(url, "outbox", "settled_by")
        leading = [m.name for m in fleet.leaders()]  # after the restarts: still one
    finally:
        await fleet.stop()
    elapsed = time.perf_counter() - started

    assert takeover[0] is not None, f"no standby led within {TAKEOVER_LIMIT:g} s\n{fleet.tails()}"
    successor, takeover_seconds = takeover[0]
    assert len(leading) == 1, f"processes leading at the end: {leading}\n{fleet.tails()}"
    doubled = doubled_report(fleet, deliveries)
    assert not doubled, f"alerts posted more than once:\n{doubled}\n{fleet.tails()}"
    assert_messages_exactly_once(deliveries, total)
    resends = fleet.unexplained_resends()
    assert not resends, "posts delivered twice (Discord's nonce dedupe hid them):\n" + "\n".join(
        resends[:20]
    )
    for server in servers:
        posts = emu.posts(server.daily.id)
        assert len(posts) == 1, f"{len(posts)} summaries in server {server.world.guild_id}"
    assert states == {"delivered": len(deliveries.messages)}, states
    assert alerts == {"fired": total}, alerts
    # The follower died after Discord created its post, before the answer: whoever took the
    # row over found the post in the channel by its marker instead of sending it again.
    assert settled["found"] >= 1, settled
    assert not emu.problems(), emu.problems()
    print(  # shown with -s: where the kills landed, and what the run cost
        f"{plan}: leader {leader.name} killed at {leader.killed_at[0]:%H:%M:%S.%f} UTC, "
        f"{successor.name} led {takeover_seconds:.2f} s later; "
        f"follower {follower_kill.target and follower_kill.target.name} killed; "
        f"posts {fleet.posts()}; "
        f"{total} alerts in {len(deliveries.messages)} messages "
        f"({len(fleet.sends()) - len(deliveries.messages)} sent again, "
        f"settled {dict(settled)}); ready in {ready_in:.1f} s, "
        f"{elapsed:.1f} s in all"
    )
