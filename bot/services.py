"""The composition root: every service the bot is given, built once and closed in reverse order.

Each service is a field; what it needs is passed to its constructor here, callbacks included,
so nothing is wired afterwards. Only the outbox's sender waits for the Discord client.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, field

from bot.alerts.delivery import PauseUndeliverableAlerts
from bot.alerts.evaluate import AlertEvaluator
from bot.alerts.model import Tick
from bot.alerts.service import AlertService
from bot.clock import Clock, SystemClock
from bot.fundamentals.service import BalanceSheets, fetcher_for
from bot.fundamentals.valuations import HOST_KINDS, Valuations
from bot.ledger.service import LedgerService
from bot.ledger.watch import StopWatchOnRefusal
from bot.market import MarketData
from bot.network.client import NetworkClient
from bot.network.demo import DemoNetwork
from bot.network.hashprice import HASHPRICE_SYMBOL
from bot.network.service import BitcoinNetwork, NetworkSource
from bot.outbox.worker import OutboxWorker
from bot.pipeline import PricePipeline
from bot.prices import PricesService
from bot.schedule import Scheduler
from bot.settings import Settings
from bot.status import StatusService
from bot.store import Store
from bot.summary.hook import PauseSummaryOnRefusal
from bot.summary.service import SummaryService, unschedule
from bot.symbols import SymbolDirectory

log = logging.getLogger(__name__)

BTC = "BTC-USD"  # the hashprice is priced with our own bitcoin quote


@dataclass(slots=True)
class Services:
    """Everything the bot and its cogs use, built from the settings."""

    settings: Settings
    store: Store
    clock: Clock
    scheduler: Scheduler
    market: MarketData
    outbox: OutboxWorker = field(init=False)
    ledger: LedgerService = field(init=False)
    symbols: SymbolDirectory = field(init=False)
    prices: PricesService = field(init=False)
    pipeline: PricePipeline = field(init=False)
    alerts: AlertService = field(init=False)
    evaluator: AlertEvaluator = field(init=False)
    summaries: SummaryService = field(init=False)
    status: StatusService = field(init=False)
    balance_sheets: BalanceSheets = field(init=False)
    valuations: Valuations = field(init=False)
    network: BitcoinNetwork = field(init=False)

    def __post_init__(self) -> None:
        # Delivers everything the bot owes (alerts, notices, watch posts, summaries); each
        # feature that queues posts says what a refused destination means for it.
        self.outbox = OutboxWorker(
            self.store,
            None,  # attached by the bot: it sends through the Discord client
            self.clock,
            hooks=[
                PauseUndeliverableAlerts(self.store),
                StopWatchOnRefusal(self.store),
                PauseSummaryOnRefusal(
                    self.store, on_paused=functools.partial(unschedule, self.scheduler)
                ),
            ],
        )
        self.ledger = LedgerService(self.store, self.clock)
        # One symbol index for every cog and the summary, reloaded when the companies change.
        self.symbols = SymbolDirectory(self.store.ledger.companies)
        self.prices = PricesService(self.market, self.clock, self.symbols)
        self.pipeline = PricePipeline(self.market, self.store)
        # Enterprise values: balance sheets fetched by a daily job, read from memory.
        self.balance_sheets = BalanceSheets(
            self.store.balance_sheets, self.clock, fetcher_for(self.market), self._hosts
        )
        self.valuations = Valuations(self.market, self.balance_sheets, self.symbols)
        self.network = BitcoinNetwork(
            self._network_source(), functools.partial(self.market.quote, BTC), self.clock
        )
        calendar = self.market.calendar
        self.alerts = AlertService(
            self.store,
            self.clock,
            calendar,
            max_per_member=self.settings.max_alerts_per_user,
            max_per_guild=self.settings.max_alerts_per_guild,
        )
        self.evaluator = AlertEvaluator(
            self.store, self.clock, calendar, on_enqueued=self.outbox.kick
        )
        # Every poll is evaluated against the alerts, and covers the symbols they watch.
        self.pipeline.subscribe(self.evaluator.evaluate_poll)
        # A new BTC price moves the hashprice too: its alerts are evaluated after each poll.
        self.pipeline.subscribe(self.evaluate_hashprice)
        self.pipeline.add_symbol_source(self._alerted_tickers)
        self.summaries = SummaryService(
            self.store,
            self.market,
            self.clock,
            self.scheduler,
            default_zone=self.settings.summary_timezone,
            prices=self.prices,
            on_enqueued=self.outbox.kick,
            hashprice=self.network.hashprice if self.network.enabled else None,
        )
        self.status = StatusService(
            store=self.store,
            clock=self.clock,
            scheduler=self.scheduler,
            market=self.market,
            pipeline=self.pipeline,
            evaluator=self.evaluator,
            ledger=self.ledger,
            summaries=self.summaries,
        )

    async def _alerted_tickers(self) -> set[str]:
        # The hashprice's alerts watch a figure of ours, not a ticker a source could poll.
        return await self.store.alerts.active_symbols() - {HASHPRICE_SYMBOL}

    async def evaluate_hashprice(self, _poll: object = None) -> None:
        """Evaluate the hashprice alerts against the current hashprice (if known)."""
        quote = self.network.hashprice_quote()
        if quote is not None:
            await self.evaluator.evaluate([Tick(quote)])

    async def poll_network(self) -> None:
        """Poll the network data (the scheduled job), then evaluate the hashprice alerts."""
        if await self.network.poll():
            await self.evaluate_hashprice()

    async def _hosts(self) -> set[str]:
        """Return the listed companies that host capacity (those a valuation is about)."""
        return {
            c.symbol
            for c in await self.store.ledger.companies()
            if c.listed and c.kind in HOST_KINDS
        }

    def _network_source(self) -> NetworkSource | None:
        url = self.settings.network_url
        if url is not None:
            return NetworkClient(url)
        if self.market.is_demo and self.settings.btc_network_url != "off":
            return DemoNetwork()  # demo prices never reach the network; figures are DEMO
        return None

    async def aclose(self) -> None:
        """Close what was opened, newest first."""
        await self.outbox.stop()
        await self.scheduler.stop()
        await self.network.aclose()
        await self.market.aclose()
        await self.store.close()


async def open_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Open the store and the market data, and build the scheduler for ``settings``."""
    clock = clock or SystemClock()
    store = await Store.open(settings.db_path)
    try:
        # Building the trading calendar takes about half a second: keep it off the event loop.
        market = await asyncio.to_thread(
            MarketData.open,
            settings.price_source,
            cache_dir=settings.cache_dir,
            clock=clock,
            poll_seconds=settings.poll_seconds,
            store=store.prices,
            started_at=clock.now(),
        )
    except BaseException:
        await store.close()
        raise
    return Services(
        settings=settings, store=store, clock=clock, scheduler=Scheduler(), market=market
    )
