"""Alert posts in their reader's language: the server's in a channel, the member's in DMs."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession
from tests.e2e.alerts_helpers import TIMELINE, WAIT, add_alert, tick_at
from tests.e2e.deals_helpers import run


@pytest.fixture
def replay_csv() -> str:
    return TIMELINE


async def test_a_french_servers_alert_post_is_in_french(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    world = sandbox.world
    await run(sandbox, "settings language", {"language": "fr"})
    await add_alert(sandbox, symbol="CIFR", condition="above", value=16)  # an English member
    await tick_at(sandbox, e2e_clock, 60)  # 15.50 → 16.50
    (post,) = await sandbox.emu.wait_for_posts(world.general.id, 1, WAIT)
    assert post.content == f"<@{world.member.id}> votre alerte de cours s’est déclenchée."
    (embed,) = post.embeds
    assert embed["title"] == "CIFR est passé au-dessus de 16,00\u00a0$US"
    assert "Pas un conseil en investissement" in embed["footer"]["text"]


async def test_a_dm_follows_the_members_language_not_the_servers(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    member = sandbox.world.member
    sandbox.emu.set_locale(member.id, "fr")
    await add_alert(sandbox, symbol="NVDA", condition="above", value=185, dm=True)
    await tick_at(sandbox, e2e_clock, 60)  # 180 → 190
    (dm,) = await sandbox.emu.wait_for_dms(member.id, 1, WAIT)
    assert dm.content == "Votre alerte de cours s’est déclenchée."
    assert dm.embeds[0]["title"] == "NVDA est passé au-dessus de 185,00\u00a0$US"
