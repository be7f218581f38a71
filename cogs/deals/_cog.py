"""/deals: browse the AI-contract ledger, keep it up to date, and watch it for changes.

Discord's ``default_member_permissions`` applies to a whole top-level command, never to one
subcommand, and ``/deals list`` must stay visible to everyone. So ``/deals add``, ``edit``,
``remove``, ``drafts``, ``watch`` and ``unwatch`` are visible to all members and the rights
are checked here (the ledger service for contracts, the draft service for drafts): a member
without the right gets an ephemeral refusal. This is also what lets a bot owner who is not
an admin of a server change the global ledger from that server.
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any, Final

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput
from bot.i18n import N_, _, ngettext
from bot.ledger.export import contracts_csv
from bot.ledger.limits import MAX_NAME_LENGTH, MAX_TEXT_LENGTH, MAX_URL_LENGTH
from bot.ledger.model import Contract
from bot.ledger.service import Scope
from bot.ledger.vocab import CONFIDENCES, DEAL_KINDS, EXACTNESSES, STATUSES
from bot.limits import EMBED_TITLE, MESSAGE_CONTENT
from bot.market.models import Quote
from bot.render.commitments import involving
from bot.render.contracts import (
    STATUS_LABELS,
    contract_detail_pages,
    contract_field,
    contract_list_pages,
    heading,
)
from bot.render.leaderboard import MarketCap, Metric, leaderboard_embed
from bot.render.pages import clip
from cogs._ui.access import EMBED_POST_NEEDS, actor_for, admin_guild, channel_problem
from cogs._ui.interaction import Interaction
from cogs._ui.options import RowNumber
from cogs._ui.pager import PAGE_TIMEOUT_SECONDS, Pages
from cogs.deals._drafts import LiveReviews, show_drafts
from cogs.deals._options import (
    CONFIDENCE_CHOICES,
    DATE_MAX,
    EXACTNESS_CHOICES,
    FIELD_OPTIONS,
    HOST_MAX,
    KIND_CHOICES,
    METRIC_CHOICES,
    SCOPE_CHOICES,
    STATUS_CHOICES,
    check_choice,
    company_choices,
    edit_line,
    ledger_fields,
    resolve_company,
)

if TYPE_CHECKING:
    from bot.app import Minerwatch

log = logging.getLogger(__name__)
SCOPE_NOTE: Final = N_("This server's view: the global ledger plus this server's own entries.")


def market_cap(quote: Quote | None) -> MarketCap | None:
    """Return a quote's market cap with its as-of time, when it has one."""
    if quote is None or quote.market_cap is None:
        return None
    return MarketCap(quote.market_cap, quote.as_of, demo=quote.is_demo, stale=quote.stale)


