"""Valuation per megawatt: the /company section, the /board valuation view and its footnotes.

Every figure is followed by a footnote mark; the footnote names the formula and each input
with its as-of date. An unknown figure says which input is missing; a DEMO input marks the
figure DEMO.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Final

from bot.format import DASH, megawatts, money, ratio
from bot.i18n import N_, _
from bot.ledger.valuation import Figure, TenantShare, Valuation
from bot.limits import EMBED_DESCRIPTION
from bot.render.contracts import safe
from bot.render.pages import Field, chunk_lines, clip
from bot.render.quote import DEMO_MARK, NOT_ADVICE

BOARD_COLOUR: Final = 0xF7931A  # the board's colour
# The figures in the order shown, with their label and formula.
FORMULAS: Final = {
    "ev": (N_("EV"), N_("market cap + total debt − cash")),
    "ev_mw": (N_("EV / contracted MW"), N_("EV ÷ contracted MW")),
    "ev_emw": (N_("EV / energised MW"), N_("EV ÷ energised MW")),
    "rev_mw": (N_("Revenue / MW / yr"), N_("Σ(lease value ÷ term) ÷ Σ lease MW, leases only")),
    "value_ev": (N_("Contract value / EV"), N_("contracted value ÷ EV")),
}
# The valuation's inputs by the names bot.ledger.valuation gives them, as members read them.
INPUT_NAMES: Final = {
    "market cap": N_("market cap"),
    "total debt": N_("total debt"),
    "cash": N_("cash"),
    "contracted MW": N_("contracted MW"),
    "energised MW": N_("energised MW"),
    "contract value": N_("contract value"),
    "lease value, term and MW": N_("lease value, term and MW"),
    "a non-zero divisor": N_("a non-zero divisor"),
}


def input_name(name: str) -> str:
    """Return an input's name in the current language (an unknown one as it is)."""
    known = INPUT_NAMES.get(name)
    return _(known) if known is not None else name


TENANTS_SHOWN: Final = 3
HEADERS: Final = (
    N_("SYM"),
    N_("EV"),
    N_("EV/MW"),
    N_("EV/eMW"),
    N_("REV/MW/YR"),
    N_("V/EV"),
    N_("TOP TENANT"),
)
TENANT_WIDTH: Final = 22


def per_mw(value: float | None) -> str:
    """Format dollars per MW: $4.2M/MW; unknown as a dash."""
    return DASH if value is None or not math.isfinite(value) else f"{money(value)}/MW"


def per_mw_year(value: float | None) -> str:
    """Format dollars per MW per year: $1.4M/MW/yr; unknown as a dash."""
    if value is None or not math.isfinite(value):
        return DASH
    return _("{amount}/MW/yr", amount=money(value))


def input_text(fig: Figure) -> str:
    """Return the inputs of ``fig``, each with its as-of date: 'market cap (2026-11-25), …'."""
    parts = []
    for item in fig.inputs:
        dated = _("as of {day}", day=item.as_of) if item.as_of else _("date unknown")
        parts.append(f"{input_name(item.name)} ({dated}{', DEMO' if item.demo else ''})")
    return ", ".join(parts)


def figure_text(fig: Figure, fmt: Callable[[float | None], str], mark: int) -> str:
    """Return a figure with its footnote mark, 'unknown' with what is missing, DEMO marked."""
    if fig.value is None:
        missing = ", ".join(input_name(name) for name in fig.missing) or _("an input")
        text = _("unknown (no {missing})", missing=missing)
    else:
        text = fmt(fig.value)
    demo = f" {DEMO_MARK}" if fig.demo else ""
    return f"{text}{demo} [{mark}]"


def footnote(mark: int, key: str, fig: Figure) -> str:
    """Return one footnote: the formula and every input with its as-of date."""
    label, formula = FORMULAS[key]
    return _(
        "[{mark}] {label} = {formula}; inputs: {inputs}",
        mark=mark,
        label=_(label),
        formula=_(formula),
        inputs=input_text(fig),
    )


def tenant_text(tenants: Sequence[TenantShare], limit: int = TENANTS_SHOWN) -> str:
    """Return the largest tenants' shares of counted MW: '74 % Fluidstack, 26 % AWS'."""
    if not tenants:
        return DASH
    # Tenant names are stored text (members may add deals): shown inertly.
    shown = [f"{round(t.fraction * 100):.0f} % {safe(t.tenant, 40)}" for t in tenants[:limit]]
    if len(tenants) > limit:
        shown.append(_("{n} more", n=len(tenants) - limit))
    return ", ".join(shown)


def _figures(v: Valuation) -> list[tuple[str, Figure, Callable[[float | None], str]]]:
    return [
        ("ev", v.enterprise_value, money),
        ("ev_mw", v.ev_per_contracted_mw, per_mw),
        ("ev_emw", v.ev_per_energised_mw, per_mw),
        ("rev_mw", v.revenue_per_mw_year, per_mw_year),
        ("value_ev", v.value_to_ev, ratio),
    ]


