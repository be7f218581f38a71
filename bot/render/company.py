"""A tracked company's profile: identity, sites, power, mining, contracts and latest price."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Final

from bot.format import DASH, number, percent, price, timestamp
from bot.i18n import N_, _, ngettext
from bot.ledger.counting import STALE_MARK, stale_reason
from bot.ledger.model import Company, Contract, Site
from bot.ledger.valuation import Valuation
from bot.market.models import Quote
from bot.render.commitments import commitment_lines, role_heading
from bot.render.contracts import (
    LEDGER_COLOUR,
    confidence_word,
    exposure_notes,
    safe,
    sources_fields,
)
from bot.render.exposure import Exposure, exposures, power_text, uncounted_note, value_text
from bot.render.pages import Field, PageFrame, chunk_lines, paginate
from bot.render.valuation import valuation_fields

NOTE_LIMIT: Final = 160  # a site's note in the profile; the whole note is in the ledger file
POWER_NOTE_LIMIT: Final = 400
KIND_LABELS: Final = {
    "miner": N_("bitcoin miner"),
    "neocloud": N_("AI cloud (neocloud)"),
    "hyperscaler": N_("hyperscaler"),
    "chipmaker": N_("chipmaker"),
    "crypto": N_("crypto asset"),
    "other": N_("other"),
}
PRIVATE_NOTE: Final = N_("private company: no share price")


def company_pages(
    company: Company,
    contracts: Sequence[Contract],
    quote: Quote | None,
    today: date | None = None,
    valuation: Valuation | None = None,
) -> list[dict[str, Any]]:
    """Return the profile as pages (one, unless the sites and sources run long).

    ``contracts`` are those the server sees: the company's own (as host) and those where it
    is the tenant, end customer or backstop. ``valuation``: a listed host's figures per MW.
    """
    frame = PageFrame(
        title=f"{company.symbol} · {safe(company.name, 150)}",
        colour=LEDGER_COLOUR,
        description="\n".join(identity_lines(company, contracts, quote, today)),
        continued=_("{symbol}, continued.", symbol=company.symbol),
        footer=_("Profile from the Minerwatch ledger · not investment advice"),
    )
    fields = [
        *(valuation_fields(valuation) if valuation is not None else []),
        *site_fields(company.sites),
        *sources_fields(company.sources),
    ]
    return paginate(frame, fields)


def identity_lines(
    company: Company,
    contracts: Sequence[Contract],
    quote: Quote | None,
    today: date | None = None,
) -> list[str]:
    """Return the profile's short facts, one per line."""
    name = safe(company.name, 150)
    if company.former_name:
        name += " " + _("(formerly {name})", name=safe(company.former_name, 100))
    known = KIND_LABELS.get(company.kind)
    kind = _(known) if known is not None else safe(company.kind, 20)
    exchange = safe(company.exchange, 40) if company.listed else _(PRIVATE_NOTE)
    hosted = [c for c in contracts if c.host_symbol == company.symbol]
    other_side = commitment_lines(contracts, company.symbol)
    deals = []
    if hosted or not other_side:
        deals.append(_("**AI contracts** {summary}", summary=contracts_summary(hosted)))
    deals += [f"**{role_heading(line.role)}** {line.text}" for line in other_side]
    if other_side:
        deals.append(_("Every deal: `/deals list company:{symbol}`", symbol=company.symbol))
    if today is not None:
        stale = sum(1 for c in contracts if stale_reason(c, today) is not None)
        if stale:
            deals.append(
                _(
                    "⚠ {n} of these deal(s): {mark} (expected delivery passed, or status older "
                    "than 180 days)",
                    n=stale,
                    mark=_(STALE_MARK),
                )
            )
    lines = [
        _("**Name** {name}", name=name),
        _(
            "**Exchange** {exchange} · **kind** {kind} · **HQ** {hq}",
            exchange=exchange,
            kind=kind,
            hq=safe(company.hq, 80),
        ),
        _("**Still mines bitcoin** {answer}", answer=mining_text(company)),
        _("**Power portfolio** {power}", power=power_portfolio(company)),
        *deals,
    ]
    if company.listed:
        lines.append(_("**Latest price** {price}", price=price_text(quote)))
    return [
        *lines,
        _(
            "**Profile as of** {day} · **confidence** {confidence}",
            day=safe(company.as_of, 20),
            confidence=confidence_word(company.confidence),
        ),
    ]


