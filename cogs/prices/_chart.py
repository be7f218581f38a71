"""A chart's daily history (kept in bot.market.gather, which the daily summary shares)."""

from __future__ import annotations

from bot.market.gather import BENCHMARKS, HISTORY_TIMEOUT, chart_request

__all__ = ["BENCHMARKS", "HISTORY_TIMEOUT", "chart_request"]