def valuation_lines(v: Valuation) -> list[str]:
    """Return the /company valuation section: one line per figure, then the footnotes."""
    lines = []
    notes = []
    for mark, (key, fig, fmt) in enumerate(_figures(v), start=1):
        lines.append(f"**{_(FORMULAS[key][0])}** {figure_text(fig, fmt, mark)}")
        notes.append(footnote(mark, key, fig))
    mw = v.contracted_mw.value
    basis = _("of {power} counted", power=megawatts(mw)) if mw is not None else _("no counted MW")
    lines.append(
        _(
            "**Tenant concentration** {tenants} ({basis})",
            tenants=tenant_text(v.tenants),
            basis=basis,
        )
    )
    return [*lines, *notes]


def valuation_fields(v: Valuation) -> list[Field]:
    """Return the /company valuation section as fields (footnotes in their own)."""
    lines = valuation_lines(v)
    marks = len(_figures(v))
    figures, notes = lines[: marks + 1], lines[marks + 1 :]
    fields = [Field(_("Valuation"), "\n".join(figures))]
    fields += [
        Field(_("Valuation inputs") if i == 0 else _("Valuation inputs (continued)"), block)
        for i, block in enumerate(chunk_lines(notes))
    ]
    return fields


def _cells(v: Valuation) -> tuple[str, ...]:
    top = v.tenants[0] if v.tenants else None
    tenant = f"{round(top.fraction * 100):.0f}% {safe(top.tenant)}" if top is not None else DASH
    return (
        v.symbol + ("ᴰ" if _is_demo(v) else ""),
        money(v.enterprise_value.value),
        money(v.ev_per_contracted_mw.value),
        money(v.ev_per_energised_mw.value),
        money(v.revenue_per_mw_year.value),
        ratio(v.value_to_ev.value),
        clip(tenant, TENANT_WIDTH),
    )


def _is_demo(v: Valuation) -> bool:
    return any(fig.demo for _, fig, _ in _figures(v))


def board_sort_key(v: Valuation) -> tuple[bool, float, str]:
    """Order the valuation board by EV per contracted MW, lowest first, unknowns last."""
    value = v.ev_per_contracted_mw.value
    known = value is not None and math.isfinite(value)
    return (not known, value if known and value is not None else 0.0, v.symbol)


def _dates(valuations: Sequence[Valuation], name: str) -> str:
    dates = sorted(
        {
            item.as_of
            for v in valuations
            for _, fig, _ in _figures(v)
            for item in fig.inputs
            if item.name == name and item.as_of
        }
    )
    if not dates:
        return _("none held")
    if len(dates) == 1:
        return dates[0]
    return _("{first} to {last}", first=dates[0], last=dates[-1])


def valuation_board_pages(valuations: Sequence[Valuation], *, demo: bool) -> list[dict[str, Any]]:
    """Return the /board valuation view: one table, cheapest megawatts first, and its inputs."""
    title = _("Miners board · valuation per MW")
    if demo or any(_is_demo(v) for v in valuations):
        title = f"{DEMO_MARK} {title}"
    rows = sorted(valuations, key=board_sort_key)
    cells = [tuple(_(h) for h in HEADERS), *(_cells(v) for v in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
    table = [
        " ".join(
            cell.ljust(w) if i in (0, len(HEADERS) - 1) else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(c, widths, strict=True))
        ).rstrip()
        for c in cells
    ]
    legend = [
        _(
            "EV = market cap + total debt − cash (latest balance sheet) · EV/MW: EV ÷ "
            "contracted MW (binding deals at the host's share) · EV/eMW: EV ÷ energised MW · "
            "REV/MW/YR: Σ(lease value ÷ term) ÷ Σ lease MW, leases only · V/EV: contracted "
            "value ÷ EV · TOP TENANT: its share of counted MW"
        ),
        _(
            "Inputs: market caps as of {caps}; total debt and cash from balance sheets as of "
            "{sheets}; contracts: statuses as of {ledger} at the oldest. A missing input "
            "leaves the figure unknown ({dash}); `/company` footnotes each figure.",
            caps=_dates(valuations, "market cap"),
            sheets=_dates(valuations, "total debt"),
            ledger=_oldest_ledger(valuations),
            dash=DASH,
        ),
    ]
    if any(_is_demo(v) for v in valuations):
        legend.append(_("ᴰ DEMO: built on synthetic prices or balance sheets"))
    body = "```\n" + "\n".join(table) + "\n```"
    return [
        {
            "title": title,
            "description": clip("\n".join([body, *legend]), EMBED_DESCRIPTION),
            "color": BOARD_COLOUR,
            "footer": {
                "text": _("Lowest EV per contracted MW first · {advice}", advice=_(NOT_ADVICE))
            },
        }
    ]


def _oldest_ledger(valuations: Sequence[Valuation]) -> str:
    dates = [v.ledger_as_of for v in valuations if v.ledger_as_of]
    return min(dates) if dates else _("none")
