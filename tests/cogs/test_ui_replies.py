"""Private replies: answered once, as the response or the followup, and never failing late."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from cogs._ui.replies import reply_privately


class FakeResponse:
    def __init__(self, *, done: bool, fail: BaseException | None) -> None:
        self.done = done
        self.fail = fail
        self.sent: list[tuple[str, bool]] = []

    def is_done(self) -> bool:
        return self.done

    async def send_message(self, content: str, *, ephemeral: bool) -> None:
        if self.fail is not None:
            raise self.fail
        self.sent.append((content, ephemeral))


class FakeFollowup:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bool]] = []

    async def send(self, content: str, *, ephemeral: bool) -> None:
        self.sent.append((content, ephemeral))


class FakeInteraction:
    """What reply_privately reads of an interaction: its age, response and followup."""

    id = 1

    def __init__(
        self, *, expired: bool = False, done: bool = False, fail: BaseException | None = None
    ) -> None:
        self.expired = expired
        self.response = FakeResponse(done=done, fail=fail)
        self.followup = FakeFollowup()

    def is_expired(self) -> bool:
        return self.expired


def unknown_interaction() -> discord.NotFound:
    class Gone:
        status = 404
        reason = "Not Found"

    return discord.NotFound(Gone(), {"code": 10062, "message": "Unknown interaction"})  # type: ignore[arg-type]


async def reply(interaction: FakeInteraction, text: str) -> None:
    fake: Any = interaction
    await reply_privately(fake, text)


async def test_the_first_answer_is_the_private_response() -> None:
    interaction = FakeInteraction()
    await reply(interaction, "hello")
    assert interaction.response.sent == [("hello", True)] and interaction.followup.sent == []


async def test_after_a_defer_the_answer_is_a_private_followup() -> None:
    interaction = FakeInteraction(done=True)
    await reply(interaction, "x" * 2500)
    assert interaction.followup.sent == [("x" * 2000, True)]  # cut to a message's 2,000


async def test_an_expired_interaction_is_not_answered_and_does_not_fail() -> None:
    interaction = FakeInteraction(expired=True)
    await reply(interaction, "too late")
    assert interaction.response.sent == [] and interaction.followup.sent == []


async def test_a_token_that_dies_during_the_reply_does_not_fail_the_caller() -> None:
    interaction = FakeInteraction(fail=unknown_interaction())
    await reply(interaction, "just too late")
    assert interaction.response.sent == []


async def test_other_refusals_still_reach_the_caller() -> None:
    interaction = FakeInteraction(fail=RuntimeError("bug"))
    with pytest.raises(RuntimeError):
        await reply(interaction, "hello")
