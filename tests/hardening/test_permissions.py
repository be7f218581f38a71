"""Who may run what: every synced command × member / server admin / bot owner, end to end.

The rows come from the commands the bot synced; the expectations are written out below. A
command that appears without an expectation fails the test until it is added here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

import pytest

from bot.alerts.model import Member
from bot.alerts.service import AlertResult
from bot.ledger.service import Actor, Scope
from bot.market.models import DailyBar
from bot.sandbox.session import SandboxSession
from discord_emulator import CommandNotAvailable, User
from discord_emulator.commands import leaf_paths
from tests.e2e.deals_helpers import SOURCE, OtherServer, People, other_server, people, run
from tests.hardening.harness import Finished, answered, fingerprint

OK: Final = "ok"
REFUSED: Final = "refused"
HIDDEN: Final = "hidden"  # not offered in the member's command picker
ROLES: Final = ("member", "admin", "owner")
EVERYONE: Final = {"member": OK, "admin": OK, "owner": OK}
ADMINS: Final = {"member": REFUSED, "admin": OK, "owner": REFUSED}
OWNERS: Final = {"member": REFUSED, "admin": REFUSED, "owner": OK}
# Drafts: owners review the global ones, admins their server's; a member neither.
REVIEWERS: Final = {"member": REFUSED, "admin": OK, "owner": OK}
# Refusals of rights say who may do it ("Only members with Manage Server can …").
RIGHTS_WORDS: Final = ("Only ", "permission", "not allowed")


@dataclass
class World:
    """The people, a second server and the ids the rows act on."""

    sandbox: SandboxSession
    who: People
    other: OtherServer
    shipped: list[int]
    bystander: User | None = None  # a second plain member, owner of "another member's" alerts

    def user(self, role: str) -> User:
        return {"member": self.who.member, "admin": self.who.admin, "owner": self.who.owner}[role]

    async def server_contract(self) -> int:
        """Add a fresh contract to the sandbox server's own ledger (as its admin would)."""
        actor = Actor(self.who.admin.id, self.sandbox.world.guild.id, is_admin=True, is_owner=False)
        contract = await self.sandbox.bot.ledger.add(
            actor,
            {"host_symbol": "IREN", "counterparty": "Server Cloud"},
            source_url=SOURCE,
            scope=Scope.SERVER,
        )
        return contract.id

    def global_contract(self, role: str, offset: int) -> int:
        """Return a shipped contract no other row changes."""
        return self.shipped[offset * len(ROLES) + ROLES.index(role)]


Options = Callable[[World, str], Awaitable[dict[str, Any]]]


def fixed(options: dict[str, Any]) -> Options:
    async def build(world: World, role: str) -> dict[str, Any]:
        return dict(options)

    return build


async def _server_edit(world: World, role: str) -> dict[str, Any]:
    return {"id": await world.server_contract(), "notes": f"checked by {role}"}


async def _global_edit(world: World, role: str) -> dict[str, Any]:
    return {"id": world.global_contract(role, 0), "notes": f"checked by {role}"}


async def _server_remove(world: World, role: str) -> dict[str, Any]:
    return {"id": await world.server_contract()}


async def _global_remove(world: World, role: str) -> dict[str, Any]:
    return {"id": world.global_contract(role, 1)}


async def _watch(world: World, role: str) -> dict[str, Any]:
    return {"channel": world.sandbox.world.alerts.id}


async def _summary_config(world: World, role: str) -> dict[str, Any]:
    return {"channel": world.sandbox.world.daily.id}


async def create_alert(sandbox: SandboxSession, member: Member) -> AlertResult:
    """Create an alert for ``member`` in #general: CIFR above $16, from the current quote."""
    return await sandbox.bot.alerts.create(
        member,
        channel_id=sandbox.world.general.id,
        symbol="CIFR",
        condition="above",
        value=16.0,
        quote=sandbox.bot.market.quote("CIFR"),
    )


async def alert_of(world: World, owner: User, *, paused: bool = False) -> int:
    """Create an alert owned by ``owner`` in the sandbox server; return its id."""
    sandbox = world.sandbox
    member = Member(user_id=owner.id, guild_id=sandbox.world.guild.id)
    created = await create_alert(sandbox, member)
    if paused:
        await sandbox.bot.alerts.pause(member, created.alert.id)
    return created.alert.id


def on_alert(*, own: bool, paused: bool = False, **extra: Any) -> Options:
    """Options naming an alert of the member's own, or of another member."""

    async def build(world: World, role: str) -> dict[str, Any]:
        owner = world.user(role) if own else world.sandbox.world.member
        if not own and role == "member":
            assert world.bystander is not None
            owner = world.bystander
        return {"id": await alert_of(world, owner, paused=paused), **extra}

    return build


