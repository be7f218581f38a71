"""The hardening harness: a sandbox on its own loop (for hypothesis), raw interactions, checks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Coroutine, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord.app_commands import AppCommandError

from bot.clock import ManualClock
from bot.ledger.limits import (
    MAX_MW,
    MAX_NAME_LENGTH,
    MAX_TERM_YEARS,
    MAX_TEXT_LENGTH,
    MAX_URL_LENGTH,
    MAX_USD,
)
from bot.ledger.vocab import CONFIDENCES, STATUSES
from bot.sandbox.session import SandboxSession
from bot.settings import Settings, load_settings
from bot.store import Store
from bot.text import neutralise
from discord_emulator import DiscordEmulator, InteractionResult
from discord_emulator.commands import SUBCOMMAND, SUBCOMMAND_GROUP
from tests.e2e.conftest import REPLAY_CSV, START

if TYPE_CHECKING:
    from bot.app import Minerwatch

T = TypeVar("T")
Interaction = discord.Interaction["Minerwatch"]

GENERIC_FAILURE = "Something went wrong"
# Discord shows "This interaction failed" when no first response arrives in this window.
INTERACTION_WINDOW = 3.0


def sandbox_settings(folder: Path, **overrides: Any) -> Settings:
    """Return the e2e settings (replay prices, no automatic polls) in ``folder``."""
    prices = folder / "prices.csv"
    if not prices.exists():
        prices.write_text(REPLAY_CSV)
    values: dict[str, Any] = {
        "db_path": folder / "hardening.sqlite3",
        "cache_dir": folder / "cache",
        "price_source": f"replay:{prices}",
        "poll_seconds": 3600,
    }
    values.update(overrides)
    return load_settings(None, **values)


class LoopSandbox:
    """The emulator and the real bot on an event loop of their own.

    Hypothesis drives examples from plain (synchronous) functions, so a test that fuzzes a
    live bot owns a loop and runs each example on it with ``run``.
    """

    def __init__(self, folder: Path, **overrides: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.settings = sandbox_settings(folder, **overrides)
        self.clock = ManualClock(START)
        self.session: SandboxSession | None = None

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the sandbox's loop and return its result."""
        return self.loop.run_until_complete(coro)

    @property
    def sandbox(self) -> SandboxSession:
        assert self.session is not None, "the sandbox is not started"
        return self.session

    def start(self) -> SandboxSession:
        """Start the emulator and the bot; tick the prices once (as the e2e fixture does)."""

        async def start() -> SandboxSession:
            emu = await DiscordEmulator().start()
            session = await SandboxSession.start(self.settings, clock=self.clock, emulator=emu)
            await session.bot.pipeline.tick()
            Finished.of(session.bot)
            return session

        self.session = self.run(start())
        return self.session

    def stop(self) -> None:
        """Stop the bot and the emulator, close the loop, restore discord.py's URLs."""
        try:
            if self.session is not None:
                self.run(self.session.stop())
            self.run(_cancel_leftovers())
        finally:
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()
            discord.http.Route.BASE = "https://discord.com/api/v10"


async def _cancel_leftovers() -> None:
    """Cancel what the closed bot left scheduled (discord.py view timeouts)."""
    current = asyncio.current_task()
    leftovers = [task for task in asyncio.all_tasks() if task is not current]
    for task in leftovers:
        task.cancel()
    await asyncio.gather(*leftovers, return_exceptions=True)


@contextlib.contextmanager
def loop_sandbox(folder: Path, **overrides: Any) -> Iterator[LoopSandbox]:
    """Yield a started LoopSandbox and always stop it."""
    box = LoopSandbox(folder, **overrides)
    try:
        box.start()
        yield box
    finally:
        box.stop()


# ----- raw interactions ------------------------------------------------------------------


def leaf_options(command: Mapping[str, Any], path: str) -> list[dict[str, Any]]:
    """Return the option definitions of a leaf command path ("deals add")."""
    options = list(command.get("options") or [])
    for word in path.split()[1:]:
        group = next(
            o
            for o in options
            if o.get("type") in (SUBCOMMAND, SUBCOMMAND_GROUP) and o["name"] == word
        )
        options = list(group.get("options") or [])
    return options


