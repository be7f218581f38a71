"""What writing in a member's language costs: the catalogues' first use, then each render.

Run: .venv/bin/python -m bench.bench_languages [--repeat 2000]
Writes bench/results/languages.md.

The catalogues are compiled from their .po files at first use (once per process): that is
timed cold, per language. Then the renders every reply or post goes through are timed in
English and in French, side by side in the same run: a /price card with contracts, a /board
page of 20 rows, and the messages of 100 alert firings in 20 channels. Each is rendered
``repeat`` times after a warm-up; the figures are wall time per render on one core.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bench.common import machine, percentile, publish, quote, sizes
from bot.alerts.messages import alert_messages
from bot.alerts.model import Alert, AlertKind, AlertState, Direction
from bot.alerts.outcome import Firing
from bot.i18n.catalogue import translations
from bot.i18n.language import LANGUAGES, Language, speaking
from bot.market.models import DataSource
from bot.render.board import BoardContext, BoardRow, board_pages
from bot.render.exposure import Exposure
from bot.render.quote import QuoteCard, quote_embed

AT = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    what: str
    language: Language
    p50_us: float
    p99_us: float


def card() -> QuoteCard:
    exposure = Exposure("CIFR", contracts=3, mw_it=544.0, value_usd=9.3e9, as_of="2025-11-20")
    return QuoteCard(quote("CIFR", 1234.56, 1200.0, AT), "Cipher Digital Inc.", True, exposure)


def board_rows() -> list[BoardRow]:
    return [
        BoardRow(f"S{i:02d}", 10.0 + i, 1.5 - i / 10, 12.0, 1e9 * i, 100.0 * i, False, 2e8 * i)
        for i in range(20)
    ]


def firings() -> list[Firing]:
    alerts = [
        Alert(
            id=i,
            guild_id=1,
            channel_id=100 + i % 20,
            owner_id=1000 + i,
            symbol="CIFR",
            kind=AlertKind.ABOVE,
            level=16.0,
            repeat=False,
            via_dm=False,
            state=AlertState.FIRED,
            created_at=AT - timedelta(days=1),
            expires_at=AT + timedelta(days=89),
        )
        for i in range(100)
    ]
    return [Firing(a, 1, Direction.UP, 16.5, 16.5, None, AT, False) for a in alerts]


def timed(render: Callable[[], object], repeat: int) -> tuple[float, float]:
    for _ in range(max(10, repeat // 20)):
        render()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        render()
        samples.append((time.perf_counter() - started) * 1e6)
    return percentile(samples, 50), percentile(samples, 99)


def main() -> None:
    args = sizes(__doc__, repeat=2000)
    cold = {}
    for language in LANGUAGES:
        translations.cache_clear()
        started = time.perf_counter()
        translations(language)
        cold[language] = (time.perf_counter() - started) * 1e3
    context = BoardContext("market_cap", DataSource.YAHOO, AT, "2025-11-20")
    rows, fired, shown = board_rows(), firings(), card()
    renders: dict[str, Callable[[Language], object]] = {
        "/price card": lambda _language: quote_embed(shown),
        "/board page (20 rows)": lambda _language: board_pages(rows, context),
        # Posts are written in each destination's language, whatever the task speaks.
        "100 alert firings → messages": lambda language: alert_messages(
            fired, lambda _destination, _guild: language
        ),
    }
    results = []
    for what, render in renders.items():
        for language in LANGUAGES:
            with speaking(language):
                p50, p99 = timed(functools.partial(render, language), args.repeat)
            results.append(Row(what, language, p50, p99))
    lines = [
        "# Languages",
        "",
        f"Run: `.venv/bin/python -m bench.bench_languages --repeat {args.repeat}`",
        f"Machine: {machine()}",
        "",
        "Catalogues compiled from .po at first use (once per process): "
        + ", ".join(f"{lang} {ms:.1f} ms" for lang, ms in cold.items()),
        "",
        "| render | language | p50 | p99 |",
        "|---|---|---:|---:|",
        *(
            f"| {r.what} | {r.language} | {r.p50_us:,.0f} µs | {r.p99_us:,.0f} µs |"
            for r in results
        ),
        "",
    ]
    publish("\n".join(lines), "languages.md")


if __name__ == "__main__":
    main()
