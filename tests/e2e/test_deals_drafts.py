"""/deals drafts through the emulator: a filing's draft confirmed, edited or dismissed."""

from __future__ import annotations

import asyncio

from bot.sandbox.session import SandboxSession
from discord_emulator import Message
from tests.e2e.deals_helpers import buttons, other_server, people, press, run
from tests.factories import filing_ref
from tests.filings.texts import CASES

CIPHER = next(case for case in CASES if case.host == "CIFR")
MOU = next(case for case in CASES if case.host == "BTDR")
FILING = filing_ref()


async def propose(sandbox: SandboxSession, text: str, host: str, **where: int) -> int:
    """Store a filing's drafts as the watcher does; return the first draft's id."""
    drafts = await sandbox.bot.services.drafts.propose(FILING, text, host=host, **where)
    return drafts[0].id


def shown(sandbox: SandboxSession, message: Message) -> Message:
    current = sandbox.emu.message(message.id)
    assert current is not None
    return current


async def test_owner_confirms_a_filing_draft_into_the_global_ledger(
    sandbox: SandboxSession,
) -> None:
    who = people(sandbox)
    draft_id = await propose(sandbox, CIPHER.text, "CIFR")
    listed = await run(sandbox, "deals list", user=who.member)
    assert "Barber Lake" not in listed.text()  # a draft is not a ledger fact

    result = await run(sandbox, "deals drafts", user=who.owner)
    message = result.original
    assert result.ephemeral and message is not None
    embed = result.embeds[0]
    assert embed["title"] == f"Draft {draft_id}: CIFR ← Fluidstack Ltd. (1 of 1)"
    assert (
        "168 MW critical IT · 10 years · ~$3.8B (extracted, unverified)" in (embed["description"])
    )
    assert "“approximately 168 MW of critical IT load”" in embed["description"]
    assert "0001819989-26-000123" in embed["description"]

    click = await press(sandbox, message, "Confirm", who.owner.id)
    await click.wait_ack()
    after = shown(sandbox, message)
    assert after.content.startswith(f"Confirmed draft {draft_id}: contract #")
    assert "No drafts waiting for the global ledger." in after.content
    contract_id = int(after.content.split("#", 1)[1].split(" ", 1)[0])

    listed = await run(sandbox, "deals list", {"company": "CIFR"}, user=who.member)
    assert "Fluidstack Ltd." in listed.text()
    detail = await run(sandbox, "deals show", {"id": contract_id}, user=who.member)
    text = detail.text()
    assert f"<@{who.owner.id}> · added from SEC 8-K 0001819989-26-000123, filed 2026-11-04" in (
        text
    )
    assert f"[Cipher Digital 8-K: colocation lease]({FILING.url})" in text
    assert "sec filing" in text


async def test_edit_then_confirm_a_draft_without_a_tenant(sandbox: SandboxSession) -> None:
    who = people(sandbox)
    draft_id = await propose(sandbox, MOU.text, "BTDR")
    result = await run(sandbox, "deals drafts", user=who.owner)
    message = result.original
    assert message is not None and "tenant not stated" in result.embeds[0]["title"]

    refused = await press(sandbox, message, "Confirm", who.owner.id)
    await refused.wait_done()
    assert refused.ephemeral and "counterparty: is required" in refused.content
    assert "press Edit" in refused.content

    opened = await press(sandbox, message, "Edit", who.owner.id)
    await opened.wait_ack()
    bad = await sandbox.emu.submit_modal(opened, {"mw_critical_it": "lots"})
    await bad.wait_done()
    assert bad.ephemeral and "Critical IT power: must be a number" in bad.content
    draft = await sandbox.bot.store.drafts.get(draft_id)
    assert draft is not None and "counterparty" not in draft.fields  # nothing changed

    opened = await press(sandbox, message, "Edit", who.owner.id)
    await opened.wait_ack()
    edited = await sandbox.emu.submit_modal(
        opened, {"counterparty": "Leading AI Cloud", "term_years": "10"}
    )
    await edited.wait_ack()
    after = shown(sandbox, message)
    assert after.content.startswith(f"Edited draft {draft_id}: Tenant, Initial term.")
    assert after.embeds[0]["title"].startswith(f"Draft {draft_id}: BTDR ← Leading AI Cloud")

    confirmed = await press(sandbox, message, "Confirm", who.owner.id, shown=after)
    await confirmed.wait_ack()
    contracts = await sandbox.bot.ledger.view(None, host="BTDR")
    added = [c for c in contracts if c.counterparty == "Leading AI Cloud"]
    assert len(added) == 1 and added[0].mw_gross == 570.0 and added[0].term_years == 10.0