async def _shipped_show(world: World, role: str) -> dict[str, Any]:
    return {"id": world.shipped[-1]}


NEW_DEAL: Final = {"host": "IREN", "counterparty": "Table Cloud", "source_url": SOURCE}


@dataclass(frozen=True)
class Row:
    """One line of the table: a command (and which case of it), its options and the verdicts."""

    path: str
    case: str
    options: Options
    expect: dict[str, str]

    @property
    def label(self) -> str:
        return f"/{self.path}" + (f" ({self.case})" if self.case else "")


TABLE: Final = [
    Row("help", "", fixed({}), EVERYONE),
    Row("help", "topic economics", fixed({"topic": "economics"}), EVERYONE),
    Row("price", "", fixed({"symbol": "CIFR"}), EVERYONE),
    Row("board", "", fixed({}), EVERYONE),
    Row("board", "view valuation", fixed({"view": "valuation"}), EVERYONE),
    Row("chart", "", fixed({"symbol": "CIFR"}), EVERYONE),
    Row("chart", "style candles", fixed({"symbol": "CIFR", "style": "candles"}), EVERYONE),
    Row("chart", "style line", fixed({"symbol": "CIFR", "style": "line"}), EVERYONE),
    Row("company", "", fixed({"symbol": "IREN"}), EVERYONE),
    Row("deals list", "", fixed({}), EVERYONE),
    Row("deals show", "", _shipped_show, EVERYONE),
    Row("deals leaderboard", "", fixed({}), EVERYONE),
    Row("deals leaderboard", "metric ev_per_mw", fixed({"metric": "ev_per_mw"}), EVERYONE),
    Row("deals export", "", fixed({}), EVERYONE),
    Row("deals add", "server ledger", fixed(NEW_DEAL), ADMINS),
    Row("deals add", "global ledger", fixed({**NEW_DEAL, "scope": "global"}), OWNERS),
    Row("deals edit", "server contract", _server_edit, ADMINS),
    Row("deals edit", "global contract", _global_edit, OWNERS),
    Row("deals remove", "server contract", _server_remove, ADMINS),
    Row("deals remove", "global contract", _global_remove, OWNERS),
    Row("deals drafts", "", fixed({}), REVIEWERS),
    Row("deals watch", "", _watch, ADMINS),
    Row("deals unwatch", "", fixed({}), ADMINS),
    Row("filings watch", "", _watch, ADMINS),
    Row("filings unwatch", "", fixed({}), ADMINS),
    Row("filings recent", "", fixed({"company": "CIFR"}), EVERYONE),
    Row("summary preview", "", fixed({}), EVERYONE),
    Row("summary config", "", _summary_config, ADMINS),
    Row("summary off", "", fixed({}), ADMINS),
    Row("settings language", "", fixed({"language": "fr"}), ADMINS),
    Row("status", "", fixed({}), EVERYONE),
    Row("alert add", "", fixed({"symbol": "CIFR", "condition": "above", "value": 16.0}), EVERYONE),
    Row(
        "alert add",
        "ma_cross versus",
        fixed({"symbol": "CIFR", "condition": "ma_cross", "versus": "ma50"}),
        EVERYONE,
    ),
    Row(
        "alert add",
        "earnings days",
        fixed({"symbol": "IREN", "condition": "earnings", "value": 3.0}),
        EVERYONE,
    ),
    Row(
        "alert add",
        "relative versus",
        fixed({"symbol": "CIFR", "condition": "relative", "value": 5.0, "versus": "BTC-USD"}),
        EVERYONE,
    ),
    Row("alert list", "own", fixed({}), EVERYONE),
    Row("alert list", "all:true", fixed({"all": True}), ADMINS),
    Row("alert remove", "own alert", on_alert(own=True), EVERYONE),
    Row("alert remove", "another member's", on_alert(own=False), ADMINS),
    Row("alert pause", "own alert", on_alert(own=True), EVERYONE),
    Row("alert pause", "another member's", on_alert(own=False), ADMINS),
    Row("alert resume", "own alert", on_alert(own=True, paused=True), EVERYONE),
    Row("alert resume", "another member's", on_alert(own=False, paused=True), ADMINS),
    Row("alert snooze", "own alert", on_alert(own=True, minutes=60), EVERYONE),
    Row("alert snooze", "another member's", on_alert(own=False, minutes=60), ADMINS),
]


