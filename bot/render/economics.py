"""/help topic:economics: how each valuation and mining figure is computed."""

from __future__ import annotations

from typing import Any, Final

from bot.format import figure, number, price
from bot.i18n import N_, _
from bot.network.hashprice import FORMULA, Hashprice, blocks_per_ph_day
from bot.render.hashprice import hashprice_value, marks
from bot.render.quote import NOT_ADVICE

COLOUR: Final = 0xF7931A
VALUATION: Final = N_(
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
        f"{_(FORMULA)}.",
        _(
            "One hash finds a block with probability 1 ÷ (difficulty × 2³²); a PH/s is 10¹⁵ "
            "hashes a second. The reward is the average subsidy plus fees of the latest blocks."
        ),
    ]
    if hp is None:
        lines.append(_("Now: no recent network data, so the hashprice is unknown."))
        return "\n".join(lines)
    stats = hp.stats
    lines.append(
        _(
            "Now: 10¹⁵ × {seconds} ÷ ({difficulty} × 2³²) = {blocks} blocks per PH/s per day "
            "× {reward} BTC × {btc} = **{hashprice}**{marks}",
            seconds=number(86_400),
            difficulty=number(stats.difficulty),
            blocks=figure(float(f"{blocks_per_ph_day(stats.difficulty):.6g}")),
            reward=number(stats.reward_btc, digits=4),
            btc=price(hp.btc_usd, digits=2),
            hashprice=hashprice_value(hp.usd_per_ph_day),
            marks=marks(hp),
        )
    )
    return "\n".join(lines)


def economics_embed(hp: Hashprice | None) -> dict[str, Any]:
    """Return the economics help page."""
    return {
        "title": _("Minerwatch · economics"),
        "color": COLOUR,
        "fields": [
            {"name": _("Valuation per megawatt"), "value": _(VALUATION), "inline": False},
            {"name": _("Hashprice"), "value": hashprice_text(hp), "inline": False},
        ],
        "footer": {"text": _(NOT_ADVICE)},
    }
