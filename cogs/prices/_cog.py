"""The Prices cog: /price, /board and /chart, answered from memory within Discord's window."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from typing import TYPE_CHECKING, Final, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput
from bot.ledger.counting import is_counted, stale_reason
from bot.market import DataSource, Quote, Rejection
from bot.render.board import ROWS_PER_PAGE, SORT_KEYS, SORT_LABELS, SortKey, board_pages, sort_rows
from bot.render.chart import (
    PERIOD_LABELS,
    PERIODS,
    Period,
    change_text,
    period_change,
    render_chart,
)
from bot.render.commitments import commitment_lines, role_heading
from bot.render.exposure import Exposure, exposures
from bot.render.quote import QuoteCard, quote_embed
from bot.symbols import SymbolIndex, UnknownSymbol
from bot.text import neutralise
from cogs._ui.pager import Pages
from cogs._ui.replies import private_errors_after_defer
from cogs.prices._asked import AskedSymbols
from cogs.prices._board import MonthBases, board_context, board_row
from cogs.prices._chart import chart_request

if TYPE_CHECKING:
    from bot.app import Minerwatch

log = logging.getLogger(__name__)

# One bounded fetch for a symbol not yet cached, after deferring (a poll takes up to 10 s;
# a member waiting on "thinking…" should hear back sooner).
FETCH_TIMEOUT: Final = 5.0
# Kinds of company that host AI capacity: the card says so when they have no contract yet.
HOST_KINDS: Final = frozenset({"miner", "neocloud"})
# Board buttons die well before the interaction token (15 min) that edits them.
BOARD_TIMEOUT: Final = 180.0
# Rendering is CPU-bound: more parallel renders than cores would only queue in threads.
CHART_RENDERS: Final = 2
DEFAULT_SORT: Final[SortKey] = "market_cap"
DEFAULT_PERIOD: Final[Period] = "1mo"
# Rejections that mean the source does not know the symbol (rather than could not answer).
UNKNOWN_REJECTIONS: Final = frozenset({Rejection.UNKNOWN_SYMBOL, Rejection.NO_DATA})
SYMBOL_HELP: Final = "Ticker or name, e.g. CIFR, cipher, IREN, BTC-USD, bitcoin, nebius"
NOT_YOURS: Final = "Only the person who ran the command can page this board; run /board yourself."

Interaction = discord.Interaction["Minerwatch"]


def chart_filename(symbol: str, period: Period) -> str:
    """Return a safe attachment name: "cifr-1mo.png", "_gspc-1y.png"."""
    return f"{re.sub(r'[^a-z0-9-]', '_', symbol.lower())}-{period}.png"


class Prices(commands.Cog):
    """Quotes, the miners board and charts."""

    def __init__(self, bot: Minerwatch) -> None:
        self.bot = bot
        self.index = SymbolIndex(())
        self.board_timeout = BOARD_TIMEOUT
        self.rows_per_page = ROWS_PER_PAGE
        self._month_bases = MonthBases(bot.market.history, bot.clock)
        self._pages = Pages(bot, not_yours=NOT_YOURS, counter=True)
        self._renders = asyncio.Semaphore(CHART_RENDERS)
        self._asked = AskedSymbols(bot.clock)

    async def cog_load(self) -> None:
        """Load the tracked universe into memory once; poll the symbols members ask for."""
        await self.reload_index()
        self.bot.pipeline.add_symbol_source(self._asked.symbols)

    async def cog_unload(self) -> None:
        """Stop offering asked-for symbols to the poll, and stop the live board pagers."""
        self._asked.close()
        self._pages.close()

    async def reload_index(self) -> None:
        """Re-read the companies and aliases (after the ledger's companies changed)."""
        self.index = SymbolIndex.from_companies(await self.bot.store.ledger.companies())
        self._month_bases.clear()
        log.debug("symbol index: %d companies", len(self.index))

    @commands.Cog.listener()
    async def on_companies_changed(self) -> None:
        """Reload the index when another part of the bot dispatches ``companies_changed``."""
        await self.reload_index()

    # ----- /price -------------------------------------------------------------------------

    @app_commands.command(
        name="price", description="Quote card: price, change, ranges, market cap, contracted AI MW"
    )
    @app_commands.describe(symbol=SYMBOL_HELP)
    async def price(self, interaction: Interaction, symbol: str) -> None:
        resolved = self.index.resolve(symbol)  # before any defer: errors stay private
        entry = self.index.entry(resolved)
        if entry is not None and not entry.listed:
            raise InvalidInput(
                [
                    f"symbol: {neutralise(entry.name, limit=60)} is a private company, with no "
                    f"share price; `/company {resolved}` shows its deals"
                ]
            )
        quote = self.bot.market.quote(resolved)
        if quote is not None:
            embed = await self._quote_embed(interaction.guild_id, quote)
            await interaction.response.send_message(embed=embed)
        else:
            await interaction.response.defer(thinking=True)
            async with private_errors_after_defer(interaction):
                quote = await self.bot.market.fetch_quote(resolved, timeout=FETCH_TIMEOUT)
                if quote is None:
                    raise self._no_quote(resolved)
                embed = await self._quote_embed(interaction.guild_id, quote)
            await interaction.followup.send(embed=embed)
        if resolved not in self.index:
            self._asked.note(resolved)  # the source knows it: poll it so it does not go stale

    async def _quote_embed(self, guild_id: int | None, quote: Quote) -> discord.Embed:
        entry = self.index.entry(quote.symbol)
        exposure: Exposure | None = None
        as_tenant: tuple[str, ...] = ()
        hosts = False
        stale = 0
        if entry is not None:
            contracts = await self.bot.ledger.view(guild_id)
            hosted = [c for c in contracts if c.host_symbol == quote.symbol]
            exposure = exposures(hosted).get(quote.symbol)
            as_tenant = tuple(
                f"**{role_heading(line.role)}** {line.text}"
                for line in commitment_lines(contracts, quote.symbol)
            )
            hosts = bool(hosted) or entry.kind in HOST_KINDS
            today = self.bot.clock.now().date()
            stale = sum(1 for c in hosted if is_counted(c) and stale_reason(c, today))
        card = QuoteCard(
            quote=quote,
            name=entry.name if entry else None,
            tracked=entry is not None,
            exposure=exposure,
            hosts=hosts,
            as_tenant=as_tenant,
            stale=stale,
        )
        return discord.Embed.from_dict(quote_embed(card))

    def _no_quote(self, symbol: str) -> UnknownSymbol:
        stats = self.bot.market.stats()
        health = stats.symbols.get(symbol)
        unknown = health is not None and health.last_rejection in UNKNOWN_REJECTIONS
        if stats.backing_off or not unknown:
            return UnknownSymbol(symbol, unavailable=True)
        return UnknownSymbol(symbol, self.index.close_matches(symbol))

    # ----- /board -------------------------------------------------------------------------

    @app_commands.command(
        name="board", description="The miners board: price, 1D/1M, market cap, AI MW and value"
    )
    @app_commands.describe(sort="Order of the rows (default: market cap)")
    @app_commands.choices(
        sort=[app_commands.Choice(name=SORT_LABELS[key], value=key) for key in SORT_KEYS]
    )
    async def board(
        self, interaction: Interaction, sort: app_commands.Choice[str] | None = None
    ) -> None:
        key = cast(SortKey, sort.value) if sort is not None else DEFAULT_SORT
        guild_id = interaction.guild_id

        async def pages() -> list[dict[str, object]]:
            return await self._board_pages(guild_id, key)

        await self._pages.send(interaction, pages, buttons_for=self.board_timeout)

    async def _board_pages(self, guild_id: int | None, key: SortKey) -> list[dict[str, object]]:
        market = self.bot.market
        entries = self.index.board()
        symbols = [e.symbol for e in entries]
        quotes = [market.quote(s) for s in symbols]
        held = exposures(await self.bot.ledger.view(guild_id))
        bases = await self._month_bases.bases(symbols)
        rows = [
            board_row(entry, quote, held.get(entry.symbol), bases[entry.symbol])
            for entry, quote in zip(entries, quotes, strict=True)
        ]
        context = board_context(key, market, quotes, [held.get(s) for s in symbols])
        return board_pages(sort_rows(rows, key), context, rows_per_page=self.rows_per_page)

    # ----- /chart -------------------------------------------------------------------------

    @app_commands.command(
        name="chart", description="PNG chart vs BTC-USD and NVDA, with rolling 30-day correlation"
    )
    @app_commands.describe(
        symbol=SYMBOL_HELP,
        period="How far back (default: 1 month)",
        compare="Compare with this symbol instead of BTC-USD and NVDA",
    )
    @app_commands.choices(
        period=[app_commands.Choice(name=PERIOD_LABELS[p], value=p) for p in PERIODS]
    )
    async def chart(
        self,
        interaction: Interaction,
        symbol: str,
        period: app_commands.Choice[str] | None = None,
        compare: str | None = None,
    ) -> None:
        main = self.index.resolve(symbol)  # before deferring, so errors stay private
        other = self.index.resolve(compare) if compare is not None else None
        if other == main:
            raise InvalidInput([f"compare: pick a symbol other than {main}"])
        chosen = cast(Period, period.value) if period is not None else DEFAULT_PERIOD
        await interaction.response.defer(thinking=True)
        async with private_errors_after_defer(interaction):
            request = await chart_request(self.bot.market, self.bot.clock, main, other, chosen)
            async with self._renders:
                image = await asyncio.to_thread(render_chart, request)
        change = period_change(request.main, request.start)
        moved = f" {change_text(change)}" if change is not None else ""
        lines = [
            f"**{main}**{moved} · {PERIOD_LABELS[chosen]} · normalised performance and correlation"
        ]
        if request.source is DataSource.DEMO:
            lines[0] = f"[DEMO] {lines[0]} (synthetic prices)"
        lines.extend(image.notes)
        file = discord.File(io.BytesIO(image.png), filename=chart_filename(main, chosen))
        await interaction.followup.send(content="\n".join(lines), file=file)

    # ----- autocomplete ---------------------------------------------------------------------

    @price.autocomplete("symbol")
    @chart.autocomplete("symbol")
    @chart.autocomplete("compare")
    async def symbol_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest tracked symbols and aliases from memory."""
        return [
            app_commands.Choice(name=label, value=value)
            for label, value in self.index.suggest(current)
        ]
