"""The miners board: rows of figures in, pages of aligned code-block tables (embed dicts) out."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Literal, get_args

from bot.format import DASH, compact_percent, money, number, price, ratio, table_cell, timestamp
from bot.i18n import N_, _
from bot.limits import EMBED_DESCRIPTION, EMBED_TOTAL
from bot.market.models import DailyBar, DataSource, MarketState
from bot.market.month import last_on_or_before, month_before
from bot.render.quote import DEMO_MARK, NOT_ADVICE, source_line

SortKey = Literal["change", "market_cap", "mw", "value", "symbol"]
SORT_KEYS: Final[tuple[SortKey, ...]] = get_args(SortKey)
SORT_LABELS: Final[dict[SortKey, str]] = {
    "change": N_("1D change"),
    "market_cap": N_("market cap"),
    "mw": N_("contracted MW"),
    "value": N_("contract value"),
    "symbol": N_("symbol"),
}
# About one screen of a desktop client; a longer board is paged rather than scrolled.
ROWS_PER_PAGE: Final = 20
# Discord's embed limits: description 4096 characters, the whole embed 6000.
BOARD_COLOUR: Final = 0xF7931A  # bitcoin orange, as /help
GROSS_MARK: Final = "*"
STALE_MARK: Final = "!"
# A price traded outside the regular session (streamed pre- or post-market trades).
SESSION_MARKS: Final = {MarketState.PRE: "p", MarketState.POST: "a"}
HEADERS: Final = (
    N_("SYM"),
    N_("PRICE"),
    N_("1D"),
    N_("1M"),
    N_("MCAP"),
    N_("MW"),
    N_("VALUE"),
    N_("V/MC"),
)
# Left-aligned columns (the symbol); every figure is right-aligned so digits line up.
LEFT_ALIGNED: Final = frozenset({0})


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One tracked company's figures on the board (None: unknown, shown as a dash)."""

    symbol: str
    price: float | None = None
    change_1d: float | None = None
    change_1m: float | None = None
    market_cap: float | None = None
    mw: float | None = None
    mw_gross: bool = False
    value_usd: float | None = None
    value_approx: bool = False
    value_floor: bool = False  # the value counts a floor: at least this much
    stale: bool = False
    session: MarketState | None = None  # the session the price was traded in

    @property
    def value_to_cap(self) -> float | None:
        """Return contract value over market cap, when both are known."""
        if self.value_usd is None or self.market_cap is None or self.market_cap <= 0:
            return None
        return self.value_usd / self.market_cap


@dataclass(frozen=True, slots=True)
class BoardContext:
    """What the page frame shows around the table."""

    sort: SortKey
    source: DataSource
    prices_as_of: datetime | None = None
    ledger_as_of: str | None = None

    @property
    def demo(self) -> bool:
        """Tell whether the prices are synthetic."""
        return self.source is DataSource.DEMO


def month_base(bars: Sequence[DailyBar], today: date) -> float | None:
    """Return the close on the last trading day on or before a month before ``today``."""
    found = last_on_or_before([bar.date for bar in bars], month_before(today))
    return None if found is None else bars[found].close


def change_from(base: float | None, last: float | None) -> float | None:
    """Return the % change from ``base`` to ``last`` (None unless both are usable)."""
    if base is None or last is None or not (math.isfinite(base) and math.isfinite(last)):
        return None
    if base <= 0:
        return None
    return (last / base - 1.0) * 100.0


def one_month_change(bars: Sequence[DailyBar], last: float | None, today: date) -> float | None:
    """Return the % change of ``last`` versus the last close at least a month before ``today``."""
    return change_from(month_base(bars, today), last)


_SORT_VALUE: Final[dict[SortKey, Callable[[BoardRow], float | None]]] = {
    "change": lambda r: r.change_1d,
    "market_cap": lambda r: r.market_cap,
    "mw": lambda r: r.mw,
    "value": lambda r: r.value_usd,
}


def sort_rows(rows: Sequence[BoardRow], key: SortKey) -> list[BoardRow]:
    """Return ``rows`` sorted by ``key``: largest first (symbol: A to Z), unknowns last."""
    if key == "symbol":
        return sorted(rows, key=lambda r: r.symbol)
    value_of = _SORT_VALUE[key]

    def order(row: BoardRow) -> tuple[bool, float, str]:
        value = value_of(row)
        known = value is not None and math.isfinite(value)
        return (not known, -value if known and value is not None else 0.0, row.symbol)

    return sorted(rows, key=order)


def _cells(row: BoardRow) -> tuple[str, ...]:
    mw = DASH if row.mw is None else number(row.mw) + (GROSS_MARK if row.mw_gross else "")
    cells = (
        row.symbol + (STALE_MARK if row.stale else ""),
        price(row.price, currency=None)
        + (SESSION_MARKS.get(row.session, "") if row.session is not None else ""),
        compact_percent(row.change_1d),
        compact_percent(row.change_1m),
        money(row.market_cap),
        mw,
        (">" if row.value_floor and row.value_usd is not None else "")
        + money(row.value_usd, approx=row.value_approx),
        (">" if row.value_floor and row.value_to_cap is not None else "") + ratio(row.value_to_cap),
    )
    return tuple(table_cell(cell) for cell in cells)


def headers() -> tuple[str, ...]:
    """Return the column headings in the current language."""
    return tuple(_(heading) for heading in HEADERS)


