"""The other side of the ledger: a tenant's, end customer's or backstop's deals, by kind.

A tenant commits to the whole deal (a joint venture's tenant owes the whole rent), so its
totals count whole deals; the same counting rules as the hosts' totals decide what counts.
A backstop guarantees part of a tenant's rent: the amounts are in each deal's note, and the
contract values it stands behind are not its commitment, so they are counted, not summed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from bot.i18n import N_, _, ngettext
from bot.ledger.counting import is_counted
from bot.ledger.model import Contract
from bot.render.exposure import (
    acquisitions,
    partnerships,
    power_text,
    sum_contracts,
    uncounted_note,
    value_text,
)

Role = Literal["tenant", "end customer", "backstop"]
ROLES: Final[tuple[Role, ...]] = ("tenant", "end customer", "backstop")
KIND_ORDER: Final = (
    "lease",
    "gpu_cloud_services",
    "joint_venture",
    "acquisition_investment",
    "partnership_mou",
)


def _leases(n: int) -> str:
    return ngettext("{n} lease", "{n} leases", n)


def _gpu_cloud(n: int) -> str:
    return ngettext("{n} GPU-cloud services contract", "{n} GPU-cloud services contracts", n)


def _joint_ventures(n: int) -> str:
    return ngettext("{n} joint venture", "{n} joint ventures", n)


KIND_COUNTS: Final = {
    "lease": _leases,
    "gpu_cloud_services": _gpu_cloud,
    "joint_venture": _joint_ventures,
    "acquisition_investment": acquisitions,
    "partnership_mou": partnerships,
}
ROLE_HEADINGS: Final = {
    "tenant": N_("As tenant"),
    "end customer": N_("As end customer"),
    "backstop": N_("As backstop"),
}


def role_of(contract: Contract, symbol: str) -> Role | None:
    """Return the part ``symbol`` plays in a contract other than host (tenant first), if any."""
    if contract.counterparty_symbol == symbol or (
        contract.counterparty_symbol is None and f"({symbol})" in contract.counterparty
    ):
        return "tenant"
    if contract.end_customer_symbol == symbol:
        return "end customer"
    if contract.backstop_symbol == symbol:
        return "backstop"
    return None


def involving(contracts: Iterable[Contract], symbol: str) -> list[Contract]:
    """Return the live contracts ``symbol`` hosts or stands on the other side of."""
    return [
        c
        for c in contracts
        if c.deleted_at is None and (c.host_symbol == symbol or role_of(c, symbol) is not None)
    ]


@dataclass(frozen=True, slots=True)
class KindLine:
    """One role and deal kind of a company: '**As tenant** 4 leases · 1.52 GW (IT) · ~$36B'."""

    role: Role
    kind: str
    text: str


def _count(kind: str, number: int) -> str:
    count = KIND_COUNTS.get(kind)
    return count(number) if count is not None else f"{number} {kind}"


def commitment_lines(contracts: Sequence[Contract], symbol: str) -> list[KindLine]:
    """Return ``symbol``'s deals on the other side, one line per role and deal kind."""
    lines: list[KindLine] = []
    for role in ROLES:
        mine = [c for c in contracts if c.deleted_at is None and role_of(c, symbol) == role]
        for kind in KIND_ORDER:
            group = [c for c in mine if c.deal_kind == kind]
            if not group:
                continue
            lines.append(KindLine(role, kind, _kind_text(role, kind, group)))
    return lines


def _kind_text(role: Role, kind: str, group: list[Contract]) -> str:
    hosts = ", ".join(sorted({c.host_symbol for c in group}))
    counted = [c for c in group if is_counted(c)]
    parts = [_("{count} (hosts: {hosts})", count=_count(kind, len(group)), hosts=hosts)]
    if role == "backstop":
        parts.append(_("guarantee amounts in each deal's backstop note"))
    elif counted:
        total = sum_contracts("", counted, at_share=False)
        value = value_text(total)
        if total.value_unknown:
            value += " " + ngettext("(+{n} undisclosed)", "(+{n} undisclosed)", total.value_unknown)
        if role == "tenant":
            parts.append(_("committed: {power} · {value}", power=power_text(total), value=value))
        else:  # the end customer uses the capacity; the tenant owes the rent
            parts.append(
                _(
                    "uses {power} · {value} contracted by its tenant",
                    power=power_text(total),
                    value=value,
                )
            )
        if total.low_confidence:
            parts.append(_("incl. {n} low-confidence", n=total.low_confidence))
        parts.append(_("as of {day} (oldest)", day=total.as_of))
    left_out = uncounted_note(group)
    if left_out and role != "backstop":
        parts.append(left_out)
    return " · ".join(parts)


def role_heading(role: Role) -> str:
    """Return the bold label of a role's lines."""
    return _(ROLE_HEADINGS[role])
