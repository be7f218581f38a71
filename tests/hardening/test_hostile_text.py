"""Hostile text members can store is inert wherever the bot shows it, and cannot slow it down."""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import pytest

from bot.sandbox.session import SandboxSession
from discord_emulator import InteractionResult, Message
from tests.e2e.deals_helpers import people, run, worker
from tests.hardening.harness import answered, help_latency, live_markup, shown_plain

# One hostile payload per text a member can store on a contract (each within its limit).
HOSTILE: dict[str, str] = {
    "counterparty": "@everyone <@&123> [Free GPUs](https://evil.example/phish) ```",
    "end_customer": "@here <@999> **bold** ||spoiler|| \u202eevil\u202c",
    "gpu": "`H100` <#123> </deals add:1> <t:0:R> ~~x~~",
    "site": "> quote\n# Heading\n-# small\u200b @\u200beveryone",
    "notes": (
        "```py\nimport os\n```\n[click](https://evil.example/login) @everyone @here "
        "<@&1> <@!42> __u__ *i* \\*escaped\\* " + "nested **__~~||" * 20
    ),
}
SQL_NAME = "Robert'); DROP TABLE contracts;--"
SQL_NOTE = "' OR 1=1; DELETE FROM guild_settings; --"


def texts(messages: list[Message]) -> list[str]:
    """Return every text a member reads in these messages: content, embed texts, fields."""
    return [m.text() for m in messages]


def assert_inert(where: str, shown: list[str], allowed_user_ids: frozenset[int]) -> None:
    """Fail with every live mention or markup found in what the member sees."""
    problems = [p for text in shown for p in live_markup(text, allowed_user_ids)]
    assert not problems, f"{where}: " + "\n".join(problems)


def assert_no_pings(sandbox: SandboxSession) -> None:
    """No message or reply the bot sent could ping @everyone, @here, a role or a user."""
    for request in sandbox.emu.requests:
        body: Any = request.body
        if not isinstance(body, dict):
            continue
        payload = body.get("data", body) if "/callback" in request.path else body
        if not isinstance(payload, dict) or not payload.get("content"):
            continue
        mentions = payload.get("allowed_mentions")
        assert mentions is not None, f"{request.route} sent content without allowed_mentions"
        assert mentions.get("parse") in ([], None), f"{request.route}: {mentions}"
        assert not mentions.get("roles") and not mentions.get("users"), mentions


async def final(sandbox: SandboxSession, result: InteractionResult) -> InteractionResult:
    await answered(result, sandbox.bot)
    return result


async def test_hostile_contract_text_is_inert_in_every_reply_and_post(
    sandbox: SandboxSession,
) -> None:
    """Mentions, links, fences and bidi controls show as plain text in replies and watch posts."""
    who = people(sandbox)
    emu, world = sandbox.emu, sandbox.world
    allowed = frozenset({world.admin.id, who.admin.id, who.owner.id})
    delivery = await worker(sandbox)
    watch = await run(sandbox, "deals watch", {"channel": world.alerts.id})
    assert watch.content.startswith("Watching")

    added = await run(
        sandbox,
        "deals add",
        {
            "host": "IREN",
            "source_url": "https://example.com/press/deal",
            "mw_it": 50.0,
            "term_years": 5.0,
            "value_usd": 1.0e9,
            "status": "signed",
            "announced": "2025-06-15",
            **HOSTILE,
        },
    )
    assert added.content.startswith("Added contract #"), added.text()
    contract_id = int(added.content.split("#", 1)[1].split(" ", 1)[0])
    shown = {"/deals add reply": [added]}
    for label, command, options in [
        ("/deals show", "deals show", {"id": contract_id}),
        ("/deals list", "deals list", {"company": "IREN"}),
        ("/company", "company", {"symbol": "IREN"}),
        ("/deals leaderboard", "deals leaderboard", {"metric": "usd_per_mw_year"}),
    ]:
        shown[label] = [await run(sandbox, command, options)]
    shown["/deals edit reply"] = [
        await run(
            sandbox,
            "deals edit",
            {"id": contract_id, "notes": HOSTILE["counterparty"], "counterparty": SQL_NAME},
        )
    ]
    shown["/deals remove reply"] = [await run(sandbox, "deals remove", {"id": contract_id})]

    report = await delivery.deliver_due()
    assert len(report.delivered) == 3  # added, changed, removed
    posts = emu.posts(world.alerts.id)
    everything = {
        label: [m for r in results for m in r.visible] for label, results in shown.items()
    }
    everything["deal-watch posts"] = posts
    for label, messages in everything.items():
        assert messages, f"{label}: nothing shown"
        assert_inert(label, texts(messages), allowed)

    # Neutralised, not dropped: the member still reads what was typed.
    detail = shown_plain(shown["/deals show"][0].text())
    assert "@everyone <@&123> [Free GPUs](https://evil.example/phish)" in detail
    assert "[click](https://evil.example/login)" in detail
    assert SQL_NAME in shown_plain(posts[1].text())
    assert_no_pings(sandbox)


