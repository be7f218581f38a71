"""Hostile alert notes are inert in /alert replies and in the posts and DMs alerts send."""

from __future__ import annotations

from typing import Any

import pytest

from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession
from discord_emulator import Message
from tests.e2e.alerts_helpers import TIMELINE, add_alert, tick_at
from tests.e2e.deals_helpers import run
from tests.hardening.harness import live_markup, shown_plain

NOTE = "@everyone <@&1> [claim](https://evil.example/x) ```\u202e @here ||x|| <#123>"[:200]


@pytest.fixture
def replay_csv() -> str:
    """Prices that move CIFR through 16.00 a minute after the start."""
    return TIMELINE


def pings_only(messages: list[Message], sandbox: SandboxSession, owner_id: int) -> None:
    """Every send that carries content may ping the alert's owner and no one else."""
    for request in sandbox.emu.requests:
        body: Any = request.body
        if not isinstance(body, dict) or request.method != "POST":
            continue
        payload = body.get("data", body) if "/callback" in request.path else body
        if not isinstance(payload, dict) or not payload.get("content"):
            continue
        mentions = payload.get("allowed_mentions") or {}
        assert mentions.get("parse") in ([], None), f"{request.route}: {mentions}"
        assert not mentions.get("roles"), mentions
        assert {int(u) for u in mentions.get("users") or []} <= {owner_id}, mentions


async def test_a_hostile_note_is_inert_in_replies_posts_and_dms(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    """The note is shown as typed, never as mentions, links, fences or reordered text."""
    emu, world = sandbox.emu, sandbox.world
    member = world.member
    reply, in_channel = await add_alert(
        sandbox, symbol="CIFR", condition="above", value=16.0, note=NOTE
    )
    assert in_channel is not None, reply
    _, by_dm = await add_alert(
        sandbox, symbol="CIFR", condition="above", value=16.2, note=NOTE, dm=True
    )
    assert by_dm is not None
    listed = await run(sandbox, "alert list", {}, user=member)
    await tick_at(sandbox, e2e_clock, 60)  # CIFR 15.50 → 16.50: both fire
    posts = await emu.wait_for_posts(world.general.id, 1, timeout=5)
    dms = await emu.wait_for_dms(member.id, 1, timeout=5)
    allowed = frozenset({member.id})
    for label, texts in {
        "/alert add reply": [reply],
        "/alert list": [listed.text()],
        "alert post": [m.text() for m in posts],
        "alert DM": [m.text() for m in dms],
    }.items():
        problems = [p for text in texts for p in live_markup(text, allowed)]
        assert not problems, f"{label}: " + "\n".join(problems)
    assert "[claim](https://evil.example/x)" in shown_plain(posts[-1].text())
    pings_only(posts + dms, sandbox, member.id)
