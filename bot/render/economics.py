"""/help topic:economics: how each valuation and mining figure is computed."""

from __future__ import annotations

from typing import Any, Final

from bot.network.hashprice import FORMULA, Hashprice, blocks_per_ph_day
from bot.render.hashprice import hashprice_value, marks
from bot.render.quote import NOT_ADVICE

COLOUR: Final = 0xF7931A
VALUATION: Final = (
    "**EV** (enterprise value) = market cap + total debt − cash, from the latest quarterly "
    "balance sheet (refreshed daily); a missing figure leaves EV unknown.\n"
    "**EV / contracted MW**: EV ÷ the MW of binding deals (leases, GPU-cloud services, JVs at "
    "the host's share), counted as the ledger's totals count them.\n"
    "**EV / energised MW**: EV ÷ the MW of those deals already energised.\n"
    "**Revenue / MW / yr**: Σ(lease value ÷ term) ÷ Σ lease MW, leases that disclose all three.\n"
    "**Contract value / EV**: contracted value ÷ EV.\n"
    "**Tenant concentration**: each tenant's share of the counted MW.\n"
    "Every figure names its inputs and their as-of dates; DEMO inputs make it DEMO."
)


def hashprice_text(hp: Hashprice | None) -> str:
    """Return the hashprice formula, worked through with the current figures when known."""
    lines = [
        f"{FORMULA}.",
        "One hash finds a block with probability 1 ÷ (difficulty × 2³²); a PH/s is 10¹⁵ "
        "hashes a second. The reward is the average subsidy plus fees of the latest blocks.",
    ]
    if hp is None:
        lines.append("Now: no recent network data, so the hashprice is unknown.")
        return "\n".join(lines)
    stats = hp.stats
    lines.append(
        f"Now: 10¹⁵ × 86,400 ÷ ({stats.difficulty:,.0f} × 2³²) = "
        f"{blocks_per_ph_day(stats.difficulty):.6g} blocks per PH/s per day × "
        f"{stats.reward_btc:.4f} BTC × ${hp.btc_usd:,.2f} = "
        f"**{hashprice_value(hp.usd_per_ph_day)}**{marks(hp)}"
    )
    return "\n".join(lines)


def economics_embed(hp: Hashprice | None) -> dict[str, Any]:
    """Return the economics help page."""
    return {
        "title": "Minerwatch · economics",
        "color": COLOUR,
        "fields": [
            {"name": "Valuation per megawatt", "value": VALUATION, "inline": False},
            {"name": "Hashprice", "value": hashprice_text(hp), "inline": False},
        ],
        "footer": {"text": NOT_ADVICE},
    }
