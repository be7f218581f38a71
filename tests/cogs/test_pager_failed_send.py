"""A page reply that never reached Discord leaves no live pager behind."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import discord
import pytest

from cogs._ui.pager import Pages, _LivePagers
from tests.cogs.test_ui_replies import unknown_interaction


class Client:
    """What the pager registry needs of the bot: a listener hook."""

    def add_listener(self, *_: object) -> None:
        pass


class Response:
    async def send_message(self, **_: object) -> None:
        raise unknown_interaction()


async def test_a_pager_whose_reply_failed_is_forgotten() -> None:
    client: Any = Client()
    interaction: Any = SimpleNamespace(
        id=42,
        user=SimpleNamespace(id=7),
        command=SimpleNamespace(qualified_name="deals list"),
        response=Response(),
    )
    pages = [{"title": "page 1"}, {"title": "page 2"}]

    async def source() -> list[dict[str, Any]]:
        return pages

    with pytest.raises(discord.NotFound):
        await Pages(client).send(interaction, source)
    assert _LivePagers.of(client).live == {}
