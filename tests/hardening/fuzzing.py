"""Fuzz every synced slash command through the emulator: the driver behind test_fuzz_commands."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from discord_emulator import InteractionResult
from discord_emulator.commands import allowed_in_context, leaf_paths
from tests.hardening.harness import (
    INTERACTION_WINDOW,
    Finished,
    LoopSandbox,
    answered,
    fingerprint,
    help_latency,
    leaf_options,
    send_raw,
)
from tests.hardening.strategies import RAW_TYPES, Context, invocation, stand_in

# A /help right after any input must still answer this fast (it takes ~10 ms when idle).
RESPONSIVE_S: Final = 0.5
MIN_EXAMPLES: Final = 8
MAX_EXAMPLES: Final = 400
PROBE_EXAMPLES: Final = 4


@dataclass(frozen=True)
class Leaf:
    """One invocable command path and its option definitions."""

    path: str
    command: dict[str, Any]
    options: list[dict[str, Any]]


@dataclass
class FuzzStats:
    """What a fuzz run did."""

    cases: Counter[str] = field(default_factory=Counter)
    help_s: list[float] = field(default_factory=list)
    slowest_help: str = ""
    refused: int = 0
    reasons: Counter[tuple[str, str]] = field(default_factory=Counter)
    slowest_first_response_s: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.cases.values())

    def line(self, label: str) -> str:
        worst_help = max(self.help_s, default=0.0) * 1000
        per = ", ".join(f"/{p} {n}" for p, n in sorted(self.cases.items()))
        return (
            f"fuzz[{label}]: {self.total} cases ({self.refused} refused) over "
            f"{len(self.cases)} commands; slowest first "
            f"response {self.slowest_first_response_s * 1000:.0f} ms; slowest /help after an "
            f"input {worst_help:.0f} ms (after {self.slowest_help}) ({per})"
        )


def leaves(box: LoopSandbox) -> list[Leaf]:
    """Return every leaf command synced for the sandbox server (read from the emulator)."""
    session = box.sandbox
    found = []
    for command in session.emu.commands.available(session.world.guild.id):
        if command.get("type", 1) != 1:
            continue
        for path in leaf_paths(command):
            found.append(Leaf(path, command, leaf_options(command, path)))
    return sorted(found, key=lambda leaf: leaf.path)


@dataclass
class World:
    """The people and places examples run as and in."""

    guild: Context
    dm: Context
    refused_channel: int


def prepare(box: LoopSandbox) -> World:
    """Add a channel the bot cannot post in and a role; gather what members can pick."""
    session = box.sandbox
    emu, world = session.emu, session.world
    refused = emu.add_channel(world.guild.id, "no-bot", bot_can_send=False)
    emu.add_role(world.guild.id, "@everyone-lookalike", 0)
    box.run(_settle())
    guild = emu.world.guilds[world.guild.id]
    channels = [(cid, emu.world.channels[cid].type) for cid in guild.channel_ids]
    users = list(guild.members)
    roles = list(guild.roles)
    words = sorted(
        {
            str(choice["value"])
            for leaf in leaves(box)
            for option in leaf.options
            for choice in option.get("choices") or []
        }
    )
    return World(
        guild=Context(
            in_guild=True, channels=channels, users=users, roles=roles, choice_words=words
        ),
        dm=Context(in_guild=False, users=[world.admin.id, world.member.id], choice_words=words),
        refused_channel=refused.id,
    )


async def _settle() -> None:
    await asyncio.sleep(0.1)  # let the bot receive CHANNEL_CREATE


def suggestions(box: LoopSandbox, leaf: Leaf) -> dict[str, list[str]]:
    """Ask the bot's own autocomplete what it offers for each autocomplete option."""
    session = box.sandbox
    offered: dict[str, list[str]] = {}
    for option in leaf.options:
        if not option.get("autocomplete"):
            continue
        values: list[str] = []
        for typed in ("", "c", "btc"):
            filled = {
                o["name"]: stand_in(o)
                for o in leaf.options
                if o.get("required") and o["name"] != option["name"] and o["type"] in RAW_TYPES
            }
            choices = box.run(
                session.emu.autocomplete(
                    session.world.guild.id,
                    session.world.general.id,
                    session.world.admin.id,
                    leaf.path,
                    filled,
                    focused=option["name"],
                    value=typed,
                )
            )
            values.extend(str(c["value"]) for c in choices)
        offered[option["name"]] = sorted(set(values))
    return offered


