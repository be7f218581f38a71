"""The Prices cog: /price, /board and /chart, answered from memory within Discord's window."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Final, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput
from bot.i18n import N_, _
from bot.market import DataSource, Quote
from bot.render.board import ROWS_PER_PAGE, SORT_KEYS, SORT_LABELS, SortKey, board_pages, sort_rows
from bot.render.chart import PERIODS, Period, change_text, period_change, render_chart
from bot.render.price_chart import (
    CHART_PERIOD_LABELS,
    CHART_PERIODS,
    STYLE_LABELS,
    STYLES,
    ChartPeriod,
    PriceChartImage,
    PriceChartRequest,
    Style,
    render_price_chart,
)
from bot.render.price_chart import period_change as price_change
from bot.render.quote import quote_embed
from bot.render.valuation import valuation_board_pages
from bot.text import neutralise
from cogs._ui.choices import suggest_symbols
from cogs._ui.pager import Pages
from cogs._ui.replies import private_errors_after_defer
from cogs.prices._asked import AskedSymbols

if TYPE_CHECKING:
    from bot.app import Minerwatch

log = logging.getLogger(__name__)

# Board buttons die well before the interaction token (15 min) that edits them.
BOARD_TIMEOUT: Final = 180.0
# Rendering is CPU-bound: more parallel renders than cores would only queue in threads.
CHART_RENDERS: Final = 2
DEFAULT_SORT: Final[SortKey] = "market_cap"
DEFAULT_PERIOD: Final[ChartPeriod] = "1mo"
DEFAULT_STYLE: Final[Style] = "compare"
SYMBOL_HELP: Final = N_("Ticker or name, e.g. CIFR, cipher, IREN, BTC-USD, bitcoin, nebius")
# Bitcoin's card carries the hashprice (what a unit of hashrate earns at its price).
HASHPRICE_ON: Final = "BTC-USD"
# The board's views: prices (the table every member knows) or valuation per MW.
BOARD_VIEWS: Final = ("prices", "valuation")
NOT_YOURS: Final = N_(
    "Only the person who ran the command can page this board; run /board yourself."
)

Interaction = discord.Interaction["Minerwatch"]


def chart_filename(symbol: str, period: ChartPeriod, style: Style = DEFAULT_STYLE) -> str:
    """Return a safe attachment name: "cifr-1mo.png", "_gspc-1y.png", "cifr-1d-candles.png"."""
    name = re.sub(r"[^a-z0-9-]", "_", symbol.lower())
    return f"{name}-{period}.png" if style == DEFAULT_STYLE else f"{name}-{period}-{style}.png"


def chart_options(style: Style, period: ChartPeriod, compare: str | None) -> list[str]:
    """Return what is wrong with a combination of /chart options (nothing: an empty list)."""
    problems = []
    if style == "compare" and period not in PERIODS:
        problems.append(
            _(
                "period: the compare chart uses daily closes, from 5 days up; for 1 day pick "
                "style candles or line"
            )
        )
    if style != "compare" and compare is not None:
        problems.append(
            _("compare: only style compare draws another symbol; {style} shows one", style=style)
        )
    return problems


def price_chart_text(request: PriceChartRequest, image: PriceChartImage) -> str:
    """Return the words beside a candle or line chart: move, period, bars, marks."""
    change = price_change(request)
    moved = f" {change_text(change)}" if change is not None else ""
    first = _(
        "**{symbol}**{moved} · {period} · {style}, {bars} bars",
        symbol=request.symbol,
        moved=moved,
        period=_(CHART_PERIOD_LABELS[request.period]),
        style=request.style,
        bars=request.bar_label,
    )
    if request.source is DataSource.DEMO:
        first = _("[DEMO] {caption} (synthetic prices)", caption=first)
    if request.stale:
        first = _("[STALE] {caption}", caption=first)
    return "\n".join((first, *image.notes))


class Prices(commands.Cog):
    """Quotes, the miners board and charts."""

    def __init__(self, bot: Minerwatch) -> None:
        self.bot = bot
        self.prices = bot.services.prices
        self.board_timeout = BOARD_TIMEOUT
        self.rows_per_page = ROWS_PER_PAGE
        self._pages = Pages(bot, not_yours=NOT_YOURS, counter=True)
        self._renders = asyncio.Semaphore(CHART_RENDERS)
        self._asked = AskedSymbols(bot.clock)

    async def cog_load(self) -> None:
        """Poll the symbols members ask for."""
        self.bot.pipeline.add_symbol_source(self._asked.symbols)

    async def cog_unload(self) -> None:
        """Stop offering asked-for symbols to the poll, and stop the live board pagers."""
        self._asked.close()
        self._pages.close()

    # ----- /price -------------------------------------------------------------------------

    @app_commands.command(
        name="price", description="Quote card: price, change, ranges, market cap, contracted AI MW"
    )
    @app_commands.describe(symbol=SYMBOL_HELP)
    async def price(self, interaction: Interaction, symbol: str) -> None:
        index = self.prices.index
        resolved = index.resolve(symbol)  # before any defer: errors stay private
        entry = index.entry(resolved)
        if entry is not None and not entry.listed:
            raise InvalidInput(
                [
                    _(
                        "symbol: {name} is a private company, with no share price; "
                        "`/company {symbol}` shows its deals",
                        name=neutralise(entry.name, limit=60),
                        symbol=resolved,
                    )
                ]
            )
        quote = self.prices.quote(resolved)
        if quote is not None:
            embed = await self._quote_embed(interaction.guild_id, quote)
            await interaction.response.send_message(embed=embed)
        else:
            await interaction.response.defer(thinking=True)
            async with private_errors_after_defer(interaction):
                quote = await self.prices.fetch_quote(resolved)
                embed = await self._quote_embed(interaction.guild_id, quote)
            await interaction.followup.send(embed=embed)
        if resolved not in index:
            self._asked.note(resolved)  # the source knows it: poll it so it does not go stale

    async def _quote_embed(self, guild_id: int | None, quote: Quote) -> discord.Embed:
        # Only a tracked company's card shows contracts: skip the ledger for any other ticker.
        tracked = quote.symbol in self.prices.index
        contracts = await self.bot.ledger.view(guild_id) if tracked else ()
        card = self.prices.quote_card(quote, contracts)
        if quote.symbol == HASHPRICE_ON:
            network = self.bot.services.network
            card = replace(card, with_hashprice=True, hashprice=network.hashprice())
        return discord.Embed.from_dict(quote_embed(card))

    # ----- /board -------------------------------------------------------------------------

    @app_commands.command(
        name="board", description="The miners board: price, 1D/1M, market cap, AI MW and value"
    )
    @app_commands.describe(
        sort="Order of the rows (default: market cap)",
        view="prices (default) or valuation: EV, EV per MW, revenue per MW, top tenant",
    )
    @app_commands.choices(
        sort=[app_commands.Choice(name=SORT_LABELS[key], value=key) for key in SORT_KEYS],
        view=[app_commands.Choice(name=name, value=name) for name in BOARD_VIEWS],
    )
    async def board(
        self,
        interaction: Interaction,
        sort: app_commands.Choice[str] | None = None,
        view: app_commands.Choice[str] | None = None,
    ) -> None:
        key = cast(SortKey, sort.value) if sort is not None else DEFAULT_SORT
        chosen = view.value if view is not None else BOARD_VIEWS[0]
        if chosen not in BOARD_VIEWS:
            raise InvalidInput([_("view: choose prices or valuation")])
        if chosen == "valuation" and sort is not None:
            raise InvalidInput(
                [
                    _(
                        "sort: the valuation view is ordered by EV per contracted MW, lowest "
                        "first; leave sort out, or use view:prices"
                    )
                ]
            )
        guild_id = interaction.guild_id

        async def pages() -> list[dict[str, object]]:
            if chosen == "valuation":
                return await self._valuation_pages(guild_id)
            return await self._board_pages(guild_id, key)

        await self._pages.send(interaction, pages, buttons_for=self.board_timeout)

    async def _board_pages(self, guild_id: int | None, key: SortKey) -> list[dict[str, object]]:
        board = await self.prices.board(await self.bot.ledger.view(guild_id), key)
        rows = sort_rows(board.rows, key)
        return board_pages(rows, board.context, rows_per_page=self.rows_per_page)

    async def _valuation_pages(self, guild_id: int | None) -> list[dict[str, object]]:
        valuations = await self.bot.services.valuations.board(await self.bot.ledger.view(guild_id))
        return list(valuation_board_pages(valuations, demo=self.bot.market.is_demo))

    # ----- /chart -------------------------------------------------------------------------

    @app_commands.command(
        name="chart", description="PNG chart: vs BTC-USD and NVDA (default), candles or a line"
    )
    @app_commands.describe(
        symbol=SYMBOL_HELP,
        period="How far back (default: 1 month); 1 and 5 days are intraday with candles or line",
        compare="Compare with this symbol instead of BTC-USD and NVDA (style compare)",
        style="compare (default), candles with volume, averages and deals, or a price line",
    )
    @app_commands.choices(
        period=[app_commands.Choice(name=CHART_PERIOD_LABELS[p], value=p) for p in CHART_PERIODS],
        style=[app_commands.Choice(name=STYLE_LABELS[s], value=s) for s in STYLES],
    )
    async def chart(
        self,
        interaction: Interaction,
        symbol: str,
        period: app_commands.Choice[str] | None = None,
        compare: str | None = None,
        style: app_commands.Choice[str] | None = None,
    ) -> None:
        index = self.prices.index
        main = index.resolve(symbol)  # before deferring, so errors stay private
        other = index.resolve(compare) if compare is not None else None
        if other == main:
            raise InvalidInput([_("compare: pick a symbol other than {symbol}", symbol=main)])
        chosen = cast(ChartPeriod, period.value) if period is not None else DEFAULT_PERIOD
        drawn = cast(Style, style.value) if style is not None else DEFAULT_STYLE
        problems = chart_options(drawn, chosen, compare)
        if problems:
            raise InvalidInput(problems)
        await interaction.response.defer(thinking=True)
        if drawn == "compare":
            content, png = await self._compare_chart(interaction, main, other, cast(Period, chosen))
        else:
            content, png = await self._price_chart(interaction, main, chosen, drawn)
        file = discord.File(io.BytesIO(png), filename=chart_filename(main, chosen, drawn))
        await interaction.followup.send(content=content, file=file)

    async def _compare_chart(
        self, interaction: Interaction, main: str, other: str | None, period: Period
    ) -> tuple[str, bytes]:
        async with private_errors_after_defer(interaction):
            request = await self.prices.chart(main, other, period)
            async with self._renders:
                image = await asyncio.to_thread(render_chart, request)
        change = period_change(request.main, request.start)
        moved = f" {change_text(change)}" if change is not None else ""
        lines = [
            _(
                "**{symbol}**{moved} · {period} · normalised performance and correlation",
                symbol=main,
                moved=moved,
                period=_(CHART_PERIOD_LABELS[period]),
            )
        ]
        if request.source is DataSource.DEMO:
            lines[0] = _("[DEMO] {caption} (synthetic prices)", caption=lines[0])
        lines.extend(image.notes)
        return "\n".join(lines), image.png

    async def _price_chart(
        self, interaction: Interaction, main: str, period: ChartPeriod, style: Style
    ) -> tuple[str, bytes]:
        async with private_errors_after_defer(interaction):
            # Only candles mark deals: a line chart needs nothing from the ledger.
            candles = style == "candles"
            contracts = await self.bot.ledger.view(interaction.guild_id) if candles else ()
            request = await self.prices.price_chart(
                main, period, "candles" if candles else "line", contracts
            )
            async with self._renders:
                image = await asyncio.to_thread(render_price_chart, request)
        return price_chart_text(request, image), image.png

    # ----- autocomplete ---------------------------------------------------------------------

    @price.autocomplete("symbol")
    @chart.autocomplete("symbol")
    @chart.autocomplete("compare")
    async def symbol_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest tracked symbols and aliases from memory."""
        return suggest_symbols(self.prices.index, current)
