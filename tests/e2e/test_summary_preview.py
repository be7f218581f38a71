"""/summary preview shows exactly what would be posted now, before the first summary too."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession
from tests.e2e.deals_helpers import SOURCE
from tests.e2e.test_summary import SLOT, configure, run, run_job, summaries, worker


@pytest.fixture
def price_source() -> str:
    """Demo prices (synthetic, with a year of history) for every test here."""
    return "demo"


def contracts_section(embeds: list[dict[str, Any]]) -> str:
    """Return the section's listing, after the "Since <t:…>" line that opens it when known."""
    section = next(e for e in embeds if str(e["title"]).startswith("Contracts added or changed"))
    lead, _, listing = str(section["description"]).partition("\n")
    return listing if lead.startswith("Since <t:") else lead + _ + listing


async def preview(sandbox: SandboxSession) -> str:
    result = await run(sandbox, "summary preview", user=sandbox.world.member)
    return contracts_section(result.visible[-1].embeds)


async def test_the_first_preview_does_not_list_the_shipped_ledger(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    # The shipped contracts were seeded when the bot started, minutes ago.
    assert await sandbox.bot.store.ledger.contracts(guild_id=None)
    assert await preview(sandbox) == "None."
    await configure(sandbox)
    delivery = await worker(sandbox)
    e2e_clock.set(SLOT)
    assert await preview(sandbox) == "None."
    await run_job(sandbox)
    await delivery.deliver_due()
    (post,) = summaries(sandbox)
    assert contracts_section(post.embeds) == "None."


async def test_a_preview_lists_what_changed_since_the_summary_was_turned_on(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    await configure(sandbox)
    e2e_clock.advance(timedelta(minutes=5))
    added = await run(
        sandbox,
        "deals add",
        {"host": "WULF", "counterparty": "Local AI Cloud", "mw_it": 20.0, "source_url": SOURCE},
    )
    assert added.content.startswith("Added contract #"), added.content
    listed = await preview(sandbox)
    assert listed.startswith("**Added** ") and "Local AI Cloud" in listed
    assert len(listed.splitlines()) == 1
