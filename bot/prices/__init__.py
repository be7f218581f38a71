"""Prices as members see them: quotes, the board and charts, assembled for cogs and the summary.

``market/`` supplies quotes and history; ``render/`` turns the view models built here into
embeds and images.
"""

from bot.prices.board import MONTH_HISTORY_DAYS, MonthBases, board_context, board_row
from bot.prices.chart import BENCHMARKS, HISTORY_TIMEOUT, chart_request, load_series, with_latest
from bot.prices.service import FETCH_TIMEOUT, Board, PricesService

__all__ = [
    "BENCHMARKS",
    "FETCH_TIMEOUT",
    "HISTORY_TIMEOUT",
    "MONTH_HISTORY_DAYS",
    "Board",
    "MonthBases",
    "PricesService",
    "board_context",
    "board_row",
    "chart_request",
    "load_series",
    "with_latest",
]
