"""Several bot processes sharing one token and one store, each over a range of shards.

Each process is a real `python -m bot run --shards A-B --shard-count N` (a BotProcess) with
its own log and its own REST relay, so the test can tell which process posted a message and
kill one while it delivers. Who leads is read from the logs: a process logs "became the
leader" when it starts leading and "stopped leading" when it stops.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from discord_emulator import DiscordEmulator
from tests.crash.harness import BotProcess
from tests.crash.relay import RestRelay, Sent

BECAME_LEADER: Final = "became the leader"
STOPPED_LEADING: Final = "stopped leading"
LOG_POLL: Final = 0.02  # seconds between two reads of the logs (a read is a few KiB)
# A process killed this long after Discord answered a post may not have recorded the answer
# yet (its write waits its turn behind the other processes'): the post was still in flight.
RECORD_GRACE: Final = 5.0


@dataclass(eq=False)
class Member:
    """One process of the fleet: its shards, its relay and every run of it."""

    shards: str
    relay: RestRelay
    bot: BotProcess
    # Where the log stood when the current run started: what it logged since is this run's.
    run_offset: int = 0
    kills: list[float] = field(default_factory=list)  # time.monotonic() of each SIGKILL
    # The same moments by the wall clock, to set beside the processes' log lines.
    killed_at: list[datetime] = field(default_factory=list)
    starts: int = 0

    @property
    def name(self) -> str:
        return f"shards {self.shards}"

    async def start(self) -> None:
        """Start (or restart) the process."""
        assert not self.bot.alive, f"{self.name} is already running"
        await self.bot.reap()  # a killed run's exit is collected before the next run
        self.run_offset = self.bot.log_size()
        self.starts += 1
        await self.bot.start()

    def kill(self) -> None:
        """SIGKILL the process now (callable from a synchronous hook)."""
        if self.bot.alive:
            self.kills.append(time.monotonic())
            self.killed_at.append(datetime.now(UTC))
            self.bot.kill()

    def leading(self) -> bool:
        """Tell whether this run says it leads: its last word on leading is "became"."""
        if not self.bot.alive:
            return False
        text = self.bot.log_since(self.run_offset)
        became = text.rfind(BECAME_LEADER)
        return became >= 0 and became > text.rfind(STOPPED_LEADING)


def live_shards(emu: DiscordEmulator) -> set[int]:
    """Return the shards whose gateway session is connected now."""
    return {s.shard_id for s in emu.gateway.sessions.values() if s.live is not None and not s.ended}


@dataclass(eq=False)
class Fleet:
    """The processes that together run every shard of one bot."""

    emu: DiscordEmulator
    members: list[Member]
    shard_count: int

    @classmethod
    async def launch(
        cls,
        emu: DiscordEmulator,
        shard_ranges: tuple[str, ...],
        shard_count: int,
        environment: Callable[[str], dict[str, str]],
        folder: Path,
    ) -> Fleet:
        """Start a relay per shard range, then every process at once.

        ``environment(api_base)`` returns a process's environment given its relay's address.
        """
        upstream = emu.api_base.removesuffix("/api/v10")
        members = []
        for shards in shard_ranges:
            relay = RestRelay(f"shards {shards}", upstream)
            await relay.start()
            args = ("--shards", shards, "--shard-count", str(shard_count))
            log = folder / f"bot-{shards}.log"
            bot = BotProcess(environment(relay.api_base), folder, log, args)
            members.append(Member(shards, relay, bot))
        fleet = cls(emu, members, shard_count)
        for member in members:
            await member.start()
        return fleet

    async def wait_all_shards(self, timeout: float) -> None:  # noqa: ASYNC109 - test helper
        """Wait until every shard has a connected session (each process identified)."""
        every = set(range(self.shard_count))
        deadline = time.monotonic() + timeout
        while not live_shards(self.emu) >= every:
            if time.monotonic() > deadline:
                missing = sorted(every - live_shards(self.emu))
                raise AssertionError(
                    f"shards {missing} not connected after {timeout:g} s\n{self.tails()}"
                )
            await asyncio.sleep(LOG_POLL)

    def leaders(self) -> list[Member]:
        """Return the processes whose current run says it leads."""
        return [m for m in self.members if m.leading()]

    async def wait_for_leader(self, timeout: float) -> Member:  # noqa: ASYNC109 - test helper
        """Wait until a process leads; fail if none does in time, or if two do."""
        deadline = time.monotonic() + timeout
        while not (found := self.leaders()):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no process logged {BECAME_LEADER!r} within {timeout:g} s\n{self.tails()}"
                )
            await asyncio.sleep(LOG_POLL)
        assert len(found) == 1, f"several leaders: {[m.name for m in found]}\n{self.tails()}"
        return found[0]

    def log_offsets(self) -> dict[str, int]:
        """Return where every process's log stands now, by process name."""
        return {m.name: m.bot.log_size() for m in self.members}

    async def wait_for_takeover(
        self, fallen: Member, offsets: dict[str, int], limit: float
    ) -> tuple[Member, float] | None:
        """Wait for another live process to log that it leads (after ``offsets``, read at
        the kill); return it and the seconds since ``fallen`` was killed, or None once
        ``limit`` seconds have passed."""
        killed_at = fallen.kills[-1]
        while (waited := time.monotonic() - killed_at) <= limit:
            for member in self.members:
                if member is fallen or not member.bot.alive:
                    continue
                if BECAME_LEADER in member.bot.log_since(offsets[member.name]):
                    return member, waited
            await asyncio.sleep(LOG_POLL)
        return None

    def sends(self) -> list[tuple[Member, Sent]]:
        """Return every answered post of every process, in the order they were sent."""
        found = [(m, sent) for m in self.members for sent in m.relay.sent]
        return sorted(found, key=lambda pair: pair[1].at)

    def posts(self) -> dict[str, int]:
        """Return how many posts Discord answered for each process (resent ones included)."""
        return {m.name: len(m.relay.sent) for m in self.members}

    def who_posted(self, message_id: int) -> str:
        """Return the process that first posted a message (its creator), or "?"."""
        return next((m.name for m, s in self.sends() if s.message_id == message_id), "?")

    def unexplained_resends(self) -> list[str]:
        """Describe each post sent again although its first sender did not die with it.

        A process that dies between sending a post and recording the answer (within
        RECORD_GRACE of the answer) leaves the row for another process to send again
        (Discord's nonce, or the marker, keeps it to one message). Any other second send of
        an answered post is a row delivered twice, which only Discord's few minutes of nonce
        memory kept from showing.
        """
        by_nonce: dict[str, list[tuple[Member, Sent]]] = defaultdict(list)
        for member, sent in self.sends():
            by_nonce[sent.nonce].append((member, sent))
        found = []
        for nonce, sends in by_nonce.items():
            for (first, a), (second, b) in itertools.pairwise(sends):
                if not any(
                    a.at <= killed <= min(b.at, a.answered + RECORD_GRACE) for killed in first.kills
                ):
                    found.append(
                        f"nonce {nonce} (message {a.message_id}): sent by {first.name}, "
                        f"answered, sent again by {second.name} {b.at - a.at:.2f} s later"
                    )
        return found

    def tails(self, lines: int = 15) -> str:
        """Return the end of every process's log, for failure messages."""
        return "\n".join(f"--- {m.name}:\n{m.bot.log_tail(lines)}" for m in self.members)

    async def stop(self) -> None:
        """SIGKILL every process that still runs, then close the relays."""
        for member in self.members:
            member.bot.kill()
            await member.bot.reap()
        for member in self.members:
            await member.relay.close()
