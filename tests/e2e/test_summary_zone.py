"""/summary config refuses a fixed offset such as EST, pointing to the region's IANA zone."""

from __future__ import annotations

import pytest

from bot.sandbox.session import SandboxSession
from tests.e2e.test_summary import configure, run, zones_offered


@pytest.mark.parametrize(
    ("zone", "instead"),
    [("EST", "America/New_York"), ("MST", "America/Denver"), ("Etc/GMT+5", "America/New_York")],
)
async def test_a_fixed_offset_is_refused_with_a_hint(
    sandbox: SandboxSession, zone: str, instead: str
) -> None:
    await configure(sandbox, timezone="Europe/Paris")
    result = await run(
        sandbox, "summary config", {"channel": sandbox.world.daily.id, "timezone": zone}
    )
    assert result.ephemeral
    assert result.content.startswith(
        f"timezone: {zone} is a fixed offset that ignores daylight saving; "
        f"use an IANA zone such as {instead}"
    )
    config = await sandbox.bot.store.summary.config(sandbox.world.guild.id)
    assert config is not None and config.zone == "Europe/Paris"  # nothing changed


async def test_fixed_offsets_are_not_offered(sandbox: SandboxSession) -> None:
    choices = await zones_offered(sandbox, "EST")
    offered = [c["value"] for c in choices]
    assert "EST" not in offered and "EST5EDT" in offered
