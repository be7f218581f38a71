"""/company through the emulator: the stored profile, the contracts summary and the cached price."""

from __future__ import annotations

import re

import pytest

from bot.sandbox.session import SandboxSession
from tests.e2e.deals_helpers import run


async def test_profile_of_a_miner(sandbox: SandboxSession) -> None:
    result = await run(sandbox, "company", {"symbol": "iren"}, user=sandbox.world.member)
    assert not result.ephemeral
    text = result.text()
    assert result.embeds[0]["title"] == "IREN · IREN Limited"
    assert "**Name** IREN Limited (formerly Iris Energy Limited)" in text
    assert "**Exchange** Nasdaq · **kind** bitcoin miner · **HQ** Sydney, NSW, AU" in text
    assert "**Still mines bitcoin** yes (as of 2025-11-06)" in text
    assert (
        "**Power portfolio** ~2,910 MW, secured grid connections (not energised load), as of"
        in text
    )
    # The $500M/yr AI-cloud target is listed, never counted; the NVIDIA deal is low confidence.
    assert (
        "**AI contracts** 2 deals · 260 MW (IT) · ~$13.1B · incl. 1 low-confidence · "
        "as of 2025-11-06 (oldest) · 1 target, not counted"
    ) in text
    assert re.search(r"\*\*Latest price\*\* \$42\.00 \+5\.0 % · as of <t:\d+:f>", text)
    assert "**Childress** (Childress, TX, US): 750 MW, grid connection · as of 2025-11-06" in text
    assert text.count("](https://") >= 5


async def test_terminated_deals_are_counted_apart(sandbox: SandboxSession) -> None:
    text = (await run(sandbox, "company", {"symbol": "CORZ"})).text()
    assert "1 deal · 590 MW (IT) · > $10B · as of 2026-05-06 (oldest) · 1 terminated" in text


async def test_a_neocloud_that_does_not_mine(sandbox: SandboxSession) -> None:
    text = (await run(sandbox, "company", {"symbol": "nebius"})).text()
    assert "**Name** Nebius Group N.V. (formerly Yandex N.V.)" in text
    assert "**Still mines bitcoin** no (as of 2025-09-09)" in text


async def test_a_company_without_a_cached_price(sandbox: SandboxSession) -> None:
    text = (await run(sandbox, "company", {"symbol": "HUT"})).text()
    assert "**Latest price** — (no price cached yet)" in text


@pytest.mark.parametrize("price_source", ["demo"])
async def test_demo_prices_are_marked(sandbox: SandboxSession) -> None:
    text = (await run(sandbox, "company", {"symbol": "CIFR"})).text()
    assert re.search(r"\*\*Latest price\*\* \$[\d.,]+ .* · as of <t:\d+:f> \[DEMO\]", text)


async def test_unknown_company(sandbox: SandboxSession) -> None:
    result = await run(sandbox, "company", {"symbol": "@everyone"})
    assert result.ephemeral
    assert result.content.startswith("symbol: “@\u200beveryone” is not a tracked company")


async def test_symbol_autocomplete(sandbox: SandboxSession) -> None:
    world = sandbox.world
    choices = await sandbox.emu.autocomplete(
        world.guild.id, world.general.id, world.member.id, "company", focused="symbol", value="tera"
    )
    assert choices[0] == {"name": "WULF · TeraWulf Inc.", "value": "WULF"}
    assert len(choices) <= 25
