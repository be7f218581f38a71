"""How the hashprice reads: on /price BTC-USD, in the summary header and in alert posts."""

from __future__ import annotations

from typing import Final

from bot.format import DASH, timestamp
from bot.network.hashprice import Hashprice

UNIT: Final = "/PH/s/day"
UNKNOWN: Final = f"{DASH} (no recent network data)"


def hashprice_value(value: float) -> str:
    """Format USD per PH/s per day to the cent: $38.56/PH/s/day."""
    return f"${value:,.2f}{UNIT}"


def marks(hp: Hashprice) -> str:
    """Return the DEMO and stale marks of a hashprice."""
    return "".join((" [DEMO]" if hp.demo else "", " [stale]" if hp.stale else ""))


def hashprice_short(hp: Hashprice | None) -> str:
    """Return the figure alone with its marks, or unknown."""
    return UNKNOWN if hp is None else f"{hashprice_value(hp.usd_per_ph_day)}{marks(hp)}"


def hashprice_detail(hp: Hashprice | None) -> str:
    """Return the figure with every input and its time (the /price BTC-USD field)."""
    if hp is None:
        return f"{UNKNOWN} · formula: `/help economics`"
    stats = hp.stats
    return (
        f"**{hashprice_value(hp.usd_per_ph_day)}**{marks(hp)}\n"
        f"difficulty {stats.difficulty / 1e12:,.2f} T · reward {stats.reward_btc:.4f} BTC per "
        f"block (subsidy + fees, last {stats.blocks} blocks) · network data "
        f"{timestamp(stats.fetched_at, 'R')} · BTC ${hp.btc_usd:,.0f} as of "
        f"{timestamp(hp.btc_as_of, 'f')} · formula: `/help economics`"
    )
