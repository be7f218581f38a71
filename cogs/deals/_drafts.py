"""/deals drafts: review contract proposals read from filings, one at a time, with buttons.

The reply is private to the reviewer. Each click asks the draft service again with the
clicker's rights as they are now, so a right lost (or a draft decided by someone else)
since the list was shown changes nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final

import discord

from bot.errors import InvalidInput
from bot.filings.draft_model import Draft
from bot.i18n import N_, _, language_for, speaking
from bot.i18n.language import choose
from bot.ledger.model import FieldValue
from bot.ledger.service import Scope
from bot.limits import MESSAGE_CONTENT
from bot.render.drafts import draft_embed, drafts_intro
from bot.render.pages import clip
from cogs._ui.access import actor_for
from cogs._ui.pager import PAGE_TIMEOUT_SECONDS
from cogs._ui.replies import reply_privately, reply_with_failure

if TYPE_CHECKING:
    from bot.app import Minerwatch

log = logging.getLogger(__name__)

Interaction = discord.Interaction["Minerwatch"]
SCOPE_NAMES: Final = {
    Scope.GLOBAL: N_("the global ledger"),
    Scope.SERVER: N_("this server's ledger"),
}
NOT_YOURS: Final = N_("These drafts were opened by someone else: run /deals drafts yourself.")
FAILED: Final = N_("That did not work: run /deals drafts again.")
EXPIRED: Final = N_("These draft buttons have expired: run /deals drafts again.")
# Every review button's custom_id: this prefix, the review's key, the action.
BUTTON_PREFIX: Final = "drafts:"
# The modal's inputs: the draft field, the label a member reads, and the longest input.
EDIT_INPUTS: Final = (
    ("counterparty", N_("Tenant (counterparty)"), 200),
    ("mw_critical_it", N_("Critical IT power (MW)"), 20),
    ("term_years", N_("Initial term (years)"), 10),
    ("total_contract_value_usd", N_("Total contract value (USD, e.g. 3.2B)"), 30),
    ("site", N_("Site or campus"), 200),
)
# What a problem or a confirmation calls each field (the ledger names edits with these too).
EDIT_LABELS: Final = {
    "counterparty": N_("Tenant"),
    "mw_critical_it": N_("Critical IT power"),
    "term_years": N_("Initial term"),
    "total_contract_value_usd": N_("Total contract value"),
    "site": N_("Site or campus"),
}
NUMBER_FIELDS: Final = frozenset({"mw_critical_it", "term_years", "total_contract_value_usd"})
_SCALES: Final = {"": 1.0, "k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12}
_AMOUNT: Final = re.compile(r"^\$?\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*(k|mm|m|bn|b|t)?$", re.IGNORECASE)

OnChange = Callable[[], Awaitable[None]]


def parse_inputs(values: dict[str, str], current: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """Turn the modal's text into draft changes: only what differs; blank clears a field."""
    problems: list[str] = []
    changes: dict[str, FieldValue] = {}
    for name, text in values.items():
        text = text.strip()
        value: FieldValue
        if not text:
            value = None
        elif name in NUMBER_FIELDS:
            match = _AMOUNT.match(text.replace(",", "").replace("_", ""))
            if match is None:
                problems.append(
                    _(
                        "{field}: must be a number such as 168, 2.5 or 3.2B (got {got})",
                        field=_(EDIT_LABELS[name]),
                        got=repr(text[:30]),
                    )
                )
                continue
            value = float(match.group(1)) * _SCALES[(match.group(2) or "").lower()]
        else:
            value = text
        if current.get(name) != value:
            changes[name] = value
    if problems:
        raise InvalidInput(problems)
    return changes


