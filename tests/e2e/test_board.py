"""/board through the emulator: the table, every sort, and buttons only the invoker can use."""

from __future__ import annotations

import asyncio
from typing import cast

import pytest

from bot.render.board import SORT_KEYS
from bot.sandbox.session import SandboxSession
from cogs.prices._cog import Prices
from discord_emulator import InteractionResult


def prices_cog(sandbox: SandboxSession) -> Prices:
    # Not isinstance: discord.py re-imports an extension's modules each time a bot loads it.
    cog = sandbox.bot.get_cog("Prices")
    assert cog is not None and type(cog).__name__ == "Prices"
    return cast(Prices, cog)


async def board(sandbox: SandboxSession, sort: str | None = None) -> InteractionResult:
    options = {"sort": sort} if sort else {}
    result = await sandbox.invoke("board", options, user=sandbox.world.member)
    return await result.wait_done(timeout=5)


def table_symbols(description: str) -> list[str]:
    """Return the symbols of the table rows, in order."""
    table = description.split("```")[1]
    return [line.split()[0].rstrip("!") for line in table.strip().splitlines()[1:]]


async def test_board_shows_every_tracked_miner_in_one_table(sandbox: SandboxSession) -> None:
    result = await board(sandbox)
    assert not result.ephemeral and not result.deferred
    (embed,) = result.embeds
    on_board = {c.symbol for c in await sandbox.bot.store.ledger.companies() if c.on_board}
    assert set(table_symbols(embed["description"])) == on_board
    assert "BTC-USD" not in embed["description"] and "NVDA" not in embed["description"]
    header = embed["description"].split("```")[1].strip().splitlines()[0]
    assert header.split() == ["SYM", "PRICE", "1D", "1M", "MCAP", "MW", "VALUE", "V/MC"]
    assert embed["description"].startswith("Prices as of <t:")
    assert "contracts as of 20" in embed["description"]
    assert "Not investment advice" in embed["footer"]["text"]
    assert not result.visible[0].components  # one page: no buttons
    rows = embed["description"].split("```")[1].strip().splitlines()
    assert len({len(row) for row in rows[1:] if not row.endswith("—")}) <= 2  # aligned


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("change", ["IREN", "APLD", "CIFR", "CORZ", "WULF"]),
        ("mw", ["APLD"]),  # 1.41 GW IT signed; MARA's 1 GW partnership is only announced
        ("symbol", ["ABTC", "APLD", "BITF"]),
        # APLD ~$36.2B, HUT ~$16.8B, GLXY ~$15B, IREN ~$13.1B; WULF counts 51 % of its JV
        # (~$11.5B, not $16.2B).
        ("value", ["APLD", "HUT", "GLXY", "IREN", "WULF"]),
        ("market_cap", ["ABTC", "APLD"]),  # the replay has no market caps: by symbol
    ],
)
async def test_sort_options(sandbox: SandboxSession, sort: str, first: list[str]) -> None:
    assert sort in SORT_KEYS
    embed = (await board(sandbox, sort)).embeds[0]
    assert table_symbols(embed["description"])[: len(first)] == first


@pytest.mark.parametrize("price_source", ["demo"])
async def test_demo_board_is_marked_and_has_month_changes(sandbox: SandboxSession) -> None:
    await sandbox.bot.pipeline.refresh_history()
    embed = (await board(sandbox, "market_cap")).embeds[0]
    assert embed["title"].startswith("[DEMO]")
    assert "DEMO data" in embed["description"]
    rows = embed["description"].split("```")[1].strip().splitlines()[1:]
    month = [row.split()[3] for row in rows]
    assert all(cell.endswith("%") for cell in month), rows  # 1M from the stored history
    cells = {row.split()[0].rstrip("!"): row.split() for row in rows}
    assert cells["CIFR"][4].startswith("$")  # demo market caps (where the demo has shares)
    assert table_symbols(embed["description"])[0] != "ABTC"  # sorted by cap, not by symbol


async def wait_next_button(sandbox: SandboxSession, message_id: int, *, disabled: bool) -> None:
    """Wait until the ▶ button of a board message is (or is no longer) disabled."""
    for _ in range(100):
        stored = sandbox.emu.message(message_id)
        assert stored is not None
        buttons = [c for row in stored.components for c in row.get("components", [])]
        if buttons and buttons[-1].get("disabled", False) is disabled:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the ▶ button never became disabled={disabled}")


async def test_pagination_buttons_work_only_for_the_invoker(sandbox: SandboxSession) -> None:
    prices_cog(sandbox).rows_per_page = 5
    result = await board(sandbox, "symbol")
    message = result.visible[0]
    first_page = table_symbols(result.embeds[0]["description"])
    assert len(first_page) == 5 and "Page 1/4" in result.embeds[0]["footer"]["text"]
    prev_id, _, next_id = message.custom_ids()

    clicked = await sandbox.emu.click(message, next_id, user_id=sandbox.world.member.id)
    await clicked.wait_done()
    page_two = sandbox.emu.message(message.id)
    assert page_two is not None
    assert "Page 2/4" in page_two.embeds[0]["footer"]["text"]
    assert table_symbols(page_two.embeds[0]["description"])[0] == "CIFR"

    stranger = await sandbox.emu.click(message, next_id, user_id=sandbox.world.admin.id)
    await stranger.wait_done()
    assert stranger.ephemeral
    assert "Only the person who ran the command can page" in stranger.text()
    still = sandbox.emu.message(message.id)
    assert still is not None and "Page 2/4" in still.embeds[0]["footer"]["text"]

    back = await sandbox.emu.click(message, prev_id, user_id=sandbox.world.member.id)
    await back.wait_done()
    again = sandbox.emu.message(message.id)
    assert again is not None and "Page 1/4" in again.embeds[0]["footer"]["text"]


async def test_buttons_are_disabled_after_the_timeout(sandbox: SandboxSession) -> None:
    cog = prices_cog(sandbox)
    cog.rows_per_page = 5
    cog.board_timeout = 0.2
    result = await board(sandbox)
    message = result.visible[0]
    await wait_next_button(sandbox, message.id, disabled=False)
    await wait_next_button(sandbox, message.id, disabled=True)
    stored = sandbox.emu.message(message.id)
    assert stored is not None
    buttons = [c for row in stored.components for c in row["components"]]
    assert all(b["disabled"] for b in buttons)


async def test_click_on_a_board_from_before_a_restart_is_answered(
    sandbox: SandboxSession,
) -> None:
    cog = prices_cog(sandbox)
    cog.rows_per_page = 5
    result = await board(sandbox)
    message = result.visible[0]
    await cog.cog_unload()  # what a restart leaves: the message, but no live pager
    late = await sandbox.emu.click(
        message, message.custom_ids()[2], user_id=sandbox.world.member.id
    )
    await late.wait_done()
    assert late.ephemeral and "expired" in late.text()
