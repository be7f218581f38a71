"""Valuation per MW through the emulator: /company, /board view:valuation, the leaderboard."""

from __future__ import annotations

import re

import pytest

from bot.sandbox.session import SandboxSession
from tests.e2e.deals_helpers import run

pytestmark = pytest.mark.parametrize("price_source", ["demo"])


async def refreshed(sandbox: SandboxSession) -> SandboxSession:
    """Run the balance-sheet job once (the scheduler's first run, made deterministic)."""
    await sandbox.bot.services.balance_sheets.refresh()
    return sandbox


async def test_company_shows_each_figure_with_its_footnoted_inputs(
    sandbox: SandboxSession,
) -> None:
    await refreshed(sandbox)
    result = await run(sandbox, "company", {"symbol": "cipher"}, user=sandbox.world.member)
    text = result.text()
    assert re.search(r"\*\*EV\*\* \$[\d.]+[MB] \[DEMO\] \[1\]", text)
    assert re.search(r"\*\*EV / contracted MW\*\* \$[\d.]+M/MW \[DEMO\] \[2\]", text)
    assert "**Tenant concentration** " in text and "MW counted)" in text
    sheet = sandbox.bot.services.balance_sheets.get("CIFR")
    assert sheet is not None and sheet.period_end is not None
    as_of = sheet.period_end.isoformat()
    assert (
        f"[1] EV = market cap + total debt − cash; inputs: market cap (as of 2026-11-25, DEMO), "
        f"total debt (as of {as_of}, DEMO), cash (as of {as_of}, DEMO)"
    ) in text


async def test_a_company_that_hosts_nothing_has_no_valuation_section(
    sandbox: SandboxSession,
) -> None:
    await refreshed(sandbox)
    text = (await run(sandbox, "company", {"symbol": "NVDA"})).text()
    assert "Valuation" not in text


async def test_the_valuation_board_lists_the_cheapest_megawatts_first(
    sandbox: SandboxSession,
) -> None:
    await refreshed(sandbox)
    result = await run(sandbox, "board", {"view": "valuation"}, user=sandbox.world.member)
    assert not result.ephemeral
    (embed,) = result.embeds
    assert embed["title"] == "[DEMO] Miners board · valuation per MW"
    table = embed["description"].split("```")[1].strip().splitlines()
    assert table[0].split() == [
        "SYM",
        "EV",
        "EV/MW",
        "EV/eMW",
        "REV/MW/YR",
        "V/EV",
        "TOP",
        "TENANT",
    ]
    services = sandbox.bot.services
    valuations = await services.valuations.board(await sandbox.bot.ledger.view(None))
    known = sorted(
        (v.ev_per_contracted_mw.value, v.symbol)
        for v in valuations
        if v.ev_per_contracted_mw.value is not None
    )
    assert known, "the demo board values at least one host"
    shown = [row.split()[0].rstrip("ᴰ") for row in table[1:]]
    assert shown[: len(known)] == [symbol for _, symbol in known]
    assert "balance sheets as of" in embed["description"]


async def test_sort_with_the_valuation_view_is_refused_and_changes_nothing(
    sandbox: SandboxSession,
) -> None:
    result = await run(sandbox, "board", {"view": "valuation", "sort": "mw"})
    assert result.ephemeral
    assert result.content.startswith("sort: the valuation view is ordered by EV per contracted MW")


async def test_the_leaderboard_ranks_ev_per_contracted_mw_lowest_first(
    sandbox: SandboxSession,
) -> None:
    await refreshed(sandbox)
    result = await run(sandbox, "deals leaderboard", {"metric": "ev_per_mw"})
    (embed,) = result.embeds
    assert embed["title"] == "Leaderboard · EV per contracted MW (cheapest first)"
    figures = re.findall(
        r"^\d+\. \*\*(\S+)\*\* \$([\d.]+)([KMB])/MW \[DEMO\]", embed["description"], re.M
    )
    assert len(figures) >= 2
    scale = {"K": 1e3, "M": 1e6, "B": 1e9}
    values = [float(number) * scale[unit] for _, number, unit in figures]
    assert values == sorted(values)
    assert "binding deals at the host's share" in embed["description"]
