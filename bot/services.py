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
from bot.alerts.facts import DailyFactsBook
from bot.alerts.filing_alerts import FilingAlertHook
from bot.alerts.latency import PostLatency
from bot.alerts.model import Tick
from bot.alerts.reading import SignalReader
from bot.alerts.service import AlertService
from bot.clock import Clock, SystemClock
from bot.filings.client import EdgarClient, RateLimiter
from bot.filings.drafting import drafts_hook, proposal_figures
from bot.filings.drafts import DraftService
from bot.filings.posts import StopFilingWatchOnRefusal
from bot.filings.service import FilingsService
from bot.filings.tracked import known_parties, tracked_companies
from bot.filings.watcher import SEC_CONTACT_MISSING, FilingsWatcher
from bot.fundamentals.service import BalanceSheets, fetcher_for
from bot.fundamentals.valuations import HOST_KINDS, Valuations
from bot.languages import Languages
from bot.leadership import Leadership, leadership_for
from bot.ledger.service import LedgerService
from bot.ledger.watch import StopWatchOnRefusal
from bot.market import MarketData, PollResult
from bot.market.live import LivePrices
from bot.network.client import NetworkClient
from bot.network.demo import DemoNetwork
from bot.network.hashprice import HASHPRICE_SYMBOL
from bot.network.service import BitcoinNetwork, NetworkSource
from bot.outbox.retry import Pace, RequestPace
from bot.outbox.shared_pace import SharedPace
from bot.outbox.worker import OutboxWorker
from bot.pipeline import PricePipeline
from bot.prices import PricesService
from bot.schedule import Scheduler
from bot.settings import Settings
from bot.shards import ShardPlan, owner_check, shares_token
from bot.status import StatusService
from bot.store import Store, open_database
from bot.store.pace import PaceBudget
from bot.store.postgres import PostgresDatabase
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
    latency: PostLatency = field(init=False)
    pace: Pace = field(init=False)
    outbox: OutboxWorker = field(init=False)
    ledger: LedgerService = field(init=False)
    drafts: DraftService = field(init=False)
    symbols: SymbolDirectory = field(init=False)
    prices: PricesService = field(init=False)
    pipeline: PricePipeline = field(init=False)
    alerts: AlertService = field(init=False)
    evaluator: AlertEvaluator = field(init=False)
    summaries: SummaryService = field(init=False)
    filings: FilingsService = field(init=False)
    status: StatusService = field(init=False)
    balance_sheets: BalanceSheets = field(init=False)
    valuations: Valuations = field(init=False)
    network: BitcoinNetwork = field(init=False)
    languages: Languages = field(init=False)

    def __post_init__(self) -> None:
        # Read by every feature that posts: each post is written in its reader's language.
        self.languages = Languages(self.store.languages, self.clock)
        # Discord's global limit is per token: a process sharing it with others (a range of
        # the shards) takes its requests' turns from the store; the only process paces alone.
        self.pace = rest_pace(self.settings, self.store)
        # Trade-to-post latency of alerts: noted when queued, measured when delivered.
        self.latency = PostLatency(self.clock)
        # Delivers everything the bot owes (alerts, notices, watch posts, summaries); each
        # feature that queues posts says what a refused destination means for it.
        self.outbox = OutboxWorker(
            self.store,
            None,  # attached by the bot: it sends through the Discord client
            self.clock,
            hooks=[
                PauseUndeliverableAlerts(self.store, language_of=self.languages.for_post),
                StopWatchOnRefusal(self.store),
                PauseSummaryOnRefusal(
                    self.store, on_paused=functools.partial(unschedule, self.scheduler)
                ),
                StopFilingWatchOnRefusal(self.store),
            ],
            on_delivered=self.latency.posted,
        )
        self.ledger = LedgerService(self.store, self.clock)
        # Proposals read from filings wait here until a person confirms them into the ledger.
        self.drafts = DraftService(self.store, self.clock, self.ledger)
        # One symbol index for every cog and the summary, reloaded when the companies change.
        self.symbols = SymbolDirectory(self.store.ledger.companies)
        self.prices = PricesService(self.market, self.clock, self.symbols)
        # Enterprise values: balance sheets fetched by a daily job, read from memory.
        self.balance_sheets = BalanceSheets(
            self.store.balance_sheets, self.clock, fetcher_for(self.market), self._hosts
        )
        self.valuations = Valuations(self.market, self.balance_sheets, self.symbols)
        self.network = BitcoinNetwork(
            self._network_source(), functools.partial(self.market.quote, BTC), self.clock
        )
        calendar = self.market.calendar
        # The day's facts (52-week extremes, averages, volume) are read from the stored
        # history once per symbol and day, and again after each history refresh.
        history = self.market.history
        facts = DailyFactsBook(
            self.store.prices.load_daily, history.refreshed_on if history else None
        )
        reader = SignalReader(calendar, facts, self.market.quote, earnings=self.market.earnings)
        self.alerts = AlertService(
            self.store,
            self.clock,
            calendar,
            max_per_member=self.settings.max_alerts_per_user,
            max_per_guild=self.settings.max_alerts_per_guild,
            reader=reader,
        )
        self.evaluator = AlertEvaluator(
            self.store,
            self.clock,
            calendar,
            on_enqueued=self.outbox.kick,
            reader=reader,
            language_of=self.languages.for_post,
        )
        # Every poll is evaluated against the alerts, and covers the symbols they watch.
        # A new BTC price moves the hashprice too: its alerts are evaluated after each poll.
        self.pipeline = PricePipeline(
            self.market,
            self.store,
            listeners=[self.evaluate_prices, self.evaluate_hashprice],
            symbol_sources=[self._alerted_tickers],
            live=self._live_prices(),
        )
        self.summaries = SummaryService(
            self.store,
            self.market,
            self.clock,
            self.scheduler,
            default_zone=self.settings.summary_timezone,
            prices=self.prices,
            on_enqueued=self.outbox.kick,
            hashprice=self.network.hashprice if self.network.enabled else None,
            language_of=self.languages.for_guild,
            owns=owner_check(self.settings.shard_plan),
        )
        watcher = FilingsWatcher(
            self.store,
            self.clock,
            edgar_client(self.settings, self.clock),
            companies=functools.partial(tracked_companies, self.store),
            parties=functools.partial(known_parties, self.store, self.ledger),
            poll_seconds=self.settings.sec_poll_seconds,
            off_reason=SEC_CONTACT_MISSING,
            on_queued=self.outbox.kick,
            figures=proposal_figures,
            on_likely_deal=drafts_hook(self.drafts),
            on_stored=FilingAlertHook(self.store, language_of=self.languages.for_post),
            language_of=self.languages.for_guild,
        )
        self.filings = FilingsService(self.store, self.clock, watcher)
        self.status = StatusService(
            store=self.store,
            clock=self.clock,
            scheduler=self.scheduler,
            market=self.market,
            pipeline=self.pipeline,
            evaluator=self.evaluator,
            ledger=self.ledger,
            summaries=self.summaries,
            filings=self.filings.watcher,
            live=self.pipeline.live,
            latency=self.latency,
            shards=self.settings.shard_plan,
            leadership=self.leadership,
        )

    @property
    def leadership(self) -> Leadership:
        """Whether this process leads the global jobs (the scheduler follows it)."""
        return self.scheduler.leadership

    async def _alerted_tickers(self) -> set[str]:
        # The hashprice's alerts watch a figure of ours, not a ticker a source could poll.
        return await self.store.alerts.active_symbols() - {HASHPRICE_SYMBOL}

    async def evaluate_prices(self, result: PollResult) -> None:
        """Evaluate the alerts against new prices (polled or streamed); time their posts."""
        if not self.leadership.is_leader:
            return  # every process streams prices for its commands; the leader evaluates
        report = await self.evaluator.evaluate_poll(result)
        self.latency.expect(report.trade_times)

    async def evaluate_hashprice(self, prices: PollResult | None = None) -> None:
        """Evaluate the hashprice alerts against the current hashprice (if known)."""
        if not self.leadership.is_leader:
            return
        if prices is not None and BTC not in prices.accepted():
            # The hashprice moves with our bitcoin price: streamed batches without a new
            # one (most of them) cannot move it.
            return
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

    def _live_prices(self) -> LivePrices | None:
        url = self.settings.stream_endpoint
        if url is None:
            return None
        return LivePrices(self.market.provider, self.clock, self.market.calendar, url)

    def _network_source(self) -> NetworkSource | None:
        url = self.settings.network_url
        if url is not None:
            return NetworkClient(url)
        if self.market.is_demo and self.settings.btc_network_url != "off":
            return DemoNetwork()  # demo prices never reach the network; figures are DEMO
        return None

    async def aclose(self) -> None:
        """Close what was opened, newest first."""
        await self.pipeline.stop_stream()
        await self.outbox.stop()
        if isinstance(self.pace, SharedPace):
            await self.pace.aclose()
        await self.scheduler.stop()
        await self.leadership.close()
        await self.filings.watcher.aclose()
        await self.network.aclose()
        await self.market.aclose()
        await self.languages.flush()
        await self.store.close()


