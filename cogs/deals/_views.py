"""Paging through embeds with ◀ ▶ buttons that only the member who asked can press."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import discord

if TYPE_CHECKING:
    from bot.app import Minerwatch

log = logging.getLogger(__name__)

# Interaction tokens expire after 15 minutes; the buttons must stop well before, while the
# bot can still edit the message to show them disabled.
PAGE_TIMEOUT_SECONDS: Final = 300.0
NOT_YOURS: Final = (
    "These buttons belong to the member who ran the command; run it yourself to browse."
)


class Pager(discord.ui.View):
    """◀ ▶ through pre-rendered pages; the buttons are disabled when the view times out."""

    def __init__(self, pages: Sequence[discord.Embed], owner_id: int, *, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.pages = list(pages)
        self.owner_id = owner_id
        self.index = 0
        self._interaction: discord.Interaction[Minerwatch] | None = None
        self._sync_buttons()

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Let only the invoker turn pages; tell anyone else privately why nothing happens."""
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(NOT_YOURS, ephemeral=True)
        return False

    @discord.ui.button(label="◀", style=discord.ButtonStyle.secondary)
    async def back(
        self, interaction: discord.Interaction[Minerwatch], _: discord.ui.Button[Pager]
    ) -> None:
        """Show the previous page."""
        await self._show(interaction, self.index - 1)

    @discord.ui.button(label="▶", style=discord.ButtonStyle.secondary)
    async def forward(
        self, interaction: discord.Interaction[Minerwatch], _: discord.ui.Button[Pager]
    ) -> None:
        """Show the next page."""
        await self._show(interaction, self.index + 1)

    async def on_timeout(self) -> None:
        """Disable the buttons so nobody presses a control that no longer answers."""
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self._interaction is None:
            return
        try:
            await self._interaction.edit_original_response(view=self)
        except discord.HTTPException as exc:
            # The message may be gone (deleted, or the token expired): nothing left to disable.
            log.info("could not disable page buttons: %s", exc)

    async def start(
        self, interaction: discord.Interaction[Minerwatch], *, ephemeral: bool = False
    ) -> None:
        """Send the first page, with the buttons when there is more than one page."""
        self._interaction = interaction
        kwargs: dict[str, Any] = {"embed": self.pages[0], "ephemeral": ephemeral}
        if len(self.pages) > 1:
            kwargs["view"] = self
        else:
            self.stop()
        await interaction.response.send_message(**kwargs)

    async def _show(self, interaction: discord.Interaction[Minerwatch], index: int) -> None:
        self.index = max(0, min(index, len(self.pages) - 1))
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.pages[self.index], view=self)

    def _sync_buttons(self) -> None:
        self.back.disabled = self.index == 0
        self.forward.disabled = self.index >= len(self.pages) - 1


async def send_pages(
    interaction: discord.Interaction[Minerwatch],
    pages: Sequence[dict[str, Any]],
    *,
    page_timeout: float,
    ephemeral: bool = False,
) -> None:
    """Reply with embed-dict pages: one message, paged with buttons when there are several."""
    embeds = [discord.Embed.from_dict(page) for page in pages]
    pager = Pager(embeds, interaction.user.id, timeout=page_timeout)
    await pager.start(interaction, ephemeral=ephemeral)
