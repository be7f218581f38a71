"""◀ ▶ paging for any command's embeds; only the member who ran the command may page.

A pager keeps the query, not its pages: every click runs the query again and shows the page
asked for, so a long list costs memory only while it is drawn, and the figures are as fresh
as the click. Pagers that are gone (timed out, or from before a restart) still get an answer.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Final

import discord
from discord.ext import commands

from bot.i18n import N_, _, language_for, speaking
from bot.i18n.language import choose
from cogs._ui.interaction import Interaction
from cogs._ui.replies import reply_privately, reply_with_failure

if TYPE_CHECKING:
    from bot.app import Minerwatch

log = logging.getLogger(__name__)
# Re-runs the command's query and renders its pages as embed dicts.
PageSource = Callable[[], Awaitable[Sequence[dict[str, Any]]]]

# Interaction tokens expire after 15 minutes; the buttons must stop well before, while the
# bot can still edit the message to show them disabled.
PAGE_TIMEOUT_SECONDS: Final = 300.0
# At most this many pagers are live per client (each holds its query and a discord.py view):
# a burst of paged commands beyond it stops the oldest pagers early; a click on one is then
# answered as expired. 1,000 is several minutes of paged replies at 20 commands a second.
MAX_LIVE_PAGERS: Final = 1_000
# Every pager button's custom_id is this, the pager's key, the action and the command name.
PAGER_PREFIX: Final = "pager:"
NOT_YOURS: Final = N_(
    "These buttons belong to the member who ran the command; run it yourself to browse."
)
GONE: Final = N_("These pages are no longer available: run /{command} again.")
EXPIRED: Final = N_("These pages have expired: run /{command} again for fresh figures.")


def pager_key(custom_id: str) -> str | None:
    """Return the pager key of a page button's custom_id (None for other components)."""
    if not custom_id.startswith(PAGER_PREFIX):
        return None
    return custom_id.removeprefix(PAGER_PREFIX).split(":", 1)[0]


def pager_command(custom_id: str) -> str:
    """Return the command a page button belongs to ("" when its custom_id does not say)."""
    parts = custom_id.removeprefix(PAGER_PREFIX).split(":")
    return parts[2] if len(parts) > 2 else ""


