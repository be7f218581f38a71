"""One "1M change": /board, the /chart legend and the daily summary agree on it.

A month before Tuesday 1 December is Sunday 1 November: the base is Friday 30 October's
close, and the change runs to the latest price.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.market.month import month_before
from bot.prices import chart_request
from bot.render.chart import build_figure
from bot.sandbox.session import SandboxSession

START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tuesday, 10:00 in New York
CHART_CHANGE = re.compile(r"\*\*CIFR\*\* ([+−]?\d+\.\d) % · 1 month")


@pytest.fixture
def e2e_clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def price_source() -> str:
    """Demo prices (synthetic, with a year of history) for every test here."""
    return "demo"


def number(text: str) -> float:
    return float(text.replace("−", "-").rstrip("%").strip())


def board_change(description: str, symbol: str) -> str:
    """Return the 1M cell of ``symbol``'s row in a board table."""
    table = description.split("```")[1]
    header, *rows = table.strip().splitlines()
    column = header.split().index("1M")
    row = next(r.split() for r in rows if r.split()[0].rstrip("!") == symbol)
    return row[column]


def agree(board: str, chart: float) -> bool:
    """Tell whether a board cell (one decimal below 10 %, whole above) shows ``chart``."""
    digits = 1 if "." in board else 0
    return round(chart, digits) == pytest.approx(number(board))


async def test_board_chart_and_summary_show_the_same_month_change(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    assert month_before(START.date()).isoformat() == "2026-11-01"
    await sandbox.bot.pipeline.refresh_history()  # the daily job, as at start-up
    # Later in the day the live price has moved on from the stored daily history.
    e2e_clock.advance(timedelta(hours=3))
    await sandbox.bot.pipeline.tick()
    member = sandbox.world.member

    board = await (await sandbox.invoke("board", {"sort": "symbol"}, user=member)).wait_done(5)
    on_board = board_change(board.embeds[0]["description"], "CIFR")

    chart = await (await sandbox.invoke("chart", {"symbol": "CIFR"}, user=member)).wait_done(15)
    found = CHART_CHANGE.search(chart.visible[-1].content)
    assert found, chart.visible[-1].content
    on_chart = number(found.group(1))

    preview = await (await sandbox.invoke("summary preview", {}, user=member)).wait_done(15)
    summary_board = next(e for e in preview.visible[-1].embeds if "Miners board" in e["title"])
    in_summary = board_change(summary_board["description"], "CIFR")

    # The legend drawn in the PNG says the same as the message.
    request = await chart_request(sandbox.bot.market, sandbox.bot.clock, "CIFR", None, "1mo")
    lines = build_figure(request).figure.axes[0].get_lines()
    legend = next(str(line.get_label()) for line in lines if line.get_gid() == "performance:CIFR")
    on_legend = number(legend.removeprefix("CIFR ").removesuffix(" %"))

    assert on_board == in_summary
    assert agree(on_board, on_legend), (on_board, on_legend)
    assert on_chart == on_legend