async def test_sql_in_every_text_is_stored_and_shown_as_typed(sandbox: SandboxSession) -> None:
    """SQL in a name or a note is data: stored verbatim, shown verbatim, tables untouched."""
    added = await run(
        sandbox,
        "deals add",
        {
            "host": "CIFR",
            "counterparty": SQL_NAME,
            "source_url": "https://example.com/x?q=1'--",
            "notes": SQL_NOTE,
            "site": "%' OR '1'='1",
        },
    )
    assert added.content.startswith("Added"), added.text()
    contract_id = int(added.content.split("#", 1)[1].split(" ", 1)[0])
    row = await sandbox.bot.store.db.fetch_one(
        "SELECT counterparty, notes, site FROM contracts WHERE id = ?", (contract_id,)
    )
    assert row is not None and tuple(row) == (SQL_NAME, SQL_NOTE, "%' OR '1'='1")
    shown = shown_plain((await run(sandbox, "deals show", {"id": contract_id})).text())
    assert SQL_NAME in shown and SQL_NOTE in shown
    listed = shown_plain((await run(sandbox, "deals list", {"company": "CIFR"})).text())
    assert SQL_NAME in listed
    tables = await sandbox.bot.store.db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
    )
    assert {"contracts", "guild_settings", "alerts", "outbox"} <= {t[0] for t in tables}
    assert await sandbox.bot.store.db.integrity_check() == ["ok"]


@pytest.mark.parametrize(
    "blank", ["\u200b", "\u200b\u200e\u202e", "\ufeff \u2060"], ids=["zwsp", "bidi", "bom"]
)
async def test_a_name_of_invisible_characters_is_refused_as_blank(
    sandbox: SandboxSession, blank: str
) -> None:
    """A counterparty that would show as nothing is refused, with what is allowed."""
    result = await run(
        sandbox,
        "deals add",
        {"host": "IREN", "counterparty": blank, "source_url": "https://example.com/a"},
    )
    assert result.ephemeral and "counterparty: must not be blank" in result.content
    user_rows = await sandbox.bot.store.db.fetch_one(
        "SELECT count(*) FROM contracts WHERE origin = 'user'"
    )
    assert user_rows is not None and user_rows[0] == 0


async def test_a_link_with_a_bidi_override_is_refused(sandbox: SandboxSession) -> None:
    """A link whose bidi override shows one address but leads to another is refused."""
    result = await run(
        sandbox,
        "deals add",
        {
            "host": "IREN",
            "counterparty": "Fluidstack",
            "source_url": "https://example.com/\u202egnp.exe",
        },
    )
    assert result.ephemeral
    assert "source_url: must not contain invisible or control characters" in result.content


SPAMMERS = 4  # commands in flight at once from the flooding member
SPAM: dict[str, Any] = {
    "host": "IREN",
    "counterparty": "[" * 100 + "@everyone" + "]" * 91,
    "source_url": "https://example.com/" + "(" * 1900,
    "notes": "**__~~||" * 125,
    "site": "`" * 200,
    "end_customer": "\\" * 200,
    "gpu": "<@&1>" * 40,
}


@pytest.mark.slow
async def test_a_member_spamming_huge_inputs_does_not_slow_others(
    sandbox: SandboxSession,
) -> None:
    """/help stays fast for a member while an admin floods the bot with large nested input."""
    emu, world = sandbox.emu, sandbox.world
    quiet = [await help_latency(sandbox) for _ in range(40)]

    stop = asyncio.Event()
    spammed = 0

    async def spam() -> None:
        nonlocal spammed
        commands = [
            ("deals add", SPAM),
            ("price", {"symbol": "(" * 3000 + "@everyone" * 300}),
            ("deals list", {"company": "*" * 60}),
            ("company", {"symbol": "[" * 60}),
            ("chart", {"symbol": "\u202e" * 5000}),
            ("chart", {"symbol": "CIFR", "compare": "IREN"}),  # the heaviest valid command
            ("chart", {"symbol": "CIFR", "style": "candles", "period": "1y"}),
            ("deals show", {"id": 1}),
        ]
        while not stop.is_set():
            for command, options in commands:
                result = await emu.invoke(
                    world.guild.id, world.general.id, world.admin.id, command, options
                )
                await answered(result, sandbox.bot)
                spammed += 1

    spammers = [asyncio.create_task(spam()) for _ in range(SPAMMERS)]
    try:
        await asyncio.sleep(0.05)
        busy = []
        started = time.perf_counter()
        while len(busy) < 80:
            busy.append(await help_latency(sandbox))
            await asyncio.sleep(0.005)
        elapsed = time.perf_counter() - started
    finally:
        stop.set()
        await asyncio.gather(*spammers)
    busy.sort()
    p50, p99 = statistics.median(busy), busy[int(len(busy) * 0.99) - 1]
    print(
        f"\n/help while spammed: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms "
        f"(quiet p50 {statistics.median(quiet) * 1000:.1f} ms); {spammed} spam commands "
        f"in {elapsed:.1f} s"
    )
    assert spammed >= 20
    assert p50 < 0.1 and p99 < 0.25
