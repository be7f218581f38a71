"""Alert quotas come from the settings: per member in a server, and per server."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.session import SandboxSession
from tests.e2e.alerts_helpers import TIMELINE, add_alert, command


@pytest.fixture
def replay_csv() -> str:
    return TIMELINE


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"max_alerts_per_user": 2, "max_alerts_per_guild": 3}


async def test_a_member_may_have_as_many_alerts_as_the_settings_allow(
    sandbox: SandboxSession,
) -> None:
    for level in (16, 17):
        _, alert_id = await add_alert(sandbox, symbol="CIFR", condition="above", value=level)
        assert alert_id is not None
    reply, refused = await add_alert(sandbox, symbol="CIFR", condition="above", value=18)
    assert refused is None
    assert reply == (
        "You already have 2 active alerts in this server, the most allowed; "
        "remove one first (see /alert list)."
    )
    _, first = await add_alert(
        sandbox, sandbox.world.admin, symbol="WULF", condition="below", value=11
    )
    assert first is not None  # the quota is per member
    assert "2 of the 2 you may have here" in await command(sandbox, "list")


async def test_a_server_may_have_as_many_alerts_as_the_settings_allow(
    sandbox: SandboxSession,
) -> None:
    world = sandbox.world
    for user, level in ((world.member, 16), (world.member, 17), (world.admin, 18)):
        _, alert_id = await add_alert(sandbox, user, symbol="CIFR", condition="above", value=level)
        assert alert_id is not None
    reply, refused = await add_alert(
        sandbox, world.admin, symbol="CIFR", condition="above", value=19
    )
    assert refused is None and reply.startswith("This server already has 3 active alerts")
    alert_id = int((await command(sandbox, "list", world.admin)).split("`#", 1)[1].split("`")[0])
    await command(sandbox, "remove", world.admin, id=alert_id)
    _, again = await add_alert(sandbox, world.admin, symbol="CIFR", condition="above", value=19)
    assert again is not None  # a removed alert no longer counts
