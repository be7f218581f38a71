"""/deals add, edit and remove through the emulator: rights, scopes, checks and history."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.sandbox.session import SandboxSession
from discord_emulator import InvalidOptions
from tests.e2e.deals_helpers import SOURCE, People, add_deal, global_id, other_server, people, run

ADMIN_ONLY = "Only members with Manage Server can change this server's contracts."
OWNERS_ONLY = "Only the bot's owners can change the global ledger."
# Who may change a row of each scope (server or global), and what the others are told.
RIGHTS = [
    ("member", "server", ADMIN_ONLY),
    ("admin", "server", None),
    ("owner", "server", ADMIN_ONLY),
    ("member", "global", OWNERS_ONLY),
    ("admin", "global", OWNERS_ONLY),
    ("owner", "global", None),
]


async def server_row(sandbox: SandboxSession, who: People) -> int:
    _, contract_id = await add_deal(sandbox, who.admin)
    assert contract_id is not None
    return contract_id


# ----- who may change what ----------------------------------------------------------------


@pytest.mark.parametrize(("role", "scope", "refusal"), RIGHTS)
async def test_who_may_add(
    sandbox: SandboxSession, role: str, scope: str, refusal: str | None
) -> None:
    who = people(sandbox)
    before = len(await sandbox.bot.ledger.view(sandbox.world.guild.id))
    result, added = await add_deal(sandbox, getattr(who, role), scope=scope)
    assert result.ephemeral
    after = await sandbox.bot.ledger.view(sandbox.world.guild.id)
    if refusal is None:
        assert added is not None and len(after) == before + 1
        row = next(c for c in after if c.id == added)
        assert row.is_global is (scope == "global")
        assert row.created_by == getattr(who, role).id
    else:
        assert result.content == refusal and added is None and len(after) == before


@pytest.mark.parametrize("action", ["edit", "remove"])
@pytest.mark.parametrize(("role", "row", "refusal"), RIGHTS)
async def test_who_may_edit_and_remove(
    sandbox: SandboxSession, action: str, role: str, row: str, refusal: str | None
) -> None:
    who = people(sandbox)
    if row == "server":
        contract_id = await server_row(sandbox, who)
    else:
        contract_id = await global_id(sandbox, "cifr-aws")
    options: dict[str, Any] = {"id": contract_id}
    if action == "edit":
        options["status"] = "energized"
    result = await run(sandbox, f"deals {action}", options, user=getattr(who, role))
    assert result.ephemeral
    contract = await sandbox.bot.ledger.get(sandbox.world.guild.id, contract_id)
    if refusal is not None:
        assert result.content == refusal
        assert contract.deleted_at is None and contract.status != "energized"
    elif action == "edit":
        assert result.content.startswith(f"Changed contract #{contract_id}:")
        assert "Status: " in result.content and contract.status == "energized"
    else:
        assert result.content.startswith("Removed #")
        assert contract.deleted_at is not None


async def test_a_server_never_sees_another_servers_rows(sandbox: SandboxSession) -> None:
    who = people(sandbox)
    mine = await server_row(sandbox, who)
    other = await other_server(sandbox)
    theirs = await other.add_their_deal()
    assert theirs.content.startswith("Added contract #")
    their_id = int(theirs.content.split("#")[1].split(" ")[0])

    here = await run(sandbox, "deals list", {"company": "WULF"}, user=who.member)
    assert "Their Cloud" not in here.text()
    there = await other.run("deals list", {"company": "IREN"})
    assert "Local AI Cloud" not in there.text()
    for contract_id, guild, channel, user in (
        (their_id, None, None, who.admin),
        (mine, other.guild, other.channel, other.admin),
    ):
        for command, extra in (("show", {}), ("edit", {"notes": "x"}), ("remove", {})):
            result = await run(
                sandbox,
                f"deals {command}",
                {"id": contract_id, **extra},
                user=user,
                guild=guild,
                channel=channel,
            )
            assert result.ephemeral and result.content == f"No contract `{contract_id}` here."


async def test_mutations_are_visible_to_members_and_checked_by_the_bot(
    sandbox: SandboxSession,
) -> None:
    # Discord applies default_member_permissions to /deals as a whole, never to one
    # subcommand, so members see add/edit/remove and the bot refuses them (tested above).
    visible = sandbox.emu.visible_commands(sandbox.world.guild.id, sandbox.world.member.id)
    assert {"deals list", "deals add", "deals edit", "deals remove", "company"} <= set(visible)


# ----- every check, with the message the member reads -------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"mw_it": 20_000.0}, "mw_it: must be between 0 and 10,000 MW (got 20,000)"),
        ({"mw_it": -5.0}, "mw_it: must be between 0 and 10,000 MW (got -5)"),
        ({"mw_gross": 1e9}, "mw_gross: must be between 0 and 10,000 MW (got 1e+09)"),
        ({"term_years": 120.0}, "term_years: must be between 0 and 99 years (got 120)"),
        (
            {"value_usd": 2e13},
            "value_usd: must be between 0 and 10,000,000,000,000 USD (got 2e+13)",
        ),
        (
            {"announced": "2025-13-01"},
            "announced: must be a date as YYYY-MM-DD between 2000 and 2100 (got '2025-13-01')",
        ),
        (
            {"announced": "25/09/2025"},
            "announced: must be a date as YYYY-MM-DD between 2000 and 2100 (got '25/09/2025')",
        ),
        (
            {"announced": "1999-12-31"},
            "announced: must be a date as YYYY-MM-DD between 2000 and 2100 (got '1999-12-31')",
        ),
        ({"announced": "2030-01-01"}, "announced: must not be in the future (got 2030-01-01)"),
        (
            {"source_url": "ftp://files.example/x"},
            "source_url: must be an http:// or https:// link to a web page",
        ),
        (
            {"source_url": "javascript:alert(1)"},
            "source_url: must be an http:// or https:// link to a web page",
        ),
        ({"notes": "   "}, "notes: must not be blank"),
        ({"counterparty": " "}, "counterparty: must not be blank"),
        (
            {"host": "nonsense"},
            "host: “nonsense” is not a tracked company; pick one from the list.",
        ),
        (
            {"mw_it": 1e5, "term_years": 500.0},
            "Please fix these options:\n"
            "• mw_it: must be between 0 and 10,000 MW (got 100,000)\n"
            "• term_years: must be between 0 and 99 years (got 500)",
        ),
    ],
)
async def test_add_explains_what_is_wrong(
    sandbox: SandboxSession, options: dict[str, Any], message: str
) -> None:
    before = len(await sandbox.bot.ledger.view(sandbox.world.guild.id))
    result, added = await add_deal(sandbox, sandbox.world.admin, **options)
    assert result.ephemeral and added is None
    assert result.content.startswith(message), result.content
    assert len(await sandbox.bot.ledger.view(sandbox.world.guild.id)) == before


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "give at least one field to change"),
        ({"status_as_of": "2024-02-30"}, "status_as_of: must be a date as YYYY-MM-DD"),
        ({"mw_gross": 10_000.5}, "mw_gross: must be between 0 and 10,000 MW (got 10,000.5)"),
        ({"source_url": "http://no-dot"}, "source_url: must be an http:// or https:// link"),
    ],
)
async def test_edit_explains_what_is_wrong(
    sandbox: SandboxSession, options: dict[str, Any], message: str
) -> None:
    _, contract_id = await add_deal(sandbox, sandbox.world.admin)
    result = await run(sandbox, "deals edit", {"id": contract_id, **options})
    assert result.ephemeral and result.content.startswith(message), result.content


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("deals add", {"status": "finished"}),  # only the vocabulary is offered
        ("deals add", {"scope": "everywhere"}),
        ("deals add", {"notes": "x" * 1001}),  # longer than the ledger keeps
        ("deals add", {"counterparty": "x" * 201}),
        ("deals add", {"source_url": "https://a.example/" + "a" * 2040}),
        ("deals edit", {"confidence": "certain"}),
    ],
)
async def test_the_client_refuses_what_discord_options_rule_out(
    sandbox: SandboxSession, command: str, options: dict[str, Any]
) -> None:
    base: dict[str, Any] = (
        {"host": "IREN", "counterparty": "X", "source_url": SOURCE}
        if command == "deals add"
        else {"id": 1}
    )
    with pytest.raises(InvalidOptions):
        await sandbox.invoke(command, {**base, **options})


# ----- what is stored is shown inertly ----------------------------------------------------

HOSTILE = "@everyone <@&123> **bold** [click](https://evil.example) <@1>"


async def test_mentions_and_markdown_are_neutralised_where_shown(sandbox: SandboxSession) -> None:
    _, contract_id = await add_deal(
        sandbox, sandbox.world.admin, notes=HOSTILE, counterparty="<@&456> __Corp__"
    )
    assert contract_id is not None
    stored = await sandbox.bot.ledger.get(sandbox.world.guild.id, contract_id)
    assert stored.notes == HOSTILE  # kept as typed
    for command, options in (
        ("deals show", {"id": contract_id}),
        ("deals list", {"company": "IREN"}),
    ):
        result = await run(sandbox, command, options, user=sandbox.world.member)
        text = result.text()
        assert "@everyone" not in text
        assert "<@&123>" not in text.replace("\\<@&123>", "")
        assert "<@&456>" not in text.replace("\\<@&456>", "")
        assert "**bold**" not in text and "[click](" not in text.replace("\\[click](", "")
        assert "\\_\\_Corp\\_\\_" in text
    callbacks = [r for r in sandbox.emu.requests if r.path.endswith("/callback")]
    for request in callbacks:
        mentions = (request.body or {}).get("data", {}).get("allowed_mentions")
        if mentions is not None:
            assert mentions.get("parse") == [] and not mentions.get("roles")
            assert not mentions.get("users")


# ----- history ----------------------------------------------------------------------------


async def test_history_records_every_change(sandbox: SandboxSession) -> None:
    admin = sandbox.world.admin
    _, contract_id = await add_deal(sandbox, admin, status="signed")
    first = await run(sandbox, "deals edit", {"id": contract_id, "mw_it": 60.0, "gpu": "GB300"})
    # The confirmation names each field in words, not by its option key.
    assert "• Critical IT power (MW): 50 → 60" in first.content
    assert "• GPUs: — → GB300" in first.content and "mw_it" not in first.content
    second = await run(sandbox, "deals edit", {"id": contract_id, "status": "energized"})
    assert "• Status: signed → energized" in second.content
    unchanged = await run(sandbox, "deals edit", {"id": contract_id, "mw_it": 60.0})
    assert unchanged.content.startswith("Nothing changed")
    await run(sandbox, "deals remove", {"id": contract_id})
    for command, extra in (("remove", {}), ("edit", {"notes": "too late"})):
        again = await run(sandbox, f"deals {command}", {"id": contract_id, **extra})
        assert again.content == f"No contract `{contract_id}` here."

    text = (await run(sandbox, "deals show", {"id": contract_id})).text()
    who = f"<@{admin.id}>"
    lines = [line for line in text.splitlines() if re.match(r"<t:\d+:f> · ", line)]
    assert [line.split(" · ", 2)[1:] for line in lines] == [
        [who, "added"],
        [who, "`mw_it`: 50 → 60"],
        [who, "`gpu`: — → GB300"],
        [who, "`status`: signed → energized"],
        [who, "removed"],
    ]
    assert re.search(r"\*\*Removed\*\* <t:\d+:f>", text)
    history = await sandbox.bot.store.ledger.history(contract_id)
    assert [h.action for h in history] == ["create", "update", "update", "update", "delete"]