class Deals(commands.Cog):
    """The contract ledger: list, show, leaderboard, add, edit, remove, drafts, watch."""

    deals = app_commands.Group(name="deals", description="The AI hosting contract ledger")

    def __init__(self, bot: Minerwatch) -> None:
        self.bot = bot
        self.symbols = bot.services.symbols  # the companies, for autocomplete
        self.page_timeout = PAGE_TIMEOUT_SECONDS  # tests shorten it
        self._pages = Pages(bot)
        self._reviews = LiveReviews()
        # The outbox worker delivers what the watch queues within its idle interval (30 s).
        self.watch_feed = bot.ledger.watch_feed(
            on_queued=bot.outbox.kick, language_of=bot.services.languages.for_guild
        )

    async def cog_load(self) -> None:
        """Post the changes made while the bot was away."""
        await self.watch_feed.run()

    async def cog_unload(self) -> None:
        """Stop the page and draft buttons this cog opened (a click on them is answered as
        expired)."""
        self._pages.close()
        self._reviews.close()

    @commands.Cog.listener()
    async def on_interaction(self, interaction: Interaction) -> None:
        """Answer clicks on draft buttons whose review is gone, as the pager does for pages."""
        await self._reviews.answer_stale(interaction)

    # ----- reading ---------------------------------------------------------------------

    @deals.command(name="list", description="The AI hosting contracts this server sees")
    @app_commands.describe(
        company="A tracked company (symbol or name): its deals as host or as tenant",
        status="Only contracts with this status",
    )
    @app_commands.choices(status=STATUS_CHOICES)
    async def list_(
        self,
        interaction: Interaction,
        company: app_commands.Range[str, 1, HOST_MAX] | None = None,
        status: str | None = None,
    ) -> None:
        """List the ledger with totals per company, paged."""
        symbol = resolve_company(self.symbols.index, company, "company") if company else None
        check_choice("status", status, STATUSES)
        guild_id = interaction.guild_id

        async def matching() -> list[Contract]:
            contracts = await self.bot.ledger.view(guild_id, status=status)
            # Its deals on either side: as host, tenant, end customer or backstop.
            return involving(contracts, symbol) if symbol is not None else contracts

        status_label = STATUS_LABELS.get(status or "")
        filters = [f for f in (symbol, _(status_label) if status_label else None) if f]
        contracts = await matching()
        if not contracts:
            shown = _(" and ").join(filters) or _("the ledger")
            await interaction.response.send_message(
                _("No contracts for {what} in this server's view of the ledger.", what=shown),
                ephemeral=True,
            )
            return
        title = " · ".join([_("AI hosting contracts"), *filters])
        note = _(SCOPE_NOTE)
        if symbol is not None:
            note += " " + _(
                "Contracts hosted by {symbol} or where it is the tenant, end customer or "
                "backstop; totals are per host.",
                symbol=symbol,
            )

        def render(contracts: list[Contract]) -> list[dict[str, Any]]:
            today = self.bot.clock.now().date()
            return contract_list_pages(contracts, title=title, scope_note=note, today=today)

        async def pages() -> list[dict[str, Any]]:
            return render(await matching())

        await self._pages.send(
            interaction, pages, rendered=render(contracts), buttons_for=self.page_timeout
        )

    @list_.autocomplete("company")
    async def _list_company(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return company_choices(self.symbols.index, current)

    @deals.command(name="show", description="One contract in full, with its change history")
    @app_commands.describe(contract_id="The contract's number, as /deals list shows it (#12)")
    @app_commands.rename(contract_id="id")
    async def show(self, interaction: Interaction, contract_id: RowNumber) -> None:
        """Show one visible contract and every recorded change."""
        guild_id = interaction.guild_id

        async def pages() -> list[dict[str, Any]]:
            contract = await self.bot.ledger.get(guild_id, contract_id)
            history = await self.bot.ledger.history(contract)
            return contract_detail_pages(contract, history, self.bot.clock.now().date())

        await self._pages.send(interaction, pages, buttons_for=self.page_timeout)

    @deals.command(
        name="leaderboard",
        description="Rank the hosts by MW, value, value / market cap, $/MW/yr or EV per MW",
    )
    @app_commands.describe(metric="What to rank by (contracted MW by default)")
    @app_commands.choices(metric=METRIC_CHOICES)
    async def leaderboard(self, interaction: Interaction, metric: str = Metric.MW.value) -> None:
        """Rank the companies (or deals, for $/MW/yr) in this server's view."""
        chosen = Metric(check_choice("metric", metric, tuple(m.value for m in Metric)))
        contracts = await self.bot.ledger.view(interaction.guild_id)
        caps = {
            symbol: market_cap(self.bot.market.quote(symbol))
            for symbol in {c.host_symbol for c in contracts}
        }
        valuations = (
            await self.bot.services.valuations.ranked_hosts(contracts)
            if chosen is Metric.EV_PER_MW
            else []
        )
        embed = leaderboard_embed(chosen, contracts, caps, valuations=valuations)
        await interaction.response.send_message(embed=discord.Embed.from_dict(embed))

    @deals.command(name="export", description="This server's view of the ledger as a CSV file")
    async def export(self, interaction: Interaction) -> None:
        """Attach every contract this server sees, with kinds, exactness, share and sources."""
        contracts = await self.bot.ledger.view(interaction.guild_id)
        today = self.bot.clock.now().date()
        data = contracts_csv(contracts, today).encode("utf-8")
        name = f"minerwatch-ledger-{today.isoformat()}.csv"
        await interaction.response.send_message(
            ngettext(
                "{n} contract in this server's view of the ledger, as of {day}: one row each, "
                "with what every figure is and whether the totals count it.",
                "{n} contracts in this server's view of the ledger, as of {day}: one row each, "
                "with what every figure is and whether the totals count it.",
                len(contracts),
                day=today.isoformat(),
            ),
            file=discord.File(io.BytesIO(data), filename=name),
        )

    # ----- changing --------------------------------------------------------------------

    @deals.command(
        name="add", description="Add a contract: this server's ledger (admins) or global (owners)"
    )
    @app_commands.describe(
        host="The listed company that hosts the capacity (symbol or name)",
        counterparty="The tenant or partner, as named in the source",
        source_url="An http(s) link to the release or article that reports the deal",
        mw_it="Critical IT power in MW, 0 to 10,000 (leave out if not disclosed)",
        mw_gross="Gross site or utility power in MW, 0 to 10,000",
        term_years="Initial term in years, 0 to 99",
        value_usd="Total contract value for the initial term in US dollars (3000000000 = $3B)",
        status="Where the deal stands (announced by default)",
        announced="Announcement date, YYYY-MM-DD",
        end_customer="Who ultimately uses the capacity, if the source names them",
        gpu="GPU type, if disclosed",
        site="The site or campus",
        notes="Anything a reader should know (shown with mentions and markdown neutralised)",
        scope="server (default): only this server sees it; global: every server (bot owners)",
        kind="What the deal is (lease by default)",
        exactness="value_usd is exact (default), about, or more than (a floor)",
        share_pct="A JV: the host's share in percent",
    )
    @app_commands.choices(
        status=STATUS_CHOICES, scope=SCOPE_CHOICES, kind=KIND_CHOICES, exactness=EXACTNESS_CHOICES
    )
    async def add(
        self,
        interaction: Interaction,
        host: app_commands.Range[str, 1, HOST_MAX],
        counterparty: app_commands.Range[str, 1, MAX_NAME_LENGTH],
        source_url: app_commands.Range[str, 1, MAX_URL_LENGTH],
        mw_it: float | None = None,
        mw_gross: float | None = None,
        term_years: float | None = None,
        value_usd: float | None = None,
        status: str | None = None,
        announced: app_commands.Range[str, 1, DATE_MAX] | None = None,
        end_customer: app_commands.Range[str, 1, MAX_NAME_LENGTH] | None = None,
        gpu: app_commands.Range[str, 1, MAX_NAME_LENGTH] | None = None,
        site: app_commands.Range[str, 1, MAX_NAME_LENGTH] | None = None,
        notes: app_commands.Range[str, 1, MAX_TEXT_LENGTH] | None = None,
        scope: str = Scope.SERVER.value,
        kind: str | None = None,
        exactness: str | None = None,
        share_pct: float | None = None,
    ) -> None:
        """Add a contract after checking the member's rights and every figure."""
        check_choice("status", status, STATUSES)
        check_choice("kind", kind, DEAL_KINDS)
        check_choice("exactness", exactness, EXACTNESSES)
        chosen = Scope(check_choice("scope", scope, tuple(s.value for s in Scope)))
        options = {
            "host": resolve_company(self.symbols.index, host, "host"),
            "counterparty": counterparty,
            "mw_it": mw_it,
            "mw_gross": mw_gross,
            "term_years": term_years,
            "value_usd": value_usd,
            "status": status,
            "announced": announced,
            "end_customer": end_customer,
            "gpu": gpu,
            "site": site,
            "notes": notes,
            "kind": kind,
            "exactness": exactness,
            "share_pct": share_pct,
        }
        actor = await actor_for(self.bot, interaction)
        contract = await self.bot.ledger.add(
            actor,
            ledger_fields(options),
            source_url=source_url.strip(),
            scope=chosen,
            labels=FIELD_OPTIONS,
        )
        await self._after_change()
        where = _("the global ledger") if contract.is_global else _("this server's ledger")
        field = contract_field(contract)
        embed = discord.Embed(title=clip(field.name, EMBED_TITLE), description=field.value)
        await interaction.response.send_message(
            _("Added contract #{id} to {where}.", id=contract.id, where=where),
            embed=embed,
            ephemeral=True,
        )

    @deals.command(
        name="edit", description="Change fields of a contract; each change is kept in its history"
    )
    @app_commands.describe(
        contract_id="The contract's number (#12)",
        host="The listed company that hosts the capacity (symbol or name)",
        counterparty="The tenant or partner",
        mw_it="Critical IT power in MW, 0 to 10,000",
        mw_gross="Gross site or utility power in MW, 0 to 10,000",
        term_years="Initial term in years, 0 to 99",
        value_usd="Total contract value for the initial term in US dollars",
        status="Where the deal stands (its as-of date becomes today unless you give one)",
        announced="Announcement date, YYYY-MM-DD",
        source_url="A new http(s) source; it is listed first, the older ones are kept",
        end_customer="Who ultimately uses the capacity",
        gpu="GPU type",
        site="The site or campus",
        notes="Notes (shown with mentions and markdown neutralised)",
        confidence="How well the figures are sourced",
        status_as_of="The date the status was last confirmed, YYYY-MM-DD",
        kind="What the deal is",
        exactness="value_usd is exact, about, or more than (a floor)",
        share_pct="A JV: the host's share in percent",
    )
    @app_commands.rename(contract_id="id")
    @app_commands.choices(
        status=STATUS_CHOICES,
        confidence=CONFIDENCE_CHOICES,
        kind=KIND_CHOICES,
        exactness=EXACTNESS_CHOICES,
    )
    async def edit(
        self,
        interaction: Interaction,
        contract_id: RowNumber,
        host: app_commands.Range[str, 1, HOST_MAX] | None = None,
        counterparty: app_commands.Range[str, 1, MAX_NAME_LENGTH] | None = None,
        mw_it: float | None = None,
        mw_gross: float | None = None,
        term_years: float | None = None,
        value_usd: float | None = None,
        status: str | None = None,
        announced: app_commands.Range[str, 1, DATE_MAX] | None = None,
        source_url: app_commands.Range[str, 1, MAX_URL_LENGTH] | None = None,
        end_customer: app_commands.Range[str, 1, MAX_NAME_LENGTH] | None = None,
        gpu: app_commands.Range[str, 1, MAX_NAME_LENGTH] | None = None,
        site: app_commands.Range[str, 1, MAX_NAME_LENGTH] | None = None,
        notes: app_commands.Range[str, 1, MAX_TEXT_LENGTH] | None = None,
        confidence: str | None = None,
        status_as_of: app_commands.Range[str, 1, DATE_MAX] | None = None,
        kind: str | None = None,
        exactness: str | None = None,
        share_pct: float | None = None,
    ) -> None:
        """Change only the options given; answer with what changed."""
        check_choice("status", status, STATUSES)
        check_choice("confidence", confidence, CONFIDENCES)
        check_choice("kind", kind, DEAL_KINDS)
        check_choice("exactness", exactness, EXACTNESSES)
        options = {
            "host": resolve_company(self.symbols.index, host, "host") if host else None,
            "counterparty": counterparty,
            "mw_it": mw_it,
            "mw_gross": mw_gross,
            "term_years": term_years,
            "value_usd": value_usd,
            "status": status,
            "announced": announced,
            "end_customer": end_customer,
            "gpu": gpu,
            "site": site,
            "notes": notes,
            "confidence": confidence,
            "status_as_of": status_as_of,
            "kind": kind,
            "exactness": exactness,
            "share_pct": share_pct,
        }
        actor = await actor_for(self.bot, interaction)
        changes = ledger_fields(options)
        if status is not None and status_as_of is None:
            current = await self.bot.ledger.get(interaction.guild_id, contract_id)
            if current.status != status:
                # A new status is as of today unless the member says otherwise.
                changes["status_as_of"] = self.bot.clock.now().date().isoformat()
        done = await self.bot.ledger.edit(
            actor,
            contract_id,
            changes,
            source_url=source_url.strip() if source_url else None,
            labels=FIELD_OPTIONS,
        )
        if not done:
            await interaction.response.send_message(
                _("Nothing changed: contract #{id} already has those values.", id=contract_id),
                ephemeral=True,
            )
            return
        await self._after_change()
        lines = [edit_line(name, old, new) for name, old, new in done]
        changed = _("Changed contract #{id}:", id=contract_id)
        text = changed + "\n" + "\n".join(f"• {line}" for line in lines)
        await interaction.response.send_message(clip(text, MESSAGE_CONTENT), ephemeral=True)

    @deals.command(name="remove", description="Remove a contract (it stays in its history)")
    @app_commands.describe(contract_id="The contract's number (#12)")
    @app_commands.rename(contract_id="id")
    async def remove(self, interaction: Interaction, contract_id: RowNumber) -> None:
        """Soft-delete a contract the member may change."""
        actor = await actor_for(self.bot, interaction)
        contract = await self.bot.ledger.remove(actor, contract_id)
        await self._after_change()
        await interaction.response.send_message(
            clip(
                _(
                    "Removed {heading}. Its history is kept: `/deals show {id}`.",
                    heading=heading(contract),
                    id=contract.id,
                ),
                MESSAGE_CONTENT,
            ),
            ephemeral=True,
        )

    @edit.autocomplete("host")
    @add.autocomplete("host")
    async def _host(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        return company_choices(self.symbols.index, current)

    @deals.command(
        name="drafts",
        description="Contract proposals read from SEC filings: confirm, edit or dismiss each",
    )
    async def drafts(self, interaction: Interaction) -> None:
        """Show the pending drafts the member may review (owners: global; admins: server)."""
        await show_drafts(
            self.bot,
            interaction,
            on_change=self._after_change,
            reviews=self._reviews,
            buttons_for=self.page_timeout,
        )

    # ----- watching --------------------------------------------------------------------

    @deals.command(
        name="watch", description="Post every contract added, changed or removed to a channel"
    )
    @app_commands.describe(
        channel="Where to post the changes (Minerwatch needs to post embeds there)"
    )
    async def watch(self, interaction: Interaction, channel: discord.TextChannel) -> None:
        """Start (or move) this server's deal watch, after checking the bot can post there."""
        guild = admin_guild(interaction, N_("configure the deal watch"))
        problem = channel_problem(channel, guild.me, EMBED_POST_NEEDS)
        if problem is not None:
            raise InvalidInput([problem])
        await self.bot.ledger.watch(guild.id, channel.id)
        await interaction.response.send_message(
            _(
                "Watching the ledger: every contract added, changed or removed in this "
                "server's view will be posted in {channel}.",
                channel=channel.mention,
            ),
            ephemeral=True,
        )

    @deals.command(name="unwatch", description="Stop posting contract changes")
    async def unwatch(self, interaction: Interaction) -> None:
        """Stop this server's deal watch."""
        guild = admin_guild(interaction, N_("configure the deal watch"))
        stopped = await self.bot.ledger.unwatch(guild.id)
        text = (
            _("Stopped posting contract changes.")
            if stopped
            else _("This server was not watching.")
        )
        await interaction.response.send_message(text, ephemeral=True)

    # ----- helpers ---------------------------------------------------------------------

    async def _after_change(self) -> None:
        """Queue the watch posts for a change just made; a failure waits for the next run."""
        try:
            await self.watch_feed.run()
        except Exception:
            # The change itself is saved; the next run (next change or restart) posts it.
            log.exception("could not queue deal-watch posts")