def _widths(table: Sequence[Sequence[str]]) -> list[int]:
    return [max(len(cells[i]) for cells in table) for i in range(len(HEADERS))]


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    parts = [
        cell.ljust(width) if i in LEFT_ALIGNED else cell.rjust(width)
        for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
    ]
    return " ".join(parts).rstrip()


def table_lines(rows: Sequence[BoardRow], widths: Sequence[int] | None = None) -> list[str]:
    """Return the header and one aligned line per row (widths from these rows by default)."""
    return _table([_cells(row) for row in rows], widths)


def _table(cells: Sequence[tuple[str, ...]], widths: Sequence[int] | None = None) -> list[str]:
    heads = headers()
    widths = widths or _widths([heads, *cells])
    return [_line(heads, widths), *(_line(c, widths) for c in cells)]


def _frame(context: BoardContext) -> tuple[str, str]:
    """Return the title and the as-of line."""
    title = _("Miners board · by {order}", order=_(SORT_LABELS[context.sort]))
    if context.demo:
        title = f"{DEMO_MARK} {title}"
    prices = (
        _("Prices as of {when}", when=timestamp(context.prices_as_of, "f"))
        if context.prices_as_of
        else _("Prices: none yet")
    )
    ledger = (
        _("contracts as of {day} (the oldest status counted)", day=context.ledger_as_of)
        if context.ledger_as_of
        else _("no contracts")
    )
    return title, f"{prices} · {ledger}"


def _legend(rows: Sequence[BoardRow], demo: bool) -> list[str]:
    notes = [
        _(
            "1M: vs the close a month ago · MW and VALUE: this server's binding leases, "
            "GPU-cloud services and JVs at the host's share (acquisitions, targets, options "
            "never counted)"
        )
    ]
    if any(r.mw_gross for r in rows):
        notes.append(
            _("{mark} includes gross MW where critical IT is undisclosed", mark=GROSS_MARK)
        )
    if any(r.value_floor for r in rows):
        notes.append(_("> the value counts a floor (a 'more than' figure) at the floor"))
    if any(r.stale for r in rows):
        notes.append(_("{mark} stale quote: the feed has not updated it lately", mark=STALE_MARK))
    marked = {r.session for r in rows if r.session in SESSION_MARKS}
    if MarketState.PRE in marked:
        notes.append(_("p after a price: traded pre-market (1D vs the previous close)"))
    if MarketState.POST in marked:
        notes.append(_("a after a price: traded after hours (1D vs the day's regular close)"))
    if demo:
        notes.append(_("DEMO data: synthetic prices, not real quotes"))
    return notes


def _page(
    title: str,
    as_of: str,
    lines: Sequence[str],
    legend: Sequence[str],
    footer: str,
) -> dict[str, Any]:
    table = "```\n" + "\n".join(lines) + "\n```"
    return {
        "title": title,
        "description": "\n".join([as_of, table, *legend]),
        "color": BOARD_COLOUR,
        "footer": {"text": footer},
    }


def embed_size(embed: dict[str, Any]) -> int:
    """Return the characters Discord counts towards an embed's 6000 total."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for item in embed.get("fields") or []:
        total += len(item.get("name") or "") + len(item.get("value") or "")
    return total


def board_pages(
    rows: Sequence[BoardRow], context: BoardContext, *, rows_per_page: int = ROWS_PER_PAGE
) -> list[dict[str, Any]]:
    """Render sorted ``rows`` as pages that each fit Discord's embed limits."""
    title, as_of = _frame(context)
    footer_tail = f"{source_line(context.source)} · {_(NOT_ADVICE)}"
    if not rows:
        return [
            {
                "title": title,
                "description": f"{as_of}\n{_('No companies are on the board yet.')}",
                "color": BOARD_COLOUR,
                "footer": {"text": footer_tail},
            }
        ]
    # Each row's cells are formatted once: packing a page tries the table at every length.
    cells = {id(row): _cells(row) for row in rows}
    widths = _widths([headers(), *cells.values()])
    chunks: list[list[BoardRow]] = []
    current: list[BoardRow] = []
    for row in rows:
        candidate = [*current, row]
        too_many = len(candidate) > max(1, rows_per_page)
        lines = _table([cells[id(r)] for r in candidate], widths)
        if current and (too_many or not _fits(title, as_of, candidate, lines, context)):
            chunks.append(current)
            current = [row]
        else:
            current = candidate
    chunks.append(current)
    pages = []
    for page_number, chunk in enumerate(chunks, start=1):
        footer = _("Page {number}/{count}", number=page_number, count=len(chunks))
        footer = f"{footer} · {footer_tail}"
        lines = _table([cells[id(r)] for r in chunk], widths)
        pages.append(_page(title, as_of, lines, _legend(chunk, context.demo), footer))
    return pages


# The page footer ("Page 12/12 · " plus the source and advice line) is at most this long.
_FOOTER_RESERVE: Final = 120


def _fits(
    title: str, as_of: str, rows: Sequence[BoardRow], lines: Sequence[str], context: BoardContext
) -> bool:
    page = _page(title, as_of, lines, _legend(rows, context.demo), "")
    description = len(page["description"])
    return description <= EMBED_DESCRIPTION and embed_size(page) + _FOOTER_RESERVE <= EMBED_TOTAL