def _replace_values(options: list[dict[str, Any]], raw: Mapping[str, Any]) -> None:
    for option in options:
        if "options" in option:
            _replace_values(option["options"], raw)
        elif option.get("name") in raw:
            option["value"] = raw[option["name"]]


def send_raw(
    emu: DiscordEmulator,
    guild_id: int | None,
    channel_id: int | None,
    user_id: int,
    path: str,
    checked: Mapping[str, Any],
    raw: Mapping[str, Any],
) -> InteractionResult:
    """Send a command whose ``raw`` option values skip the client's checks.

    The interaction is built the ordinary way from ``checked`` (which must hold a valid
    stand-in for every raw option), then the raw values replace the stand-ins: what a
    modified client could put in front of Discord, which only checks the types.
    """
    where = emu.where(guild_id, channel_id, user_id)
    result = emu._factory.command(where, path, {**checked})
    _replace_values(result.payload["data"]["options"], raw)
    return emu._send(result)


# ----- what a member sees ----------------------------------------------------------------


@dataclass
class Answer:
    """One command's outcome as the member experienced it."""

    result: InteractionResult
    first_response_s: float
    text: str

    @property
    def generic_failure(self) -> bool:
        return GENERIC_FAILURE in self.text


class Finished:
    """Which interactions the bot's command handling has completely finished with.

    A reply can change after it is first "done" (a public placeholder is removed and an
    error follows privately), so checks wait for the bot's handler, success or error, to end.
    """

    def __init__(self, bot: Minerwatch) -> None:
        self.ids: set[int] = set()
        self.refused: set[int] = set()  # ended in the tree's error path
        tree = bot.tree
        original = tree.on_error

        async def on_error(interaction: Interaction, error: AppCommandError) -> None:
            self.refused.add(interaction.id)
            try:
                await original(interaction, error)
            finally:
                self.ids.add(interaction.id)

        async def on_completion(interaction: Interaction, command: object) -> None:
            self.ids.add(interaction.id)

        tree.on_error = on_error  # type: ignore[method-assign]
        bot.add_listener(on_completion, "on_app_command_completion")

    @classmethod
    def of(cls, bot: Minerwatch) -> Finished:
        """Return the tracker installed on ``bot`` (installing it on first use)."""
        found = getattr(bot, "_hardening_finished", None)
        if found is None:
            found = cls(bot)
            bot._hardening_finished = found  # type: ignore[attr-defined]
        return found

    async def wait(self, interaction_id: int, timeout: float) -> None:  # noqa: ASYNC109
        """Wait until the bot has finished handling an interaction."""
        deadline = time.monotonic() + timeout
        while interaction_id not in self.ids:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the bot never finished interaction {interaction_id}")
            await asyncio.sleep(0.002)


async def answered(
    result: InteractionResult,
    bot: Minerwatch | None = None,
    timeout: float = 10.0,  # noqa: ASYNC109 - a test helper, as the emulator's own waits
) -> Answer:
    """Wait for the final answer; fail if the member saw "This interaction failed"."""
    await result.wait_done(timeout=timeout)
    if bot is not None:
        await Finished.of(bot).wait(result.id, timeout)
    assert result.initial is not None
    first = result.initial.at - result.created
    assert first < INTERACTION_WINDOW, f"first response after {first:.2f} s: {result.describe()}"
    return Answer(result, first, result.text())


async def help_latency(session: SandboxSession, user_id: int | None = None) -> float:
    """Invoke /help and return the seconds to its first response."""
    started = time.perf_counter()
    result = await session.emu.invoke(
        session.world.guild.id,
        session.world.general.id,
        user_id or session.world.member.id,
        "help",
        {},
    )
    await result.wait_ack(timeout=5)
    return time.perf_counter() - started


# ----- hostile text ----------------------------------------------------------------------

