"""Which Discord gateway shards this process runs, and so which servers it owns.

A big bot splits its servers over shards: Discord sends a server's events to shard
``(server_id >> 22) % shard_count`` only. Several processes can share one bot token, each
running a range of shards; work scheduled per server (the daily summary) belongs to the
process that runs the server's shard, so it happens once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

# "0-3", "5", "0,2,4-7": single ids and inclusive ranges, comma-separated.
_PART: Final = re.compile(r"^(\d+)(?:-(\d+))?$")
MAX_SHARD_COUNT: Final = 100_000  # far above any real bot; keeps a typo from eating memory


def shard_of(guild_id: int, shard_count: int) -> int:
    """Return the shard Discord sends a server's events to."""
    return (guild_id >> 22) % shard_count


def parse_shard_ids(text: str) -> tuple[int, ...]:
    """Read shard ids written as ``0-3``, ``5`` or ``0,2,4-7``; raise ValueError saying why not."""
    ids: set[int] = set()
    for part in text.replace(" ", "").split(","):
        found = _PART.match(part)
        if found is None:
            raise ValueError("must be shard ids such as 0-3, 5 or 0,2,4-7")
        first = int(found.group(1))
        last = int(found.group(2)) if found.group(2) is not None else first
        if last < first:
            raise ValueError(f"the range {part} goes down: write it {last}-{first}")
        if last >= MAX_SHARD_COUNT:
            raise ValueError(f"shard ids must be below {MAX_SHARD_COUNT}")
        ids.update(range(first, last + 1))
    return tuple(sorted(ids))


def describe_ids(ids: Iterable[int]) -> str:
    """Write shard ids back compactly: (0, 1, 2, 3, 6) → ``0-3, 6``."""
    runs: list[list[int]] = []
    for shard in sorted(ids):
        if runs and shard == runs[-1][1] + 1:
            runs[-1][1] = shard
        else:
            runs.append([shard, shard])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


@dataclass(frozen=True, slots=True)
class ShardPlan:
    """The shards one process runs out of the bot's shard count."""

    ids: tuple[int, ...]
    count: int

    def __post_init__(self) -> None:
        if self.count < 1 or not self.ids or not all(0 <= i < self.count for i in self.ids):
            raise ValueError(f"shards {self.ids} do not fit a shard count of {self.count}")

    @classmethod
    def every(cls, count: int) -> ShardPlan:
        """Return the plan of a process that runs all ``count`` shards."""
        return cls(tuple(range(count)), count)

    def owns(self, guild_id: int) -> bool:
        """Tell whether this process receives (and so serves) a server's events."""
        return shard_of(guild_id, self.count) in self.ids

    def describe(self) -> str:
        """Return the plan as an operator writes it: ``0-3 of 8``."""
        return f"{describe_ids(self.ids)} of {self.count}"


def owner_check(plan: ShardPlan | None) -> Callable[[int], bool]:
    """Return "does this process own that server?"; without sharding it owns every one."""
    if plan is None:
        return lambda _guild_id: True
    return plan.owns


def shares_token(plan: ShardPlan | None) -> bool:
    """Tell whether other processes may run the rest of the bot's shards with its token.

    A process that runs every shard (or no shards at all) is the bot's only process.
    """
    return plan is not None and len(plan.ids) < plan.count
