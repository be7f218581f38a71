"""The daily summary in its server's language: set with /summary config language:."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession
from bot.summary.catchup import Action
from tests.e2e.test_summary import SLOT, run, run_job, summaries, worker


@pytest.fixture
def price_source() -> str:
    return "demo"


async def test_a_french_server_gets_its_summary_in_french(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    reply = await run(
        sandbox, "summary config", {"channel": sandbox.world.daily.id, "language": "fr"}
    )
    assert reply.ephemeral and "in French" in reply.content  # the reply: the admin's language
    delivery = await worker(sandbox)
    e2e_clock.set(SLOT)
    assert await run_job(sandbox) is Action.POST
    await delivery.deliver_due()
    (post,) = summaries(sandbox)
    titles = [e.get("title", "") for e in post.embeds]
    assert titles[0] == "[DEMO] Résumé quotidien · mercredi 25 novembre 2026"
    assert "Plus fortes variations · 1J" in titles
    assert "Classement · MW sous contrat" in titles
    assert "Pas un conseil en investissement" in post.embeds[0]["footer"]["text"]
    assert post.embeds[-1]["title"] == "Mineurs face à BTC et NVDA · 1 mois, normalisé"
    assert post.attachments  # the chart, drawn for French readers


async def test_a_preview_shows_the_servers_language(sandbox: SandboxSession) -> None:
    await run(sandbox, "settings language", {"language": "fr"})
    preview = await run(sandbox, "summary preview", locale="en-US")
    assert preview.content.startswith("Preview of today's summary")  # the reply: English
    assert preview.embeds[0]["title"].endswith("Résumé quotidien · mercredi 25 novembre 2026")