# Raw forms that would ping, render as a mention, hide a link target or open a code block.
_LIVE_MARKUP = {
    "@everyone / @here": re.compile(r"@(everyone|here)"),
    "role mention": re.compile(r"(?<!\\)<@&\d+>"),
    # The hostile inputs' own ids: the bot shows real channels and times in this syntax too.
    "channel / command / timestamp syntax": re.compile(r"(?<!\\)<(#123>|/deals add:1(23)?>|t:0:)"),
    # Discord reads a masked link from its "[": escaped, the rest is plain text (and the bare
    # address stays visible as what it is).
    "masked link to the hostile site": re.compile(r"(?<!\\)\[[^\]]*\]\(<?https?://evil\."),
    "code fence": re.compile(r"(?<!\\)```"),
    # Zero-width spaces are how the bot itself blanks a field name or breaks a mention.
    "bidi control": re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"),
}
_USER_MENTION = re.compile(r"(?<!\\)<@!?(\d+)>")
# Zero-width joiners that discord.utils.escape_mentions inserts are fine; bidi controls not.
_ESCAPE_ZWSP = "\u200b"


def live_markup(text: str, allowed_user_ids: frozenset[int] = frozenset()) -> list[str]:
    """List the pieces of ``text`` that Discord would render as live mentions or markup.

    Members the bot names on purpose (the author of a change, the owner of an alert) may
    appear as ``<@id>``: those render as a name and never ping (allowed_mentions is empty).
    """
    found: list[str] = []
    # escape_mentions() turns "@everyone" into "@\u200beveryone": not a mention any more.
    scrubbed = text.replace("@" + _ESCAPE_ZWSP, "@ ")
    for label, pattern in _LIVE_MARKUP.items():
        probe = text if label == "bidi control" else scrubbed
        for match in pattern.finditer(probe):
            found.append(f"{label}: {probe[max(0, match.start() - 20) : match.end() + 20]!r}")
    for match in _USER_MENTION.finditer(text):
        if int(match.group(1)) not in allowed_user_ids:
            found.append(f"user mention: {match.group(0)}")
    return found


def shown_plain(text: str) -> str:
    """Return what a member reads: markdown escapes removed, escape zero-widths dropped."""
    return re.sub(r"\\(.)", r"\1", text).replace(_ESCAPE_ZWSP, "")


async def fingerprint(store: Store) -> tuple[Any, ...]:
    """Return what a refused command must leave untouched: ledger, drafts, settings, watches."""
    db = store.db
    history = await db.fetch_one("SELECT count(*), coalesce(max(id), 0) FROM contract_history")
    contracts = await db.fetch_one("SELECT count(*), max(updated_at) FROM contracts")
    settings = await db.fetch_all("SELECT * FROM guild_settings ORDER BY guild_id")
    filing_watches = await db.fetch_all("SELECT * FROM filing_watches ORDER BY guild_id")
    alerts = await db.fetch_all(
        "SELECT id, state, snoozed_until, paused_reason FROM alerts ORDER BY id"
    )
    drafts = await db.fetch_all("SELECT id, state, edited_at FROM filing_drafts ORDER BY id")
    return (
        tuple(history or ()),
        tuple(contracts or ()),
        tuple(tuple(r) for r in settings),
        tuple(tuple(r) for r in alerts),
        tuple(tuple(r) for r in filing_watches),
        tuple(tuple(r) for r in drafts),
    )


# ----- the store -------------------------------------------------------------------------

_ASCII_DAY = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")


@dataclass
class StoreReport:
    """What the invariant check looked at, and what it found wrong."""

    contracts: int = 0
    user_contracts: int = 0
    alerts: int = 0
    outbox: int = 0
    problems: list[str] = field(default_factory=list)


