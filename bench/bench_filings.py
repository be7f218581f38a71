"""The filings watcher: detection latency, and what conditional requests save.

Run: .venv/bin/python -m bench.bench_filings [--filings 100] [--companies 25] [--interval 10]
Writes bench/results/filings.md (``--out -`` to only print).

1. Latency: the real bot (sandbox session: local Discord, local EDGAR) watches ``--companies``
   companies, polling every ``--interval`` seconds; ``--filings`` 8-Ks appear on the local
   EDGAR at random moments (``--gaps`` seconds apart on average, one run per value), and
   each is timed from its publication to the moment the local Discord creates the post that
   carries it.
2. Bandwidth: the same companies, each listing ``--history`` filings, polled with nothing
   new: the watcher's conditional requests (ETag → 304) against the naive way (the full
   submissions JSON every poll), both measured on the local EDGAR.

The bot runs on a clock shifted to a Wednesday 11:00 in New York, so the business-hours
interval applies whatever day the benchmark runs on (outside business hours the watcher
polls every 10 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import re
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import yaml

from bench.common import RESULTS, machine, percentile, rss_mb, write_below_marker
from bot.filings.client import EdgarClient, RateLimiter
from bot.filings.model import Level
from bot.filings.urls import submissions_url
from bot.ledger.records import load_ledger
from bot.paths import LEDGER_PATH
from bot.sandbox.session import SandboxSession
from bot.settings import load_settings
from bot.store import Store
from discord_emulator import Message
from edgar_emulator import LEASE_8K, EdgarEmulator

MARKER: Final = "<!-- Everything below is written by bench/bench_filings.py. -->"
CONTACT: Final = "Minerwatch Benchmark bench@example.com"
# Invented CIKs for the local EDGAR only (real ones are nine digits or fewer too, but these
# belong to no one the benchmark could reach: it talks to 127.0.0.1).
FAKE_CIK_BASE: Final = 990_000_000
ACCESSION: Final = re.compile(r"^(\d{10}-\d{2}-\d{6})")
BUSINESS_HOURS: Final = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # Wednesday 11:00 New York
# Response headers are not in the bodies measured; both columns add this much per response.
HEADER_BYTES: Final = 400
FORMS: Final = ("8-K", "4", "4", "10-Q", "S-8", "8-K", "SC 13G", "424B5", "4", "10-K")


class BusinessHoursClock:
    """Real time, shifted so that the run starts on a Wednesday at 11:00 in New York."""

    def __init__(self) -> None:
        self._offset = BUSINESS_HOURS - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


def bench_ledger(folder: Path, companies: int) -> tuple[Path, list[tuple[str, int]]]:
    """Write the shipped ledger with invented CIKs on ``companies`` listed companies."""
    data: dict[str, Any] = yaml.safe_load(LEDGER_PATH.read_text(encoding="utf-8"))
    data["as_of"] = "2099-01-01"  # newer than the shipped one: the bot keeps this copy
    chosen = []
    for company in data["companies"]:
        company.pop("cik", None)  # only the chosen companies are on the local EDGAR
        if len(chosen) < companies and company.get("listed", True) and company.get("exchange"):
            cik = FAKE_CIK_BASE + len(chosen)
            company["cik"] = str(cik)
            chosen.append((company["symbol"], cik))
    path = folder / "ledger.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path, chosen


def populate(edgar: EdgarEmulator, companies: list[tuple[str, int]], history: int) -> None:
    """Give each company ``history`` past filings (a mix of forms, as EDGAR lists them)."""
    past = datetime(2024, 1, 2, 14, 0, tzinfo=UTC)
    for symbol, cik in companies:
        edgar.add_company(cik, f"{symbol} Holdings Inc.", [symbol])
        for n in range(history):
            edgar.add_filing(
                cik, FORMS[n % len(FORMS)], accepted=past + timedelta(days=n), description="past"
            )


async def latency(
    filings: int, companies: int, interval: float, history: int, gap: float
) -> dict[str, Any]:
    """Publish filings at random moments; time each to its post in the watched channel."""
    folder = Path(tempfile.mkdtemp(prefix="bench-filings-"))
    ledger_path, chosen = bench_ledger(folder, companies)
    async with EdgarEmulator() as edgar:
        populate(edgar, chosen, history)
        settings = load_settings(
            None,
            db_path=folder / "b.sqlite3",
            cache_dir=folder / "cache",
            price_source="demo",
            poll_seconds=3600,
            sec_contact=CONTACT,
            sec_data_url=edgar.base_url,
            sec_archives_url=edgar.base_url,
            sec_poll_seconds=interval,
        )
        store = await Store.open(settings.db_path)
        await store.ledger.apply_seed(load_ledger(ledger_path), now=datetime.now(UTC))
        await store.close()
        session = await SandboxSession.start(settings, clock=BusinessHoursClock())
        emu, bot = session.emu, session.bot
        try:
            channel = session.world.alerts
            await bot.services.filings.watch(session.world.guild.id, channel.id, Level.ROUTINE)
            # Let the first poll (the baselines) finish before anything is published.
            for _ in range(600):
                if bot.services.filings.watcher.stats.last_success_at is not None:
                    break
                await asyncio.sleep(0.1)
            seen_at: dict[str, float] = {}

            def record(event: str, message: Message) -> None:
                if event != "MESSAGE_CREATE" or message.channel_id != channel.id:
                    return
                for embed in message.embeds:
                    found = ACCESSION.match(embed.get("footer", {}).get("text", ""))
                    if found:
                        seen_at.setdefault(found.group(1), time.monotonic())

            emu.messenger.listeners.append(record)
            rng = random.Random(16)  # publication times only
            published: dict[str, float] = {}
            for _ in range(filings):
                await asyncio.sleep(rng.uniform(0.0, 2 * gap))
                _, cik = rng.choice(chosen)
                accession = edgar.add_filing(cik, "8-K", items="1.01,9.01", text=LEASE_8K)
                published[accession] = time.monotonic()
            # Every post arrives within a few intervals; give up after that.
            for _ in range(int((3 * interval + 30) * 10)):
                if not set(published) - set(seen_at):
                    break
                await asyncio.sleep(0.1)
            delays = [seen_at[a] - t for a, t in published.items() if a in seen_at]
            messages = len(emu.posts(channel.id))
            return {
                "gap": gap,
                "published": len(published),
                "posted": len(delays),
                "messages": messages,
                "p50": percentile(delays, 50),
                "p95": percentile(delays, 95),
                "max": max(delays),
                "problems": edgar.problems(),
                "requests": len(edgar.seen),
                "memory": rss_mb(),
            }
        finally:
            await session.stop()


async def bandwidth(companies: int, history: int, polls: int) -> dict[str, Any]:
    """Poll companies with nothing new: conditional requests against full JSON every time."""
    chosen = [(f"C{n:02d}", FAKE_CIK_BASE + n) for n in range(companies)]
    async with EdgarEmulator() as edgar:
        populate(edgar, chosen, history)
        client = EdgarClient(
            contact=CONTACT,
            data_url=edgar.base_url,
            archives_url=edgar.base_url,
            limiter=RateLimiter(),
            clock=BusinessHoursClock(),
        )
        try:
            validators: dict[int, tuple[str | None, str | None]] = {}
            for _, cik in chosen:  # the baseline read, the same for both ways
                fetched = await client.submissions(
                    submissions_url(edgar.base_url, str(cik)), etag=None, last_modified=None
                )
                validators[cik] = (fetched.etag, fetched.last_modified)
            start = len(edgar.seen)
            for _ in range(polls):
                for _, cik in chosen:
                    etag, modified = validators[cik]
                    await client.submissions(
                        submissions_url(edgar.base_url, str(cik)), etag=etag, last_modified=modified
                    )
            conditional = edgar.seen[start:]
            start = len(edgar.seen)
            for _ in range(polls):
                for _, cik in chosen:
                    await client.submissions(
                        submissions_url(edgar.base_url, str(cik)), etag=None, last_modified=None
                    )
            naive = edgar.seen[start:]
        finally:
            await client.aclose()
    return {
        "conditional": conditional,
        "naive": naive,
        "problems": edgar.problems(),
    }


def wire(requests: list[Any]) -> int:
    return sum(s.size + HEADER_BYTES for s in requests)


async def main(
    filings: int, companies: int, interval: float, history: int, polls: int, gaps: list[float]
) -> str:
    logging.basicConfig(level=logging.ERROR)
    runs = [await latency(filings, companies, interval, history, gap) for gap in gaps]
    band = await bandwidth(companies, history, polls)
    cond, naive = band["conditional"], band["naive"]
    per_poll_cond = wire(cond) / polls
    per_poll_naive = wire(naive) / polls
    busy_polls = 16 * 3600 / 60  # the default 60 s interval over a 16-hour business day
    quiet_polls = 8 * 6  # and every 10 minutes for the other 8 hours
    day_polls = busy_polls + quiet_polls
    statuses = sorted({s.status for s in cond})
    target = interval + 5
    lines = [
        "## Run",
        "",
        f"Command: `.venv/bin/python -m bench.bench_filings --filings {filings} "
        f"--companies {companies} --interval {interval:g} --history {history} --polls {polls} "
        f"--gaps {','.join(f'{g:g}' for g in gaps)}`",
        "",
        f"Machine: {machine()}",
        "",
        f"Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        "### Detection latency",
        "",
        f"{filings} 8-Ks (item 1.01, each read: folder listing, primary document, exhibit 99) "
        f"published at random across {companies} companies (each listing {history} past "
        f"filings); poll interval {interval:g} s; one request every 0.2 s at most (the "
        "process-wide limiter); the real bot, the local EDGAR and the local Discord in one "
        "process.",
        "",
        "| one filing every (mean) | posted | messages | p50 | p95 | max | target p95 "
        "| EDGAR requests | rule breaches |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {lat['gap']:g} s | {lat['posted']} / {lat['published']} | {lat['messages']} "
            f"| {lat['p50']:.2f} s | **{lat['p95']:.2f} s** | {lat['max']:.2f} s "
            f"| < {target:g} s | {lat['requests']} | {len(lat['problems'])} |"
            for lat in runs
        ),
        "",
        "- Rule breaches: requests the local EDGAR saw without a name-and-e-mail User-Agent or "
        "above 10 in one second.",
        f"- Resident memory after the runs: {runs[-1]['memory']:.0f} MiB.",
        "",
        "### Steady state with nothing new",
        "",
        f"{companies} companies, each listing {history} filings, {polls} polls of every company "
        "after the first read.",
        "",
        "| way | requests per poll | bytes per poll | answers | per business day |",
        "|---|---:|---:|---|---:|",
        f"| conditional (ETag → 304), the watcher | {len(cond) // polls} "
        f"| {per_poll_cond:,.0f} | {statuses} "
        f"| {per_poll_cond * day_polls / 1e6:,.1f} MB |",
        f"| full JSON every poll, the naive way | {len(naive) // polls} "
        f"| {per_poll_naive:,.0f} | [200] "
        f"| {per_poll_naive * day_polls / 1e6:,.1f} MB |",
        "",
        f"- **{per_poll_naive / per_poll_cond:,.0f}× less** bandwidth with conditional "
        "requests (target ≥ 10×). Bytes are the bodies the local EDGAR sent plus "
        f"{HEADER_BYTES} bytes of headers per response in both columns.",
        f"- Requests per hour at the default 60 s interval: {companies * 60} in business "
        f"hours, {companies * 6} outside them — the same count both ways; what a 304 saves is "
        "the body.",
        f"- A business day: {busy_polls:.0f} polls at 60 s over 16 hours plus "
        f"{quiet_polls} at 10 min.",
        f"- Rule breaches seen by the local EDGAR: {len(band['problems'])}.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--filings", type=int, default=100)
    parser.add_argument("--companies", type=int, default=25)
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--history", type=int, default=300)
    parser.add_argument("--polls", type=int, default=5)
    parser.add_argument(
        "--gaps",
        default="2,1",
        help="mean seconds between publications, one latency run each (comma-separated)",
    )
    parser.add_argument("--out", default=str(RESULTS / "filings.md"), help="'-' to only print")
    args = parser.parse_args()
    report = asyncio.run(
        main(
            args.filings,
            args.companies,
            args.interval,
            args.history,
            args.polls,
            [float(g) for g in args.gaps.split(",")],
        )
    )
    print(report)
    if args.out != "-":
        write_below_marker(Path(args.out), MARKER, report, "Filings")
