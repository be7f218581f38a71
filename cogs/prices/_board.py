"""The board's figures (kept in bot.market.gather, which the daily summary shares)."""

from __future__ import annotations

from bot.market.gather import MONTH_HISTORY_DAYS, MonthBases, board_context, board_row

__all__ = ["MONTH_HISTORY_DAYS", "MonthBases", "board_context", "board_row"]