def shown_number(value: FieldValue) -> str:
    """Prefill a number input as a member would type it (168, not 168.0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


class DraftReview(discord.ui.View):
    """One pending draft at a time: ◀ ▶, Confirm, Edit, Dismiss."""

    def __init__(
        self,
        bot: Minerwatch,
        origin: Interaction,
        scopes: list[Scope],
        drafts: list[Draft],
        *,
        on_change: OnChange,
        timeout: float = PAGE_TIMEOUT_SECONDS,
    ) -> None:
        super().__init__(timeout=timeout)
        self.bot = bot
        self.origin = origin
        self.owner_id = origin.user.id
        self.scopes = scopes
        self.drafts = drafts
        self.index = 0
        self.on_change = on_change
        self.key = str(origin.id)
        for action, button in (
            ("prev", self.show_previous),
            ("next", self.show_next),
            ("confirm", self.confirm),
            ("edit", self.edit),
            ("dismiss", self.dismiss),
        ):
            button.custom_id = f"{BUTTON_PREFIX}{self.key}:{action}"
        # Labelled in the language of the member who opened the review (only they may press).
        self.confirm.label = _("Confirm")
        self.edit.label = _("Edit")
        self.dismiss.label = _("Dismiss")
        self._sync()

    @property
    def current(self) -> Draft:
        return self.drafts[self.index]

    def embed(self) -> discord.Embed:
        return discord.Embed.from_dict(draft_embed(self.current, self.index + 1, len(self.drafts)))

    def intro(self) -> str:
        return drafts_intro(len(self.drafts), [_(SCOPE_NAMES[s]) for s in self.scopes])

    async def interaction_check(self, interaction: Interaction, /) -> bool:  # type: ignore[override]
        choose(language_for(str(interaction.locale)))  # a click is its own interaction
        if interaction.user.id == self.owner_id:
            return True
        await reply_privately(interaction, _(NOT_YOURS))
        return False

    async def on_timeout(self) -> None:
        """Disable the buttons: a click after this would not be answered."""
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.origin.is_expired():
            return
        try:
            await self.origin.edit_original_response(view=self)
        except discord.HTTPException as exc:
            log.info("could not disable the draft buttons of %s: %s", self.origin.id, exc)

    async def on_error(  # type: ignore[override]
        self, interaction: Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        """Say privately why nothing changed (a refusal, a bad value, a draft decided)."""
        await reply_with_failure(
            interaction, error, unexpected=_(FAILED), action="a /deals drafts button"
        )

    # ----- buttons ------------------------------------------------------------------------

    @discord.ui.button(label="◀", style=discord.ButtonStyle.secondary)
    async def show_previous(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        await self.reload(interaction, step=-1)

    @discord.ui.button(label="▶", style=discord.ButtonStyle.secondary)
    async def show_next(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        await self.reload(interaction, step=+1)

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.success)
    async def confirm(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        actor = await actor_for(self.bot, interaction)
        draft = self.current
        contract = await self.bot.services.drafts.confirm(actor, draft.id)
        await self.on_change()
        where = _("the global ledger") if contract.is_global else _("this server's ledger")
        done = _(
            "Confirmed draft {draft}: contract #{id} is now in {where}, with the filing as its "
            "source (`/deals show {id}`).",
            draft=draft.id,
            id=contract.id,
            where=where,
        )
        await self.reload(interaction, done=done)

    @discord.ui.button(label="Edit", style=discord.ButtonStyle.primary)
    async def edit(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        actor = await actor_for(self.bot, interaction)
        draft = await self.bot.services.drafts.get(actor, self.current.id)
        await interaction.response.send_modal(DraftEdit(self, draft))

    @discord.ui.button(label="Dismiss", style=discord.ButtonStyle.danger)
    async def dismiss(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        actor = await actor_for(self.bot, interaction)
        draft = await self.bot.services.drafts.dismiss(actor, self.current.id)
        done = _("Dismissed draft {id}: the ledger is unchanged.", id=draft.id)
        await self.reload(interaction, done=done)

    # ----- showing ------------------------------------------------------------------------

    async def reload(self, interaction: Interaction, *, step: int = 0, done: str = "") -> None:
        """Read the pending drafts again and show the one ``step`` away (or the same place)."""
        actor = await actor_for(self.bot, interaction)
        drafts: list[Draft] = []
        for scope in self.scopes:
            drafts += await self.bot.services.drafts.pending(actor, scope)
        self.drafts = drafts
        self.index = max(0, min(len(drafts) - 1, self.index + step))
        self._sync()
        content = clip(f"{done}\n{self.intro()}".strip(), MESSAGE_CONTENT)
        if not drafts:
            self.stop()
            await interaction.response.edit_message(content=content, embed=None, view=None)
            return
        await interaction.response.edit_message(content=content, embed=self.embed(), view=self)

    def _sync(self) -> None:
        self.show_previous.disabled = self.index == 0
        self.show_next.disabled = self.index >= len(self.drafts) - 1


class DraftEdit(discord.ui.Modal):
    """The draft's main fields, prefilled; a blank input clears the field."""

    def __init__(self, review: DraftReview, draft: Draft) -> None:
        super().__init__(title=_("Edit draft {id}", id=draft.id), timeout=PAGE_TIMEOUT_SECONDS)
        self.review = review
        self.draft = draft
        self.inputs: dict[str, discord.ui.TextInput[DraftEdit]] = {}
        for name, label, longest in EDIT_INPUTS:
            value = draft.fields.get(name)
            text_input: discord.ui.TextInput[DraftEdit] = discord.ui.TextInput(
                label=_(label),
                custom_id=name,
                required=False,
                max_length=longest,
                default=shown_number(value) if name in NUMBER_FIELDS else (value or None),  # type: ignore[arg-type]
            )
            self.inputs[name] = text_input
            self.add_item(text_input)

    async def interaction_check(self, interaction: Interaction, /) -> bool:  # type: ignore[override]
        choose(language_for(str(interaction.locale)))  # the submit is its own interaction
        return True

    async def on_submit(self, interaction: Interaction, /) -> None:  # type: ignore[override]
        bot = self.review.bot
        actor = await actor_for(bot, interaction)
        values = {name: text_input.value for name, text_input in self.inputs.items()}
        changes = parse_inputs(values, self.draft.fields)
        if not changes:
            raise InvalidInput(
                [_("nothing changed: draft {id} already has those values", id=self.draft.id)]
            )
        labels = {name: _(label) for name, label in EDIT_LABELS.items()}
        edited = await bot.services.drafts.edit(actor, self.draft.id, changes, labels=labels)
        names = ", ".join(labels[name] for name in changes)
        done = _("Edited draft {id}: {fields}.", id=edited.id, fields=names)
        await self.review.reload(interaction, done=done)

    async def on_error(  # type: ignore[override]
        self, interaction: Interaction, error: Exception, /
    ) -> None:
        """Say privately what was wrong with the input; the draft is unchanged."""
        await reply_with_failure(interaction, error, unexpected=_(FAILED), action="editing a draft")