async def test_dismiss_leaves_the_ledger_alone(sandbox: SandboxSession) -> None:
    who = people(sandbox)
    draft_id = await propose(sandbox, CIPHER.text, "CIFR")
    before = await sandbox.bot.ledger.view(None)
    result = await run(sandbox, "deals drafts", user=who.owner)
    message = result.original
    assert message is not None
    click = await press(sandbox, message, "Dismiss", who.owner.id)
    await click.wait_ack()
    assert shown(sandbox, message).content.startswith(f"Dismissed draft {draft_id}")
    assert await sandbox.bot.ledger.view(None) == before
    again = await run(sandbox, "deals drafts", user=who.owner)
    assert again.content == "No drafts waiting for the global ledger."


async def test_who_sees_which_drafts(sandbox: SandboxSession) -> None:
    """Global drafts: owners only; a server's drafts: its admins; members: nobody's."""
    who = people(sandbox)
    other = await other_server(sandbox)
    await propose(sandbox, CIPHER.text, "CIFR")
    await propose(sandbox, MOU.text, "BTDR", guild_id=sandbox.world.guild.id)

    member = await run(sandbox, "deals drafts", user=who.member)
    assert member.ephemeral and member.content.startswith("Only the bot's owners")
    assert member.embeds == []

    elsewhere = await run(
        sandbox, "deals drafts", user=other.admin, guild=other.guild, channel=other.channel
    )
    assert elsewhere.content == "No drafts waiting for this server's ledger."

    admin = await run(sandbox, "deals drafts", user=who.admin)
    assert admin.embeds[0]["title"].startswith("Draft ") and "BTDR" in admin.embeds[0]["title"]
    assert "(1 of 1)" in admin.embeds[0]["title"]  # the global draft is not among them

    owner = await run(sandbox, "deals drafts", user=who.owner)
    assert "CIFR" in owner.embeds[0]["title"] and "(1 of 1)" in owner.embeds[0]["title"]


async def test_a_filing_with_two_sites_gives_two_drafts_to_page_through(
    sandbox: SandboxSession,
) -> None:
    who = people(sandbox)
    two_sites = next(case for case in CASES if case.host == "WULF")
    first = await propose(sandbox, two_sites.text, "WULF")
    result = await run(sandbox, "deals drafts", user=who.owner)
    message = result.original
    assert message is not None
    assert result.embeds[0]["title"] == f"Draft {first}: WULF ← Fluidstack (1 of 2)"
    assert "at Lake Mariner" in result.embeds[0]["description"]
    assert buttons(message)["◀"].get("disabled")

    turned = await press(sandbox, message, "▶", who.owner.id)
    await turned.wait_ack()
    second = shown(sandbox, message)
    assert second.embeds[0]["title"] == f"Draft {first + 1}: WULF ← Fluidstack (2 of 2)"
    assert "160 MW critical IT · 15 years · $4.1B" in second.embeds[0]["description"]

    dismissed = await press(sandbox, message, "Dismiss", who.owner.id, shown=second)
    await dismissed.wait_ack()
    left = shown(sandbox, message)
    assert left.content.startswith(f"Dismissed draft {first + 1}")
    assert left.embeds[0]["title"] == f"Draft {first}: WULF ← Fluidstack (1 of 1)"


async def test_a_click_on_a_closed_review_is_answered_and_changes_nothing(
    sandbox: SandboxSession,
) -> None:
    """After a restart (the cog unloaded) the old buttons say so instead of failing."""
    who = people(sandbox)
    draft_id = await propose(sandbox, CIPHER.text, "CIFR")
    result = await run(sandbox, "deals drafts", user=who.owner)
    message = result.original
    assert message is not None
    cog = sandbox.bot.get_cog("Deals")
    assert cog is not None
    await cog.cog_unload()
    before = await sandbox.bot.ledger.view(None)
    late = await press(sandbox, message, "Confirm", who.owner.id)
    await late.wait_done()
    assert (
        late.ephemeral
        and late.content == "These draft buttons have expired: run /deals drafts again."
    )
    assert await sandbox.bot.ledger.view(None) == before
    draft = await sandbox.bot.store.drafts.get(draft_id)
    assert draft is not None and draft.state == "pending"


async def test_reviews_whose_buttons_timed_out_are_not_held(sandbox: SandboxSession) -> None:
    """Each /deals drafts holds its review only while its buttons answer."""
    who = people(sandbox)
    await propose(sandbox, CIPHER.text, "CIFR")
    cog = sandbox.bot.get_cog("Deals")
    assert cog is not None
    cog.page_timeout = 0.2  # type: ignore[attr-defined]
    first = (await run(sandbox, "deals drafts", user=who.owner)).original
    assert first is not None
    await asyncio.sleep(0.5)  # the first review's buttons time out
    await run(sandbox, "deals drafts", user=who.owner)
    assert len(cog._reviews.live) == 1  # type: ignore[attr-defined]
    assert all(button.get("disabled") for button in buttons(shown(sandbox, first)).values())
