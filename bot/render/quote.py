"""The /price card: a quote (and a tracked company's contracts) in, an embed dict out."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

from bot.format import (
    DASH,
    money,
    percent,
    price,
    price_change,
    price_range,
    ratio,
    timestamp,
    volume,
)
from bot.i18n import N_, _, ngettext
from bot.limits import EMBED_FIELD_VALUE
from bot.market.models import DataSource, MarketState, Quote
from bot.network.hashprice import Hashprice
from bot.render.exposure import Exposure, power_text, value_text
from bot.render.hashprice import hashprice_detail
from bot.render.pages import clip
from bot.text import neutralise

# Embed colours: green up, red down, grey flat or unknown (Discord's own palette).
UP: Final = 0x57F287
DOWN: Final = 0xED4245
FLAT: Final = 0x99AAB5
NAME_LIMIT: Final = 100  # keeps the title well inside Discord's 256 characters
NOT_ADVICE: Final = N_("Not investment advice")
DEMO_MARK: Final = "[DEMO]"
SOURCE_LINES: Final = {
    DataSource.YAHOO: N_("Yahoo Finance, may be delayed"),
    DataSource.REPLAY: N_("Replayed prices from a file, not live"),
    DataSource.DEMO: N_("DEMO: synthetic prices, not market data"),
}
STATE_LABELS: Final = {
    MarketState.PRE: N_("Pre-market"),
    MarketState.REGULAR: N_("Regular session"),
    MarketState.POST: N_("Post-market"),
    MarketState.CLOSED: N_("Closed"),
    MarketState.ALWAYS_OPEN: N_("24/7"),
}


@dataclass(frozen=True, slots=True)
class QuoteCard:
    """What the card shows: the quote, and for a tracked company its name and contracts."""

    quote: Quote
    name: str | None = None
    tracked: bool = False
    exposure: Exposure | None = None
    hosts: bool = True
    """Whether the company is (or may be) a host: a miner or neocloud, or one with hosted deals."""
    as_tenant: tuple[str, ...] = ()
    """Its commitments on the other side of deals (tenant, end customer, backstop), by kind."""
    stale: int = 0
    """Its counted deals whose status may be stale."""
    with_hashprice: bool = False
    """Whether the card shows the hashprice (bitcoin's card)."""
    hashprice: Hashprice | None = None


def colour_for(change: float | None) -> int:
    """Return green for a rise, red for a fall, grey when flat or unknown."""
    if change is None or not math.isfinite(change) or round(change, 6) == 0:
        return FLAT
    return UP if change > 0 else DOWN


def market_text(quote: Quote) -> str:
    """Return the market's state now, and where the last trade was made when that differs
    ("Closed · last trade post-market")."""
    text = state_label(quote.market_state)
    traded = quote.session
    if traded in (MarketState.PRE, MarketState.POST) and traded is not quote.market_state:
        text += _(" · last trade {session}", session=state_label(traded).lower())
    return text


def state_label(state: MarketState) -> str:
    """Return how a market state reads on the card."""
    return _(STATE_LABELS[state])


def source_line(source: DataSource) -> str:
    """Return the line that says where a price comes from."""
    return _(SOURCE_LINES[source])


def quote_embed(card: QuoteCard) -> dict[str, Any]:
    """Render the quote card as an embed dict (pure)."""
    quote = card.quote
    currency = quote.currency
    title = quote.symbol
    if card.name:
        title = f"{title} · {neutralise(card.name, limit=NAME_LIMIT)}"
    if quote.is_demo:
        title = f"{DEMO_MARK} {title}"
    change = price_change(quote.change, currency, level=quote.price)
    move = f"{change} ({percent(quote.change_pct, digits=2)})"
    lines = [
        _(
            "**{price}**  {move} vs previous close",
            price=price(quote.price, currency),
            move=move,
        )
    ]
    if quote.stale:
        lines.append(
            _(
                "⚠ Stale: last update {when}; the feed may be behind.",
                when=timestamp(quote.as_of, "R"),
            )
        )
    if quote.is_demo:
        lines.append(_("DEMO data: synthetic prices for trying the bot, not real quotes."))
    as_of = timestamp(quote.as_of, "f")
    if quote.delayed:
        as_of = _("{when} (delayed)", when=as_of)
    fields = [
        _field(_("Day range"), price_range(quote.day_low, quote.day_high, currency)),
        _field(_("Volume"), volume(quote.volume)),
        _field(_("Market cap"), money(quote.market_cap)),
        _field(
            _("52-week range"),
            price_range(quote.fifty_two_week_low, quote.fifty_two_week_high, currency),
        ),
        _field(_("Market"), market_text(quote)),
        _field(_("As of"), as_of),
    ]
    if card.tracked:
        fields.extend(_contract_fields(card, quote.market_cap))
    if card.with_hashprice:
        fields.append(_field(_("Hashprice"), hashprice_detail(card.hashprice), inline=False))
    footer = f"{source_line(quote.source)} · {_(NOT_ADVICE)}"
    if quote.is_demo:
        footer = f"{DEMO_MARK} {footer}"
    return {
        "title": title,
        "description": "\n".join(lines),
        "color": colour_for(quote.change),
        "fields": fields,
        "footer": {"text": footer},
        "timestamp": quote.as_of.isoformat(),
    }


def _field(name: str, value: str, *, inline: bool = True) -> dict[str, Any]:
    return {"name": name, "value": value or DASH, "inline": inline}


def _contract_fields(card: QuoteCard, market_cap: float | None) -> list[dict[str, Any]]:
    """Return the hosting fields (a host), the commitments as tenant, or nothing at all."""
    exposure = card.exposure
    tenant = (
        [
            _field(
                _("Commitments as tenant"),
                clip("\n".join(card.as_tenant), EMBED_FIELD_VALUE),
                inline=False,
            )
        ]
        if card.as_tenant
        else []
    )
    if exposure is None or exposure.contracts == 0:
        if tenant or not card.hosts:
            return tenant  # a tenant, or a company that hosts nothing: no word about hosting
        return [
            _field(
                _("Contracted AI power"),
                _("No hosting contracts in this server's ledger."),
                inline=False,
            )
        ]
    return [*_hosting_fields(exposure, market_cap, card.stale), *tenant]


def _hosting_fields(
    exposure: Exposure, market_cap: float | None, stale: int = 0
) -> list[dict[str, Any]]:
    """Return the contracted-power and value fields, with the oldest status date they use."""
    count = ngettext("{n} contract", "{n} contracts", exposure.contracts)
    oldest = (
        _("statuses as of {day} (oldest)", day=exposure.as_of)
        if exposure.as_of
        else _("date unknown")
    )
    notes = [count, oldest]
    if exposure.partial_share:
        notes.append(_("JVs at the host's share"))
    if exposure.uses_gross:
        notes.append(_("gross MW where critical IT is undisclosed"))
    if exposure.mw_unknown:
        notes.append(_("{n} without MW", n=exposure.mw_unknown))
    if stale:
        notes.append(_("⚠ {n} with a status that may be stale", n=stale))
    value = value_text(exposure)
    if exposure.value_unknown:
        value += " " + ngettext("({n} undisclosed)", "({n} undisclosed)", exposure.value_unknown)
    cover = None
    if exposure.value_usd is not None and market_cap is not None and market_cap > 0:
        cover = exposure.value_usd / market_cap
    return [
        _field(_("Contracted AI power"), f"{power_text(exposure)}\n{' · '.join(notes)}"),
        _field(_("Contract value"), value),
        _field(
            _("Value / market cap"),
            f"> {ratio(cover)}" if exposure.value_floor and cover is not None else ratio(cover),
        ),
    ]
