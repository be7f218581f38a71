"""One symbol directory: a newer ledger applied while the bot runs is seen by every command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.app import seed_if_needed
from bot.paths import LEDGER_PATH
from bot.sandbox.session import SandboxSession
from tests.e2e.deals_helpers import run

# A company the shipped ledger does not track (made up for this test).
NEW_COMPANY: dict[str, Any] = {
    "symbol": "KEEL",
    "name": "Keel Compute Corp.",
    "exchange": "Nasdaq",
    "kind": "miner",
    "aliases": ["keel compute"],
    "tracked_on_board": True,
}


def newer_ledger(tmp_path: Path) -> Path:
    """Write the shipped ledger with one more company, dated after the shipped one."""
    data = yaml.safe_load(LEDGER_PATH.read_text(encoding="utf-8"))
    data["as_of"] = "2099-01-01"
    data["companies"].append(NEW_COMPANY)
    path = tmp_path / "ledger.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


async def offered(sandbox: SandboxSession, command: str, focused: str, value: str) -> list[str]:
    """Return the labels of the autocomplete choices (a tracked company's carries its name)."""
    world = sandbox.world
    choices = await sandbox.emu.autocomplete(
        world.guild.id, world.general.id, world.member.id, command, focused=focused, value=value
    )
    return [c["name"] for c in choices]


def table_symbols(description: str) -> list[str]:
    table = description.split("```")[1]
    return [line.split()[0].rstrip("!") for line in table.strip().splitlines()[1:]]


async def test_a_new_company_is_answered_everywhere_at_once(
    sandbox: SandboxSession, tmp_path: Path
) -> None:
    label = "KEEL · Keel Compute Corp."
    assert label not in await offered(sandbox, "price", "symbol", "keel")

    await seed_if_needed(sandbox.bot.services, newer_ledger(tmp_path))

    assert (await offered(sandbox, "price", "symbol", "keel"))[0] == label
    assert (await offered(sandbox, "chart", "compare", "keel compute"))[0] == label
    assert (await offered(sandbox, "alert add", "symbol", "keel"))[0] == label
    assert (await offered(sandbox, "company", "symbol", "keel"))[0] == label
    profile = await run(sandbox, "company", {"symbol": "keel compute"}, user=sandbox.world.member)
    assert profile.embeds[0]["title"] == "KEEL · Keel Compute Corp."
    board = await sandbox.invoke("board", {}, user=sandbox.world.member)
    await board.wait_done(timeout=5)
    assert "KEEL" in table_symbols(board.embeds[0]["description"])
