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
from bot.market.models import DataSource, Quote
from bot.network.hashprice import Hashprice
from bot.prices import BENCHMARKS, PricesService
from bot.render.board import BoardContext, BoardRow
from bot.render.chart import Period, Series, period_start
from bot.render.summary import ContractChange, Mover
from bot.store import Store

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
    hashprice: Hashprice | None = None
    with_hashprice: bool = False  # False: no network data is configured, no line at all


@dataclass(frozen=True, slots=True)
class ServerInputs:
    """One server's own part: contract changes since its last summary, alerts fired."""

    changes: tuple[ContractChange, ...]
    since: datetime | None  # None: since the server's previous summary
    alerts: tuple[Alert, ...]
    history_id: int  # the newest history entry considered (the next summary starts after it)


async def gather_shared(
    store: Store,
    prices: PricesService,
    *,
    view: int | None,
    hashprice: Hashprice | None = None,
    with_hashprice: bool = True,
) -> SharedInputs:
    """Read the board, movers and ledger view (``view``: a server's id, or None: global)."""
    contracts = await store.ledger.contracts(guild_id=view)
    board = await prices.board(contracts, "change", dated_by=BENCHMARKS)
    btc, nvda = (prices.quote(symbol) for symbol in BENCHMARKS)
    return SharedInputs(
        rows=board.rows,
        context=board.context,
        btc=btc,
        nvda=nvda,
        movers=tuple(await prices.movers()),
        contracts=tuple(contracts),
        hashprice=hashprice,
        with_hashprice=with_hashprice,
    )


async def gather_chart(prices: PricesService, clock: Clock) -> ChartInputs | None:
    """Read a month of daily closes (plus the correlation's lookback) for the chart."""
    miners = [entry.symbol for entry in (await prices.symbols.current()).board()]
    today = clock.now().date()
    try:
        series = await prices.closes([*miners, *BENCHMARKS], CHART_PERIOD)
    except TimeoutError:
        log.warning("no daily history for the summary chart within the time limit")
        return None
    return ChartInputs(
        miners=tuple(series[s] for s in miners),
        benchmarks=tuple(series[s] for s in BENCHMARKS),
        start=period_start(CHART_PERIOD, today),
        source=prices.market.source,
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