def mining_text(company: Company) -> str:
    """Return yes / no / unknown, with its as-of date."""
    if company.still_mines_btc is None:
        return DASH
    answer = _("yes") if company.still_mines_btc else _("no")
    as_of = company.still_mines_btc_as_of
    return _("{answer} (as of {day})", answer=answer, day=safe(as_of, 20)) if as_of else answer


def power_portfolio(company: Company) -> str:
    """Return total power with what it measures, its as-of date and note."""
    if company.power_mw is None:
        figure = _("{dash} (no total disclosed)", dash=DASH)
    else:
        figure = f"{'~' if company.power_approx else ''}{mw_figure(company.power_mw)}"
        if company.power_basis:
            # The basis is free text, often with its own parentheses: set it off by a comma.
            figure += f", {safe(company.power_basis, 80)}"
    if company.power_as_of:
        figure += ", " + _("as of {day}", day=safe(company.power_as_of, 20))
    if company.power_note:
        figure += f". {safe(company.power_note, POWER_NOTE_LIMIT)}"
    return figure


def contracts_summary(contracts: Sequence[Contract]) -> str:
    """Return the count, contracted MW and value of the live contracts (terminated apart)."""
    live = [c for c in contracts if c.deleted_at is None]
    if not live:
        return _("{dash} (none in the ledger)", dash=DASH)
    host = live[0].host_symbol
    exposure = exposures(live).get(host, Exposure(host))
    ended = uncounted_note(live)
    if not exposure.contracts:
        return f"{_('no deal counted')} · {ended} · {list_command(host)}"
    deals = ngettext("{n} deal", "{n} deals", exposure.contracts)
    text = f"{deals} · {power_text(exposure)} · {value_text(exposure)}"
    if exposure.value_unknown:
        text += " " + ngettext("(+{n} undisclosed)", "(+{n} undisclosed)", exposure.value_unknown)
    text += "".join(f" · {note}" for note in exposure_notes(exposure))
    if ended:
        text += f" · {ended}"
    return f"{text} · {list_command(host)}"


def list_command(symbol: str) -> str:
    """Return the command that lists a company's deals, to copy: `/deals list company:CIFR`."""
    return "`/deals list company:" + symbol + "`"


def price_text(quote: Quote | None) -> str:
    """Return the cached price with its move and as-of time, DEMO and stale marked."""
    if quote is None:
        return _("{dash} (no price cached yet)", dash=DASH)
    marks = "".join((" [DEMO]" if quote.is_demo else "", " " + _("[stale]") if quote.stale else ""))
    return _(
        "{price} {move} · as of {when}{marks}",
        price=price(quote.price, quote.currency),
        move=percent(quote.change_pct),
        when=timestamp(quote.as_of),
        marks=marks,
    )


def mw_figure(value: float) -> str:
    """Return MW without a basis label (the basis is free text next to it)."""
    digits = 0 if float(f"{value:.1f}").is_integer() else 1
    return f"{number(value, digits=digits)} MW"


def site_line(site: Site) -> str:
    """Return one site: name, place, MW with basis, as-of and a short note."""
    place = f" ({safe(site.location, 80)})" if site.location else ""
    power = DASH if site.power_mw is None else mw_figure(site.power_mw)
    if site.power_mw is not None and site.mw_basis:
        power += f", {safe(site.mw_basis, 60)}"
    line = f"**{safe(site.name, 100)}**{place}: {power}"
    if site.as_of:
        line += " · " + _("as of {day}", day=safe(site.as_of, 20))
    if site.note:
        line += f" · {safe(site.note, NOTE_LIMIT)}"
    return line


def site_fields(sites: Sequence[Site]) -> list[Field]:
    """Return the sites in as many fields as they need."""
    lines = [site_line(site) for site in sites] or [_("{dash} (none recorded)", dash=DASH)]
    return [
        Field(_("Sites") if i == 0 else _("Sites (continued)"), b)
        for i, b in enumerate(chunk_lines(lines))
    ]