class LiveReviews:
    """The open reviews of a cog, and the answer to clicks on reviews that are gone."""

    def __init__(self) -> None:
        self.live: dict[str, DraftReview] = {}

    def add(self, review: DraftReview) -> None:
        """Hold ``review``; reviews whose buttons timed out are dropped now, so the held ones
        are bounded by time (PAGE_TIMEOUT_SECONDS) and clicks on old ones still get "expired"."""
        self.live = {key: held for key, held in self.live.items() if not held.is_finished()}
        self.live[review.key] = review

    def close(self) -> None:
        """Stop every open review (the cog is unloading): later clicks are answered expired."""
        for review in self.live.values():
            review.stop()
        self.live.clear()

    async def answer_stale(self, interaction: Interaction) -> None:
        """Answer a click on review buttons whose review is gone (timed out, or a restart)."""
        if interaction.type is not discord.InteractionType.component or not interaction.data:
            return
        custom_id = str(interaction.data.get("custom_id", ""))
        if not custom_id.startswith(BUTTON_PREFIX):
            return
        key = custom_id.removeprefix(BUTTON_PREFIX).split(":", 1)[0]
        live = self.live.get(key)
        if live is not None and not live.is_finished():
            return
        self.live.pop(key, None)
        if not interaction.response.is_done():
            with speaking(language_for(str(interaction.locale))):
                await reply_privately(interaction, _(EXPIRED))


async def show_drafts(
    bot: Minerwatch,
    interaction: Interaction,
    *,
    on_change: OnChange,
    reviews: LiveReviews,
    buttons_for: float = PAGE_TIMEOUT_SECONDS,
) -> None:
    """Answer /deals drafts: the first pending draft with its buttons, privately."""
    actor = await actor_for(bot, interaction)
    scopes = bot.services.drafts.scopes(actor)  # refuses members without either right
    drafts: list[Draft] = []
    for scope in scopes:
        drafts += await bot.services.drafts.pending(actor, scope)
    intro = drafts_intro(len(drafts), [SCOPE_NAMES[s] for s in scopes])
    if not drafts:
        await interaction.response.send_message(intro, ephemeral=True)
        return
    review = DraftReview(bot, interaction, scopes, drafts, on_change=on_change, timeout=buttons_for)
    reviews.add(review)
    await interaction.response.send_message(
        review.intro(), embed=review.embed(), view=review, ephemeral=True
    )
