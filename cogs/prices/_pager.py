"""◀ ▶ buttons that page a long board; only the member who ran the command may page."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

import discord

if TYPE_CHECKING:
    from bot.app import Minerwatch

log = logging.getLogger(__name__)

# Every pager button's custom_id starts with this, then the pager's key and the action.
PAGER_PREFIX: Final = "prices:board:"
NOT_YOURS: Final = "Only the person who ran the command can page this board; run /board yourself."
EXPIRED: Final = "This board has expired: run /board again for fresh figures."


def pager_key(custom_id: str) -> str | None:
    """Return the pager key of a board button's custom_id (None for other components)."""
    if not custom_id.startswith(PAGER_PREFIX):
        return None
    return custom_id.removeprefix(PAGER_PREFIX).split(":", 1)[0]


class BoardPager(discord.ui.View):
    """Page through rendered board pages; disable the buttons when the view times out."""

    def __init__(
        self,
        pages: Sequence[dict[str, Any]],
        *,
        key: str,
        origin: discord.Interaction[Minerwatch],
        timeout: float,
        on_finish: Callable[[str], None],
    ) -> None:
        super().__init__(timeout=timeout)
        self.pages = list(pages)
        self.index = 0
        self.key = key
        self.owner_id = origin.user.id
        self._origin = origin
        self._on_finish = on_finish
        self.previous_button = _Turn("◀", f"{PAGER_PREFIX}{key}:prev", step=-1)
        self.position: discord.ui.Button[BoardPager] = discord.ui.Button(
            label="", style=discord.ButtonStyle.secondary, custom_id=f"{PAGER_PREFIX}{key}:page"
        )
        self.next_button = _Turn("▶", f"{PAGER_PREFIX}{key}:next", step=+1)
        for button in (self.previous_button, self.position, self.next_button):
            self.add_item(button)
        self._sync()

    def embed(self) -> discord.Embed:
        """Return the page shown now."""
        return discord.Embed.from_dict(self.pages[self.index])

    async def interaction_check(self, interaction: discord.Interaction[Minerwatch]) -> bool:  # type: ignore[override]
        """Let only the invoker page; tell anyone else why nothing happened."""
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(NOT_YOURS, ephemeral=True)
        return False

    async def on_timeout(self) -> None:
        """Disable the buttons so nobody clicks a dead board."""
        self._on_finish(self.key)
        for item in (self.previous_button, self.position, self.next_button):
            item.disabled = True
        try:
            await self._origin.edit_original_response(view=self)
        except discord.HTTPException:
            log.info("could not disable the board buttons of %s", self._origin.id)

    async def turn(self, interaction: discord.Interaction[Minerwatch], step: int) -> None:
        self.index = max(0, min(len(self.pages) - 1, self.index + step))
        self._sync()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    def _sync(self) -> None:
        self.previous_button.disabled = self.index == 0
        self.next_button.disabled = self.index >= len(self.pages) - 1
        self.position.label = f"{self.index + 1}/{len(self.pages)}"
        self.position.disabled = True  # a label, not an action


class _Turn(discord.ui.Button[BoardPager]):
    """A button that moves the pager ``step`` pages."""

    def __init__(self, label: str, custom_id: str, *, step: int) -> None:
        super().__init__(label=label, style=discord.ButtonStyle.secondary, custom_id=custom_id)
        self.step = step

    async def callback(self, interaction: discord.Interaction[Minerwatch]) -> None:  # type: ignore[override]
        if self.view is not None:
            await self.view.turn(interaction, self.step)