def rest_pace(settings: Settings, store: Store) -> Pace:
    """Return the pace of every REST request the bot makes itself (sends, reads, DMs)."""
    if not settings.shares_rest_pace or str(store.db.location) == ":memory:":
        # The bot's only process (a store in memory has no other) writes nothing per request.
        return RequestPace()
    return SharedPace(PaceBudget(functools.partial(open_database, store.db.location)))


def others_write_alerts(store: Store, plan: ShardPlan | None) -> bool:
    """Tell whether other bot processes may change this store's alerts: any PostgreSQL store
    (made to be shared), or a file when this process runs only some of the shards."""
    return isinstance(store.db, PostgresDatabase) or shares_token(plan)


def edgar_client(settings: Settings, clock: Clock) -> EdgarClient | None:
    """Return the EDGAR client, or None without the operator's contact (SEC requires it)."""
    if settings.sec_contact is None:
        return None
    # One limiter for the whole process: every EDGAR request waits for it.
    return EdgarClient(
        contact=settings.sec_contact,
        data_url=settings.sec_data_url,
        archives_url=settings.sec_archives_url,
        limiter=RateLimiter(),
        clock=clock,
    )


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
    store.alerts.others_write = others_write_alerts(store, settings.shard_plan)
    # Competes at once: a process alone on its store leads from the start.
    leadership = leadership_for(store.db)
    await leadership.start()
    try:
        services = Services(
            settings=settings,
            store=store,
            clock=clock,
            scheduler=Scheduler(leadership),
            market=market,
        )
        await services.languages.load()
    except BaseException:
        await leadership.close()
        raise
    return services
