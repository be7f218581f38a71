"""Write the replayed prices the tour runs on (`make tour`); every reply labels them as replayed.

Seven weeks of made-up daily closes ending yesterday, so the board and the charts have history,
then the latest prices at the start, then one move: 12 seconds after the bot starts, CIFR
rises from $15.50 to $16.40, past the level of the alert the tour sets. The numbers are
illustrative, not market data.

Usage: python examples/tour_prices.py OUT.csv
"""

from __future__ import annotations

import math
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

LATEST = {
    "BTC-USD": 91000.0,
    "NVDA": 180.0,
    "CIFR": 15.50,
    "WULF": 11.20,
    "IREN": 42.00,
    "CORZ": 17.80,
    "APLD": 25.10,
    "GLXY": 24.90,
    "HUT": 33.00,
    "RIOT": 12.30,
    "MARA": 16.50,
    "CLSK": 18.30,
}
CROSSING = ("+12", "CIFR", 16.40)  # after the tour's `/alert add CIFR above 16`
DAYS = 50


def rows(today: datetime) -> list[str]:
    """Return the CSV lines: history, the start, the crossing."""
    lines = ["timestamp,symbol,price,prev_close,volume"]
    for back in range(DAYS, 0, -1):
        day = (today - timedelta(days=back)).replace(hour=20, minute=0, second=0, microsecond=0)
        if day.weekday() >= 5:
            continue
        for n, (symbol, latest) in enumerate(LATEST.items()):
            # A gentle wave per symbol, ending near the latest price: enough to draw a chart.
            price = latest * (1 + 0.06 * math.sin(back / 4 + n) - 0.002 * back)
            lines.append(f"{day.isoformat()},{symbol},{price:.2f},,1000000")
    for symbol, latest in LATEST.items():
        lines.append(f"+0,{symbol},{latest:.2f},,1000000")
    when, symbol, price = CROSSING
    lines.append(f"{when},{symbol},{price:.2f},,1200000")
    return lines


def main(argv: list[str]) -> int:
    """Write the file named on the command line."""
    if len(argv) != 1:
        print("usage: python examples/tour_prices.py OUT.csv", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(rows(datetime.now(UTC))) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