class Fuzzer:
    """Runs hypothesis examples of every leaf command against one live sandbox."""

    def __init__(self, box: LoopSandbox, *, raw: bool, budget_s: float) -> None:
        self.box = box
        self.raw = raw
        self.budget_s = budget_s
        self.world = prepare(box)
        self.stats = FuzzStats()
        bot = box.sandbox.bot
        self._failures_seen = len(bot.tree.failures)
        self._violations_seen = len(box.sandbox.emu.violations)

    def run_all(self) -> FuzzStats:
        """Fuzz every leaf command within the time budget, shared equally."""
        all_leaves = leaves(self.box)
        per_leaf = self.budget_s / max(len(all_leaves), 1)
        for leaf in all_leaves:
            self.fuzz(leaf, per_leaf)
        return self.stats

    def fuzz(self, leaf: Leaf, budget_s: float) -> None:
        """Probe the command's cost with a few examples, then run as many as the budget buys."""
        offered = suggestions(self.box, leaf)
        guild = Context(**{**self.world.guild.__dict__, "suggestions": offered})
        dm = Context(**{**self.world.dm.__dict__, "suggestions": offered})
        in_guild = invocation(leaf.options, guild, raw=self.raw)
        in_dm = invocation(leaf.options, dm, raw=self.raw)
        assert in_guild is not None, f"/{leaf.path}: no way to fill its required options"
        who = ["admin", "admin", "member"]
        if in_dm is not None and allowed_in_context(leaf.command, in_guild=False):
            who.append("dm")

        @st.composite
        def case(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
            place = draw(st.sampled_from(who))
            values = draw(in_dm if place == "dm" and in_dm is not None else in_guild)
            return place, values

        started = time.perf_counter()
        self._run(leaf, case(), PROBE_EXAMPLES)
        spent = time.perf_counter() - started
        each = spent / PROBE_EXAMPLES
        more = int((budget_s - spent) / max(each, 1e-3))
        self._run(leaf, case(), max(MIN_EXAMPLES, min(MAX_EXAMPLES, more)))

    def _run(
        self, leaf: Leaf, strategy: st.SearchStrategy[tuple[str, dict[str, Any]]], count: int
    ) -> None:
        @settings(
            max_examples=count,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
            print_blob=True,
        )
        @given(strategy)
        def example(drawn: tuple[str, dict[str, Any]]) -> None:
            place, values = drawn
            self.box.run(self.one(leaf, place, values))

        example()

    async def one(self, leaf: Leaf, place: str, values: Mapping[str, Any]) -> None:
        """Run one input and check what the member sees and what the bot did."""
        session = self.box.sandbox
        emu, world, bot = session.emu, session.world, session.bot
        user = world.member if place == "member" else world.admin
        guild_id = None if place == "dm" else world.guild.id
        channel_id = None if place == "dm" else world.general.id
        if place == "member" and leaf.path not in emu.visible_commands(guild_id, user.id):
            user = world.admin  # hidden from plain members: nothing for them to type into
        before = await fingerprint(bot.store)
        result = await self._send(leaf, guild_id, channel_id, user.id, values)
        answer = await answered(result, bot)
        shown = f"/{leaf.path} as {place} with {_short(values)}"
        if result.id in Finished.of(bot).refused:
            self.stats.refused += 1
            self.stats.reasons[(leaf.path, answer.text[:90])] += 1
            assert answer.text.strip(), f"{shown}: an empty refusal"
            assert all(m.ephemeral for m in result.visible), f"{shown}: a public refusal"
            assert await fingerprint(bot.store) == before, f"{shown}: refused, yet stored"
        new_failures = list(bot.tree.failures)[self._failures_seen :]
        assert not new_failures, f"{shown}: command raised {new_failures[-1].error!r}"
        assert not answer.generic_failure, f"{shown}: generic error {answer.text[:300]!r}"
        violations = emu.violations[self._violations_seen :]
        assert not violations, f"{shown}: Discord would reject {violations[0]}"
        self.stats.cases[leaf.path] += 1
        self.stats.slowest_first_response_s = max(
            self.stats.slowest_first_response_s, answer.first_response_s
        )
        assert answer.first_response_s < INTERACTION_WINDOW
        latency = await help_latency(session)
        if latency > max(self.stats.help_s, default=0.0):
            self.stats.slowest_help = shown[:200]
        self.stats.help_s.append(latency)
        assert latency < RESPONSIVE_S, f"/help took {latency * 1000:.0f} ms after {shown}"

    async def _send(
        self,
        leaf: Leaf,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        values: Mapping[str, Any],
    ) -> InteractionResult:
        emu = self.box.sandbox.emu
        if not self.raw:
            return await emu.invoke(guild_id, channel_id, user_id, leaf.path, dict(values))
        kinds = {o["name"]: o for o in leaf.options}
        raw = {k: v for k, v in values.items() if kinds[k]["type"] in RAW_TYPES}
        checked = {k: (stand_in(kinds[k]) if k in raw else v) for k, v in values.items()}
        return send_raw(emu, guild_id, channel_id, user_id, leaf.path, checked, raw)


def _short(values: Mapping[str, Any]) -> str:
    return repr(
        {k: (v[:80] + "…" if isinstance(v, str) and len(v) > 80 else v) for k, v in values.items()}
    )
