"""Gather a summary's inputs: the part every server shares, and one server's own part."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from bot.alerts.model import Alert
from bot.clock import Clock
from bot.ledger.changes import group_changes
from bot.ledger.model import Contract
from bot.market.calendar import is_crypto
from bot.market.gather import BENCHMARKS, MonthBases, board_context, board_row, load_series
from bot.market.market_data import MarketData
from bot.market.models import DataSource, Quote
from bot.render.board import BoardContext, BoardRow
from bot.render.chart import Period, Series, history_days, period_start
from bot.render.exposure import exposures
from bot.render.summary import ContractChange, Mover
from bot.store import Store
from bot.symbols import SymbolIndex

log = logging.getLogger(__name__)

CHART_PERIOD: Final[Period] = "1mo"
ALERT_LOOKBACK: Final = timedelta(hours=24)
# History rows read for one server's changes: more than a summary can list anyway.
HISTORY_LIMIT: Final = 500


@dataclass(frozen=True, slots=True)
class ChartInputs:
    """The daily closes the summary chart draws: each miner on the board, BTC and NVDA."""

    miners: tuple[Series, ...]
    benchmarks: tuple[Series, ...]
    start: date
    source: DataSource


@dataclass(frozen=True, slots=True)
class SharedInputs:
    """What every server's summary shows alike (for one view of the ledger)."""

    rows: tuple[BoardRow, ...]
    context: BoardContext
    btc: Quote | None
    nvda: Quote | None
    movers: tuple[Mover, ...]
    contracts: tuple[Contract, ...]


@dataclass(frozen=True, slots=True)
class ServerInputs:
    """One server's own part: contract changes since its last summary, alerts fired."""

    changes: tuple[ContractChange, ...]
    since: datetime | None  # None: since the server's previous summary
    alerts: tuple[Alert, ...]
    history_id: int  # the newest history entry considered (the next summary starts after it)


async def gather_shared(
    store: Store, market: MarketData, month_bases: MonthBases, *, view: int | None
) -> SharedInputs:
    """Read the board, movers and ledger view (``view``: a server's id, or None: global)."""
    companies = await store.ledger.companies()
    entries = SymbolIndex.from_companies(companies).board()
    symbols = [e.symbol for e in entries]
    quotes = [market.quote(s) for s in symbols]
    contracts = await store.ledger.contracts(guild_id=view)
    held = exposures(contracts)
    bases = await month_bases.bases(symbols)
    rows = tuple(
        board_row(entry, quote, held.get(entry.symbol), bases[entry.symbol])
        for entry, quote in zip(entries, quotes, strict=True)
    )
    btc, nvda = (market.quote(symbol) for symbol in BENCHMARKS)
    context = board_context("change", market, [*quotes, btc, nvda], [held.get(s) for s in symbols])
    movers = []
    for company in companies:
        quote = market.quote(company.symbol)
        if quote is not None and quote.change_pct is not None and not is_crypto(company.symbol):
            movers.append(Mover(company.symbol, quote.change_pct, quote.price, quote.stale))
    return SharedInputs(
        rows=rows,
        context=context,
        btc=btc,
        nvda=nvda,
        movers=tuple(movers),
        contracts=tuple(contracts),
    )


async def gather_chart(store: Store, market: MarketData, clock: Clock) -> ChartInputs | None:
    """Read a month of daily closes (plus the correlation's lookback) for the chart."""
    companies = await store.ledger.companies()
    miners = [entry.symbol for entry in SymbolIndex.from_companies(companies).board()]
    today = clock.now().date()
    try:
        series = await load_series(
            market, [*miners, *BENCHMARKS], history_days(CHART_PERIOD, today)
        )
    except TimeoutError:
        log.warning("no daily history for the summary chart within the time limit")
        return None
    return ChartInputs(
        miners=tuple(series[s] for s in miners),
        benchmarks=tuple(series[s] for s in BENCHMARKS),
        start=period_start(CHART_PERIOD, today),
        source=market.source,
    )


async def gather_server(
    store: Store,
    guild_id: int,
    *,
    now: datetime,
    first_since: datetime,
    shared_contracts: Sequence[Contract],
) -> ServerInputs:
    """Read one server's changes since its previous summary and its alerts of the last day.

    Without a previous summary, the changes since ``first_since`` (when the summary was
    turned on) are listed: not the whole ledger's history.
    """
    upto = await store.summary.latest_history_id()
    covered = await store.summary.covered_history(guild_id)
    since = first_since if covered is None else None
    rows = await store.summary.history(
        guild_id, after_id=covered or 0, upto_id=upto, since=since, limit=HISTORY_LIMIT
    )
    changes: list[ContractChange] = []
    if rows:
        known = {c.id: c for c in shared_contracts}
        missing = {entry.contract_id for _, entry in rows} - set(known)
        if missing:
            # Removed contracts and the server's own are not in the shared view: read them.
            seen = await store.ledger.contracts(guild_id=guild_id, include_removed=True)
            known.update((c.id, c) for c in seen if c.id in missing)
        changes = [
            ContractChange(known[change.contract_id], change)
            for change in group_changes(rows)
            if change.contract_id in known
        ]
    alerts = await store.summary.fired_alerts(guild_id, now - ALERT_LOOKBACK)
    return ServerInputs(
        changes=tuple(reversed(changes)),  # newest first
        since=since,
        alerts=tuple(alerts),
        history_id=max(upto, covered or 0),
    )