class Pager(discord.ui.View):
    """◀ (position) ▶ over a page source; the buttons are disabled when the view times out."""

    def __init__(
        self,
        source: PageSource,
        *,
        count: int,
        origin: Interaction,
        timeout: float,
        not_yours: str,
        counter: bool,
        on_finish: Callable[[str], None],
    ) -> None:
        super().__init__(timeout=timeout)
        self.source = source
        self.count = count
        self.index = 0
        self.key = str(origin.id)
        self.owner_id = origin.user.id
        self.command = origin.command.qualified_name if origin.command is not None else ""
        self._origin = origin
        self._not_yours = not_yours
        self._on_finish = on_finish
        self.previous_button = _Turn("◀", self._custom_id("prev"), step=-1)
        self.next_button = _Turn("▶", self._custom_id("next"), step=+1)
        # The position is a label, not an action: it stays disabled.
        self.position: discord.ui.Button[Pager] | None = None
        self.add_item(self.previous_button)
        if counter:
            self.position = discord.ui.Button(
                style=discord.ButtonStyle.secondary, custom_id=self._custom_id("page")
            )
            self.add_item(self.position)
        self.add_item(self.next_button)
        self._sync()

    async def interaction_check(self, interaction: Interaction, /) -> bool:  # type: ignore[override]
        """Let only the invoker turn pages; tell anyone else privately why nothing happens."""
        # A click is its own interaction: the page is drawn in the clicking member's language.
        choose(language_for(str(interaction.locale)))
        if interaction.user.id == self.owner_id:
            return True
        await reply_privately(interaction, _(self._not_yours))
        return False

    def retire(self) -> None:
        """Stop answering clicks now (too many live pagers); later clicks are told it expired."""
        self.stop()
        self._on_finish(self.key)

    async def on_timeout(self) -> None:
        """Disable the buttons so nobody presses a control that no longer answers."""
        self._on_finish(self.key)
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self._origin.is_expired():
            log.info("page buttons of %s outlived their interaction", self._origin.id)
            return
        try:
            await self._origin.edit_original_response(view=self)
        except discord.HTTPException as exc:
            # The message may be gone (deleted, or the token expired): nothing left to disable.
            log.info("could not disable the page buttons of %s: %s", self._origin.id, exc)

    async def turn(self, interaction: Interaction, step: int) -> None:
        """Run the query again and show the page ``step`` away from the current one."""
        pages = await self.source()
        if not pages:
            await reply_privately(interaction, _(GONE, command=self.command))
            return
        self.count = len(pages)
        self.index = max(0, min(self.count - 1, self.index + step))
        self._sync()
        await interaction.response.edit_message(
            embed=discord.Embed.from_dict(dict(pages[self.index])), view=self
        )

    async def on_error(  # type: ignore[override]
        self, interaction: Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        """Tell the member privately why the page did not turn (the query may now fail)."""
        await reply_with_failure(
            interaction,
            error,
            unexpected=_(GONE, command=self.command),
            action=f"turning a page of /{self.command}",
        )

    def _custom_id(self, action: str) -> str:
        return f"{PAGER_PREFIX}{self.key}:{action}:{self.command}"

    def _sync(self) -> None:
        self.previous_button.disabled = self.index == 0
        self.next_button.disabled = self.index >= self.count - 1
        if self.position is not None:
            self.position.label = f"{self.index + 1}/{self.count}"
            self.position.disabled = True


class _Turn(discord.ui.Button[Pager]):
    """A button that moves the pager ``step`` pages."""

    def __init__(self, label: str, custom_id: str, *, step: int) -> None:
        super().__init__(label=label, style=discord.ButtonStyle.secondary, custom_id=custom_id)
        self.step = step

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        if self.view is not None:
            await self.view.turn(interaction, self.step)


class _LivePagers:
    """The live pagers of one client, and the answer to clicks on pagers that are gone."""

    _of_client: ClassVar[weakref.WeakKeyDictionary[commands.Bot, _LivePagers]] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self, limit: int = MAX_LIVE_PAGERS) -> None:
        self.live: dict[str, Pager] = {}
        self.limit = limit

    def add(self, pager: Pager) -> None:
        """Hold ``pager`` until it finishes; past the limit the oldest pager stops now."""
        self.live[pager.key] = pager
        while len(self.live) > self.limit:
            oldest = next(iter(self.live))
            self.live[oldest].retire()
            self.live.pop(oldest, None)

    @classmethod
    def of(cls, client: Minerwatch) -> _LivePagers:
        """Return the client's registry, listening for its stale clicks from the first use."""
        found = cls._of_client.get(client)
        if found is None:
            found = cls._of_client[client] = cls()
            client.add_listener(found.on_interaction, "on_interaction")
        return found

    async def on_interaction(self, interaction: Interaction) -> None:
        """Answer a click on page buttons whose pager is gone (timed out, or a restart)."""
        if interaction.type is not discord.InteractionType.component or not interaction.data:
            return
        custom_id = str(interaction.data.get("custom_id", ""))
        key = pager_key(custom_id)
        if key is None:
            return
        live = self.live.get(key)
        if live is not None and not live.is_finished():
            return
        if not interaction.response.is_done():
            with speaking(language_for(str(interaction.locale))):
                command = pager_command(custom_id) or _("the command")
                await reply_privately(interaction, _(EXPIRED, command=command))


class Pages:
    """A cog's way to reply with pages: one message, paged with buttons when there are several.

    The pagers a cog opened stop with it (``close``); a click on them is then answered as
    expired, as after a restart.
    """

    def __init__(
        self, client: Minerwatch, *, not_yours: str = NOT_YOURS, counter: bool = False
    ) -> None:
        self._registry = _LivePagers.of(client)
        self._not_yours = not_yours
        self._counter = counter
        self._mine: set[str] = set()

    async def send(
        self,
        interaction: Interaction,
        source: PageSource,
        *,
        rendered: Sequence[dict[str, Any]] | None = None,
        buttons_for: float = PAGE_TIMEOUT_SECONDS,
        ephemeral: bool = False,
    ) -> None:
        """Reply with the first page of ``source``, with buttons when it has more than one.

        ``rendered`` are the pages of the query the caller just ran, to send without running
        it again; clicks always run ``source``.
        """
        pages = rendered if rendered is not None else await source()
        first = discord.Embed.from_dict(dict(pages[0]))
        if len(pages) == 1:
            await interaction.response.send_message(embed=first, ephemeral=ephemeral)
            return
        pager = Pager(
            source,
            count=len(pages),
            origin=interaction,
            timeout=buttons_for,
            not_yours=self._not_yours,
            counter=self._counter,
            on_finish=self._forget,
        )
        self._registry.add(pager)
        self._mine.add(pager.key)
        # Only the first embed is sent; the pager keeps the query, not the rendered pages.
        try:
            await interaction.response.send_message(embed=first, view=pager, ephemeral=ephemeral)
        except BaseException:
            # Never shown (the interaction expired, say): its timeout would never start, so
            # nothing else would ever let it go.
            pager.retire()
            raise

    def close(self) -> None:
        """Stop every pager this cog opened (the cog is unloading)."""
        for key in list(self._mine):
            pager = self._registry.live.pop(key, None)
            if pager is not None:
                pager.stop()
        self._mine.clear()

    def _forget(self, key: str) -> None:
        self._mine.discard(key)
        self._registry.live.pop(key, None)