async def store_invariants(store: Store, *, today: date | None = None) -> StoreReport:
    """Check the store for rows no command should ever have written."""
    report = StoreReport()
    db = store.db
    problems = report.problems
    integrity = await db.integrity_check()
    if integrity != ["ok"]:
        problems.append(f"integrity_check: {integrity[:5]}")
    if fk := await db.fetch_all("PRAGMA foreign_key_check"):
        problems.append(f"foreign_key_check: {[tuple(r) for r in fk[:5]]}")
    hosts = {row[0] for row in await db.fetch_all("SELECT symbol FROM companies")}
    for row in await db.fetch_all("SELECT * FROM contracts"):
        report.contracts += 1
        report.user_contracts += row["origin"] == "user"
        problems.extend(_contract_problems(dict(row), hosts, today))
    orphans = await db.fetch_all(
        """
        SELECT c.id FROM contracts c
        WHERE NOT EXISTS (SELECT 1 FROM contract_history h
                          WHERE h.contract_id = c.id AND h.action = 'create')
           OR NOT EXISTS (SELECT 1 FROM contract_sources s WHERE s.contract_id = c.id)
        """
    )
    if orphans:
        problems.append(f"contracts without a create entry or a source: {[r[0] for r in orphans]}")
    for row in await db.fetch_all("SELECT id, url FROM contract_sources"):
        url = row["url"]
        if (
            not re.fullmatch(r"https?://\S+", url, flags=re.ASCII | re.IGNORECASE)
            or len(url) > MAX_URL_LENGTH
        ):
            problems.append(f"source {row['id']}: url {url[:80]!r}")
    for row in await db.fetch_all("SELECT * FROM alerts"):
        report.alerts += 1
        level, note = row["level"], row["note"]
        # The kinds without a figure of the member's store 0; a filing alert stores its least
        # deal likelihood (0 any filing, 1 possible, 2 likely); every other level is positive.
        if row["kind"] in ("high52", "low52", "ma_cross"):
            level_ok = level == 0
        elif row["kind"] == "filing":
            level_ok = level in (0, 1, 2)
        elif row["kind"] == "correlation":
            level_ok = level is not None and -1 < level < 1
        else:
            level_ok = level is not None and 0 < level < 1e12
        if not level_ok:
            problems.append(f"alert {row['id']}: level {level!r}")
        if (row["basis"] is not None) != (row["kind"] in ("ma_cross", "relative", "correlation")):
            problems.append(f"alert {row['id']}: basis {row['basis']!r} for {row['kind']}")
        if note is not None and (len(note) > 200 or not neutralise(note).strip()):
            problems.append(f"alert {row['id']}: note {note[:40]!r}")
    for row in await db.fetch_all("SELECT id, payload FROM outbox"):
        report.outbox += 1
        try:
            json.loads(row["payload"])
        except ValueError:
            problems.append(f"outbox {row['id']}: payload is not JSON")
    return report


def _contract_problems(row: dict[str, Any], hosts: set[str], today: date | None) -> list[str]:
    cid = row["id"]
    found: list[str] = []
    for column, high in (
        ("mw_critical_it", MAX_MW),
        ("mw_gross", MAX_MW),
        ("term_years", MAX_TERM_YEARS),
        ("total_contract_value_usd", MAX_USD),
    ):
        value = row[column]
        if value is not None and not 0 <= value <= high:
            found.append(f"contract {cid}: {column} = {value!r}")
    if row["host_symbol"] not in hosts:
        found.append(f"contract {cid}: host {row['host_symbol']!r} is not tracked")
    if row["status"] not in STATUSES or row["confidence"] not in CONFIDENCES:
        found.append(f"contract {cid}: status/confidence {row['status']!r}/{row['confidence']!r}")
    if row["origin"] != "user":
        return found
    for column, limit in (
        ("counterparty", MAX_NAME_LENGTH),
        ("end_customer", MAX_NAME_LENGTH),
        ("gpu_type", MAX_NAME_LENGTH),
        ("site", MAX_NAME_LENGTH),
        ("notes", MAX_TEXT_LENGTH),
    ):
        value = row[column]
        if value is None:
            continue
        if len(value) > limit:
            found.append(f"contract {cid}: {column} has {len(value)} characters")
        if not neutralise(value).strip():
            found.append(f"contract {cid}: {column} {value!r} shows as nothing")
    for column in ("announced_date", "status_as_of"):
        value = row[column]
        if value is None:
            continue
        if not _ASCII_DAY.match(value):
            found.append(f"contract {cid}: {column} = {value!r}")
        elif not 2000 <= int(value[:4]) <= 2100:
            found.append(f"contract {cid}: {column} = {value!r} out of range")
        elif (
            today is not None and len(value) == 10 and (date.fromisoformat(value) - today).days > 1
        ):
            found.append(f"contract {cid}: {column} = {value!r} in the future")
    return found
