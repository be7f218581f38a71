"""How the hashprice reads: on /price BTC-USD, in the summary header and in alert posts."""

from __future__ import annotations

from typing import Final

from bot.format import DASH, number, price, timestamp
from bot.i18n import N_, _
from bot.network.hashprice import Hashprice

UNIT: Final = N_("/PH/s/day")
UNKNOWN: Final = N_("{dash} (no recent network data)")


def unknown() -> str:
    """Return how an unknown hashprice reads."""
    return _(UNKNOWN, dash=DASH)


def hashprice_value(value: float) -> str:
    """Format USD per PH/s per day to the cent: $38.56/PH/s/day, 38,56 $US/PH/s/jour."""
    return f"{price(value, digits=2)}{_(UNIT)}"


def marks(hp: Hashprice) -> str:
    """Return the DEMO and stale marks of a hashprice."""
    return "".join((" [DEMO]" if hp.demo else "", " " + _("[stale]") if hp.stale else ""))


def hashprice_short(hp: Hashprice | None) -> str:
    """Return the figure alone with its marks, or unknown."""
    return unknown() if hp is None else f"{hashprice_value(hp.usd_per_ph_day)}{marks(hp)}"


def hashprice_detail(hp: Hashprice | None) -> str:
    """Return the figure with every input and its time (the /price BTC-USD field)."""
    formula = _("formula: `/help economics`")
    if hp is None:
        return f"{unknown()} · {formula}"
    stats = hp.stats
    inputs = _(
        "difficulty {difficulty} T · reward {reward} BTC per block (subsidy + fees, last "
        "{blocks} blocks) · network data {fetched} · BTC {btc} as of {btc_as_of}",
        difficulty=number(stats.difficulty / 1e12, digits=2),
        reward=number(stats.reward_btc, digits=4),
        blocks=stats.blocks,
        fetched=timestamp(stats.fetched_at, "R"),
        btc=price(hp.btc_usd, digits=0),
        btc_as_of=timestamp(hp.btc_as_of, "f"),
    )
    return f"**{hashprice_value(hp.usd_per_ph_day)}**{marks(hp)}\n{inputs} · {formula}"
