"""How long reading a filing's text into deal proposals takes, by the size of the text.

Run: .venv/bin/python -m bench.bench_extract [--repeat 200]
Writes bench/results/extract.md.

The texts are built here: an announcement of two leases (two tenants, two sites, MW, terms,
values with qualifiers) inside an 8-K of growing length, the rest being ordinary filing
prose (risk language, a company profile, legal notes) that holds numbers, dates and
capitalised names but no deal. Each size is read ``repeat`` times after a warm-up; the
figures are wall time per text on one core. The proposals found are checked on every run,
so a faster reading that finds less would show.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

from bench.common import RESULTS, machine, percentile
from bot.filings.extract import extract_proposals

DEAL = """\
HOUSTON, Nov. 3, 2026 /PRNewswire/ -- Example Mining Inc. signed a 15-year lease with
CoreWeave for 200 MW of critical IT load at its North Ridge campus, with a total contract
value of approximately $5.2 billion. The second is a ten-year lease with Fluidstack for
120 MW of critical IT at the South Creek campus valued at more than $2 billion.

"""
FILLER = """\
The Company's operations depend on access to power at reasonable prices; in fiscal 2025
its sites consumed 1,250 GWh and its average cost was 3.9 cents per kWh. Results may differ
materially from the expectations expressed in this report because of, among other things,
the price of bitcoin, network difficulty, supply chain delays for transformers and Nasdaq
listing requirements described in Item 1A of the Annual Report filed on March 3, 2026.

"""
PROFILE = """\
About Example Mining
Example Mining operates 1.1 GW of sites in Texas and Ohio with a portfolio of 600 MW of
contracted HPC capacity and a $9 billion backlog.
"""
HOST_NAMES = ("Example Mining Inc.", "example mining")
SIZES = (1_000, 10_000, 100_000)


@dataclass(frozen=True)
class Row:
    label: str
    chars: int
    proposals: int
    p50_ms: float
    p99_ms: float
    max_ms: float


def build(size: int) -> str:
    """An 8-K of about ``size`` characters: the announcement first, filler, then the profile."""
    text = DEAL
    while len(text) + len(FILLER) + len(PROFILE) <= size:
        text += FILLER
    return text + PROFILE


def measure(text: str, repeat: int) -> tuple[int, list[float]]:
    found = extract_proposals(text, host="EXM", host_names=HOST_NAMES)
    tenants = [p.counterparty.value if p.counterparty else None for p in found]
    if tenants != ["CoreWeave", "Fluidstack"]:
        raise SystemExit(f"the reading changed: {tenants}")
    for _ in range(10):
        extract_proposals(text, host="EXM", host_names=HOST_NAMES)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        extract_proposals(text, host="EXM", host_names=HOST_NAMES)
        times.append((time.perf_counter() - started) * 1000)
    return len(found), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    rows = []
    for size in SIZES:
        text = build(size)
        count, times = measure(text, args.repeat)
        rows.append(
            Row(
                f"~{size // 1000} KB 8-K",
                len(text),
                count,
                percentile(times, 50),
                percentile(times, 99),
                max(times),
            )
        )
    lines = [
        "# Extraction: a filing's text to deal proposals",
        "",
        f"Command: `.venv/bin/python -m bench.bench_extract --repeat {args.repeat}`",
        f"Machine: {machine()}",
        "",
        "| text | characters | proposals | p50 | p99 | max |",
        "|---|---:|---:|---:|---:|---:|",
        *(
            f"| {r.label} | {r.chars:,} | {r.proposals} | {r.p50_ms:.2f} ms | "
            f"{r.p99_ms:.2f} ms | {r.max_ms:.2f} ms |"
            for r in rows
        ),
        "",
        "Each text gives the same two proposals (CoreWeave at North Ridge, Fluidstack at South",
        "Creek); the company profile's MW and backlog are cut, the filler's figures ignored.",
    ]
    report = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "extract.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