def synced_paths(sandbox: SandboxSession) -> set[str]:
    """Return every leaf command path synced for the sandbox server."""
    commands = sandbox.emu.commands.available(sandbox.world.guild.id)
    return {path for command in commands for path in leaf_paths(command)}


def test_every_row_names_a_known_or_pending_command() -> None:
    """Rows only for commands that exist in the product (a typo would test nothing)."""
    known = {
        "help", "price", "board", "chart", "company", "deals list", "deals show",
        "deals leaderboard", "deals export", "deals add", "deals edit", "deals remove",
        "deals drafts", "deals watch", "deals unwatch", "summary preview", "summary config",
        "summary off", "status", "filings watch", "filings unwatch", "filings recent",
        "alert add", "alert list", "alert remove", "alert pause", "alert resume", "alert snooze",
        "settings language",
    }  # fmt: skip
    assert {row.path for row in TABLE} <= known


@dataclass(frozen=True)
class Cell:
    """What one kind of member got from one row."""

    verdict: str
    text: str = ""
    changed: bool = False


async def outcome(world: World, row: Row, role: str) -> Cell:
    """Run one cell; return its verdict, what the member read and whether the store changed."""
    sandbox = world.sandbox
    options = await row.options(world, role)
    before = await fingerprint(sandbox.bot.store)
    try:
        result = await sandbox.emu.invoke(
            sandbox.world.guild.id, sandbox.world.general.id, world.user(role).id, row.path, options
        )
    except CommandNotAvailable:
        return Cell(HIDDEN)
    await answered(result, sandbox.bot)
    changed = await fingerprint(sandbox.bot.store) != before
    verdict = REFUSED if result.id in Finished.of(sandbox.bot).refused else OK
    return Cell(verdict, result.text(), changed)


async def chart_history(sandbox: SandboxSession) -> None:
    """Store two months of daily closes for what /chart CIFR draws (replay has no history)."""
    start = sandbox.bot.clock.now().date() - timedelta(days=60)
    for symbol, base in (("CIFR", 15.0), ("BTC-USD", 90_000.0), ("NVDA", 180.0)):
        bars = [
            DailyBar(start + timedelta(days=d), base, base * 1.01, base * 0.99, base, 1000)
            for d in range(60)
        ]
        await sandbox.bot.store.prices.upsert_daily(symbol, bars)


@pytest.mark.slow
async def test_permission_table(sandbox: SandboxSession) -> None:
    """Each synced command answers each kind of member as the table says."""
    who = people(sandbox)  # before the first rights check: discord.py caches the owner
    other = await other_server(sandbox)
    shipped = sorted(c.id for c in await sandbox.bot.store.ledger.contracts(guild_id=None))
    await chart_history(sandbox)
    bystander = sandbox.emu.add_member(sandbox.world.guild.id, "bystander")
    world = World(sandbox, who, other, shipped, bystander)
    synced = synced_paths(sandbox)
    missing = sorted(synced - {row.path for row in TABLE})
    assert not missing, "add " + ", ".join(f"/{p}" for p in missing) + " to the permission table"
    lines = ["| command | member | server admin | bot owner |", "|---|---|---|---|"]
    wrong: list[str] = []
    for row in TABLE:
        assert row.path in synced, f"/{row.path} is in the permission table but was never synced"
        cells = []
        for role in ROLES:
            cell = await outcome(world, row, role)
            cells.append(cell.verdict)
            problem = f"{row.label} as {role}"
            if cell.verdict != row.expect[role]:
                wrong.append(
                    f"{problem}: {cell.verdict}, expected {row.expect[role]}: {cell.text!r}"
                )
            elif cell.verdict == REFUSED and not any(w in cell.text for w in RIGHTS_WORDS):
                wrong.append(f"{problem}: refused without saying who may: {cell.text!r}")
            elif cell.verdict == REFUSED and cell.changed:
                wrong.append(f"{problem}: refused, yet the store changed")
        lines.append(f"| `{row.label}` | " + " | ".join(cells) + " |")
    print("\n" + "\n".join(lines))
    assert not wrong, "\n".join(wrong)


async def test_one_server_never_reads_or_changes_another_servers_contracts(
    sandbox: SandboxSession,
) -> None:
    """Server B's admin cannot see, show, edit or remove server A's own contract."""
    who = people(sandbox)
    other = await other_server(sandbox)
    world = World(sandbox, who, other, [])
    mine = await world.server_contract()
    where = {"guild": other.guild, "channel": other.channel, "user": other.admin}
    listed = await run(sandbox, "deals list", {}, **where)
    assert "Server Cloud" not in listed.text()
    for command, options in [
        ("deals show", {"id": mine}),
        ("deals edit", {"id": mine, "notes": "taken over"}),
        ("deals remove", {"id": mine}),
    ]:
        result = await run(sandbox, command, options, **where)
        assert result.ephemeral and result.content == f"No contract `{mine}` here.", command
    contract = await sandbox.bot.ledger.get(sandbox.world.guild.id, mine)
    assert contract.notes is None and contract.deleted_at is None


