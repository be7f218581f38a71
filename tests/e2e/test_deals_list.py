"""/deals list, show and leaderboard through the emulator: the shipped ledger, read correctly."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from bot.sandbox.session import SandboxSession
from cogs._ui.pager import MAX_LIVE_PAGERS, _LivePagers
from discord_emulator import EmulatorUsageError, InvalidOptions, Message
from tests.e2e.deals_helpers import add_deal, buttons, global_id, press, run

LINK = re.compile(r"\*\*Source\*\* \[[^\]]+\]\(https?://[^)\s]+\)")


def contract_fields(embeds: list[dict[str, Any]]) -> dict[str, str]:
    """Return the contracts on a list page: heading → body."""
    return {f["name"]: f["value"] for e in embeds for f in e.get("fields", [])}


def one(fields: dict[str, str], *needles: str) -> str:
    """Return the body of the one contract whose heading contains every needle."""
    (body,) = [v for k, v in fields.items() if all(n in k for n in needles)]
    return body


async def listed(sandbox: SandboxSession, **options: Any) -> dict[str, str]:
    result = await run(sandbox, "deals list", options, user=sandbox.world.member)
    assert not result.ephemeral
    return contract_fields(result.embeds)


async def test_cipher_deals_match_the_reference(sandbox: SandboxSession) -> None:
    fields = await listed(sandbox, company="CIFR")
    assert len(fields) == 4  # with the third hyperscaler lease of March 2026
    barber = [v for k, v in fields.items() if "Fluidstack" in k and "168 MW (IT)" in v]
    (fluidstack,) = barber
    assert "**MW** 168 MW (IT) · 244 MW (gross)" in fluidstack
    assert "**Term** 10 y · **value** ~$3B (~$7B with extensions, not counted)" in fluidstack
    assert "(derived: value ÷ term, not company guidance)" in fluidstack
    aws = one(fields, "Amazon Web Services")
    assert "**MW** 300 MW (gross) · IT —" in aws
    assert "**Term** 15 y · **value** ~$5.5B" in aws
    assert "signed (as of 2025-11-03)" in aws


async def test_core_scientific_merger_is_shown_as_terminated(sandbox: SandboxSession) -> None:
    result = await run(sandbox, "deals list", {"company": "core scientific"})
    fields = contract_fields(result.embeds)
    hosting = one(fields, "CORZ ← CoreWeave", "#11")
    assert "**MW** 590 MW (IT)" in hosting and "**Term** 12 y" in hosting
    merger = one(fields, "terminated")
    assert "⛔ **terminated** (as of 2025-10-30)" in merger
    totals = result.embeds[0]["description"]
    assert (
        "**CORZ** · 1 deal · 590 MW (IT) · > $10B · as of 2026-05-06 (oldest) · "
        "1 terminated, not counted"
    ) in totals
    assert "Totals count binding leases, GPU-cloud services and joint ventures" in totals


@pytest.mark.parametrize(
    ("company", "counterparty", "figure"),
    [("iren", "Microsoft", "**value** ~$9.7B"), ("nebius", "Microsoft", "~$17.4B")],
)
async def test_microsoft_deals_of_iren_and_nebius(
    sandbox: SandboxSession, company: str, counterparty: str, figure: str
) -> None:
    fields = await listed(sandbox, company=company)
    assert figure in one(fields, counterparty)


async def test_every_shown_contract_has_a_source_link_and_an_as_of_date(
    sandbox: SandboxSession,
) -> None:
    result = await run(sandbox, "deals list", user=sandbox.world.member)
    message = result.original
    assert message is not None
    pages = [contract_fields(message.embeds)]
    while not buttons(message)["▶"].get("disabled"):
        click = await press(sandbox, message, "▶", sandbox.world.member.id)
        await click.wait_ack()
        message = sandbox.emu.message(message.id)
        assert message is not None
        pages.append(contract_fields(message.embeds))
    shown = {k: v for page in pages for k, v in page.items()}
    assert len(shown) == len(await sandbox.bot.store.ledger.contracts(guild_id=None))
    for heading, body in shown.items():
        assert LINK.search(body), heading
        assert re.search(r"\(as of \d{4}(-\d{2}){0,2}\)", body), heading


async def test_a_tenant_sees_its_leases_from_other_hosts(sandbox: SandboxSession) -> None:
    fields = await listed(sandbox, company="coreweave")
    hosts = sorted({k.split(" · ")[1].split(" ←")[0] for k in fields})
    assert hosts == ["APLD", "CORZ", "GLXY"]


async def test_status_filter_and_nothing_found(sandbox: SandboxSession) -> None:
    fields = await listed(sandbox, status="terminated")
    assert list(fields) == [next(iter(fields))] and "CORZ" in next(iter(fields))
    result = await run(sandbox, "deals list", {"company": "CLSK"})
    assert result.ephemeral
    assert result.content == "No contracts for CLSK in this server's view of the ledger."


async def test_unknown_company_says_what_is_allowed(sandbox: SandboxSession) -> None:
    result = await run(sandbox, "deals list", {"company": "cipherr"})
    assert result.ephemeral
    assert result.content.startswith("company: “cipherr” is not a tracked company")
    assert "Did you mean CIFR" in result.content


async def test_status_must_be_one_of_the_choices(sandbox: SandboxSession) -> None:
    with pytest.raises(InvalidOptions):
        await sandbox.invoke("deals list", {"status": "done"})


async def test_company_autocomplete_offers_at_most_25_tracked_companies(
    sandbox: SandboxSession,
) -> None:
    world = sandbox.world
    everything = await sandbox.emu.autocomplete(
        world.guild.id, world.general.id, world.member.id, "deals list", focused="company", value=""
    )
    assert 0 < len(everything) <= 25
    cipher = await sandbox.emu.autocomplete(
        world.guild.id,
        world.general.id,
        world.member.id,
        "deals list",
        focused="company",
        value="ciph",
    )
    assert cipher[0] == {"name": "CIFR · Cipher Digital Inc.", "value": "CIFR"}  # renamed 2026


# ----- paging -----------------------------------------------------------------------------


async def test_only_the_invoker_can_turn_pages(sandbox: SandboxSession) -> None:
    world = sandbox.world
    result = await run(sandbox, "deals list", user=world.member)
    message = result.original
    assert message is not None
    controls = buttons(message)
    assert controls["◀"]["disabled"] and not controls["▶"].get("disabled")
    first_page = message.embeds[0]["footer"]["text"]
    assert first_page.endswith("page 1/7")  # 32 contracts, five a page

    other = await sandbox.emu.click(message, controls["▶"]["custom_id"], user_id=world.admin.id)
    await other.wait_done()
    assert other.ephemeral and "belong to the member who ran the command" in other.content
    assert sandbox.emu.message(message.id).embeds[0]["footer"]["text"] == first_page  # type: ignore[union-attr]

    mine = await sandbox.emu.click(message, controls["▶"]["custom_id"], user_id=world.member.id)
    await mine.wait_ack()
    turned = sandbox.emu.message(message.id)
    assert turned is not None and turned.embeds[0]["footer"]["text"].endswith("page 2/7")
    assert not buttons(turned)["◀"].get("disabled")


async def test_page_buttons_stop_after_their_timeout(sandbox: SandboxSession) -> None:
    cog = sandbox.bot.get_cog("Deals")
    cog.page_timeout = 0.3  # type: ignore[union-attr]
    result = await run(sandbox, "deals list", user=sandbox.world.member)
    message = result.original
    assert message is not None and buttons(message)
    for _ in range(100):
        current = sandbox.emu.message(message.id)
        if current is not None and all(b.get("disabled") for b in buttons(current).values()):
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the page buttons were not disabled after the timeout")
    with pytest.raises(EmulatorUsageError, match="disabled"):
        await press(sandbox, message, "▶", sandbox.world.member.id, shown=current)


# ----- show -------------------------------------------------------------------------------


async def test_show_gives_the_contract_in_full_with_history(sandbox: SandboxSession) -> None:
    contract_id = await global_id(sandbox, "iren-microsoft")
    result = await run(sandbox, "deals show", {"id": contract_id}, user=sandbox.world.member)
    text = result.text()
    assert f"#{contract_id} · IREN ← Microsoft (MSFT)" in text
    assert "**Total contract value** ~$9.7B" in text
    assert "$1.94B/yr (company-stated)" in text
    assert "**GPUs** NVIDIA GB300" in text
    assert re.search(r"<t:\d+:f> · the shipped ledger · added", text)
    assert text.count("](https://") >= 3


async def test_show_of_an_unknown_contract(sandbox: SandboxSession) -> None:
    result = await run(sandbox, "deals show", {"id": 999_999})
    assert result.ephemeral
    assert result.content == "No contract `999999` here."


# ----- leaderboard ------------------------------------------------------------------------


async def test_leaderboard_by_contracted_mw(sandbox: SandboxSession) -> None:
    result = await run(sandbox, "deals leaderboard", user=sandbox.world.member)
    lines = result.embeds[0]["description"].splitlines()
    assert lines[0] == "1. **APLD** 1.41 GW (IT)"  # with Delta Forge 1 and 2, Polaris Forge 3
    assert "MARA** 1 GW" not in result.embeds[0]["description"]  # its 1 GW JV is only announced
    assert "**CIFR** 207 MW (IT) + 300 MW (gross)" in result.embeds[0]["description"]
    assert "1.3 GW" not in result.embeds[0]["description"]  # the terminated merger


async def test_leaderboard_by_value_to_market_cap_without_caps(sandbox: SandboxSession) -> None:
    result = await run(sandbox, "deals leaderboard", {"metric": "value_to_market_cap"})
    assert "No market cap available yet: APLD, CIFR" in result.embeds[0]["description"]


@pytest.mark.parametrize("price_source", ["demo"])  # synthetic prices with market caps
async def test_leaderboard_by_value_to_market_cap_with_demo_caps(sandbox: SandboxSession) -> None:
    result = await run(sandbox, "deals leaderboard", {"metric": "value_to_market_cap"})
    description = result.embeds[0]["description"]
    assert description.startswith("1. **")
    assert "market cap [DEMO]" in description
    assert re.search(r"the oldest as of <t:\d+:f>", description)
    assert "[DEMO] marks synthetic prices" in description


async def test_leaderboard_by_price_per_mw_year(sandbox: SandboxSession) -> None:
    result = await run(sandbox, "deals leaderboard", {"metric": "usd_per_mw_year"})
    description = result.embeds[0]["description"]
    assert "**IREN** ← Microsoft (MSFT)" in description and "$9.7M/MW/yr" in description
    assert "on 300 MW (gross)" in description  # Cipher–AWS, labelled gross


async def member_list(sandbox: SandboxSession) -> Message:
    """Run /deals list as a member; return the paged message."""
    result = await run(sandbox, "deals list", user=sandbox.world.member)
    assert result.original is not None
    return result.original


async def test_a_page_turn_shows_the_ledger_as_it_is_at_the_click(
    sandbox: SandboxSession,
) -> None:
    message = await member_list(sandbox)
    assert message.embeds[0]["footer"]["text"].endswith("page 1/7")  # 32 contracts
    for number in range(4):  # 36 contracts: an eighth page
        _, added = await add_deal(sandbox, sandbox.world.admin, counterparty=f"Cloud {number}")
        assert added is not None
    turned = await press(sandbox, message, "▶", sandbox.world.member.id)
    await turned.wait_ack()
    shown = sandbox.emu.message(message.id)
    assert shown is not None and shown.embeds[0]["footer"]["text"].endswith("page 2/8")


async def test_a_click_on_pages_from_before_a_restart_is_answered_privately(
    sandbox: SandboxSession,
) -> None:
    message = await member_list(sandbox)
    cog = sandbox.bot.get_cog("Deals")
    assert cog is not None
    await cog.cog_unload()  # what a restart leaves: the message, but no live pager
    late = await press(sandbox, message, "▶", sandbox.world.member.id)
    await late.wait_done()
    assert late.ephemeral and "expired" in late.text() and "/deals list" in late.text()


async def test_past_the_live_pager_limit_the_oldest_pages_expire(sandbox: SandboxSession) -> None:
    live = _LivePagers.of(sandbox.bot)
    assert live.limit == MAX_LIVE_PAGERS
    live.limit = 2
    first, second, third = [await member_list(sandbox) for _ in range(3)]
    assert len(live.live) == 2  # the first pager was stopped to make room
    late = await press(sandbox, first, "▶", sandbox.world.member.id)
    await late.wait_done()
    assert late.ephemeral and "expired" in late.text() and "/deals list" in late.text()
    for message in (second, third):
        click = await press(sandbox, message, "▶", sandbox.world.member.id)
        await click.wait_done()
        turned = sandbox.emu.message(message.id)
        assert turned is not None and turned.embeds[0]["footer"]["text"].endswith("page 2/7")