async def test_one_server_never_changes_another_servers_settings(
    sandbox: SandboxSession,
) -> None:
    """Server B's unwatches and summary off leave server A's watches and summary alone."""
    other = await other_server(sandbox)
    store = sandbox.bot.store
    watched = await run(sandbox, "deals watch", {"channel": sandbox.world.alerts.id})
    assert watched.content.startswith("Watching")
    where = {"guild": other.guild, "channel": other.channel, "user": other.admin}
    result = await run(sandbox, "deals unwatch", {}, **where)
    assert result.content == "This server was not watching."
    assert await store.guilds.watch_channel(sandbox.world.guild.id) == sandbox.world.alerts.id
    filings = await run(sandbox, "filings watch", {"channel": sandbox.world.alerts.id})
    assert filings.content.startswith("Watching SEC filings")
    result = await run(sandbox, "filings unwatch", {}, **where)
    assert result.content == "This server was not watching filings."
    kept = await sandbox.bot.services.filings.watch_of(sandbox.world.guild.id)
    assert kept is not None and kept.channel_id == sandbox.world.alerts.id
    if "summary off" in synced_paths(sandbox):
        configured = await run(sandbox, "summary config", {"channel": sandbox.world.daily.id})
        assert not configured.ephemeral or "daily summary will be posted" in configured.content
        before = await store.db.fetch_all(
            "SELECT * FROM guild_settings WHERE guild_id = ?", (sandbox.world.guild.id,)
        )
        await run(sandbox, "summary off", {}, **where)
        after = await store.db.fetch_all(
            "SELECT * FROM guild_settings WHERE guild_id = ?", (sandbox.world.guild.id,)
        )
        assert [tuple(r) for r in after] == [tuple(r) for r in before]


async def test_one_server_never_manages_another_servers_alerts(sandbox: SandboxSession) -> None:
    """An admin of server B cannot see, pause, snooze or remove an alert of server A."""
    from bot.errors import NotFound

    other = await other_server(sandbox)
    service = sandbox.bot.alerts
    owner = Member(user_id=sandbox.world.member.id, guild_id=sandbox.world.guild.id)
    created = await create_alert(sandbox, owner)
    intruder = Member(user_id=other.admin.id, guild_id=other.guild.id, is_admin=True)
    alert_id = created.alert.id
    for attempt in (
        service.get(intruder, alert_id),
        service.pause(intruder, alert_id),
        service.snooze(intruder, alert_id, 60),
        service.remove(intruder, alert_id),
    ):
        with pytest.raises(NotFound):
            await attempt
    assert await service.list_alerts(intruder, everyone=True) == []
    where = {"guild": other.guild, "channel": other.channel, "user": other.admin}
    listed = await run(sandbox, "alert list", {"all": True}, **where)
    assert f"#{alert_id}" not in listed.text()
    for command, options in [
        ("alert remove", {"id": alert_id}),
        ("alert pause", {"id": alert_id}),
        ("alert resume", {"id": alert_id}),
        ("alert snooze", {"id": alert_id, "minutes": 60}),
    ]:
        result = await run(sandbox, command, options, **where)
        assert result.ephemeral and result.content == f"No alert `{alert_id}` here.", command
    mine = await service.list_alerts(owner)
    assert [a.id for a in mine] == [alert_id] and mine[0].state == created.alert.state


@pytest.mark.parametrize("command", ["deals watch", "summary config"])
async def test_a_server_cannot_point_its_posts_at_another_servers_channel(
    sandbox: SandboxSession, command: str
) -> None:
    """A channel id from another server (a modified client can send one) is refused, not saved."""
    other = await other_server(sandbox)
    where = {"guild": other.guild, "channel": other.channel, "user": other.admin}
    result = await run(sandbox, command, {"channel": sandbox.world.alerts.id}, **where)
    assert result.ephemeral and "is not a valid channel" in result.content
    # The server's Discord language is noted on every interaction; no channel may be saved.
    rows = await sandbox.bot.store.db.fetch_all(
        "SELECT guild_id FROM guild_settings"
        " WHERE summary_channel_id IS NOT NULL OR watch_channel_id IS NOT NULL"
    )
    assert rows == []
