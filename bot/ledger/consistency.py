"""Rules that tie a contract's fields together: what a kind, a share or a qualifier needs.

The shipped-ledger check and members' edits apply the same rules, so a row that `minerwatch
check` refuses cannot be typed in through `/deals add` or `/deals edit` either.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.ledger.limits import Problem
from bot.ledger.model import FieldValue
from bot.ledger.vocab import KIND_OF_DEAL_TYPE


def _number(values: Mapping[str, FieldValue], name: str) -> float | None:
    value = values.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def consistency_problems(values: Mapping[str, FieldValue]) -> list[Problem]:
    """List what contradicts itself in one contract's fields (names as CONTRACT_FIELDS)."""
    problems: list[Problem] = []
    kind = values.get("deal_kind")
    share = _number(values, "host_share_pct")
    value = _number(values, "total_contract_value_usd")
    high = _number(values, "value_high_usd")
    exactness = values.get("value_exactness") or "exact"
    if kind == "joint_venture" and share is None:
        problems.append(
            Problem("host_share_pct", "a joint venture needs the host's ownership share (percent)")
        )
    if share is not None and kind != "joint_venture":
        problems.append(Problem("host_share_pct", "only a joint venture has a host share"))
    if exactness != "exact" and value is None:
        problems.append(
            Problem(
                "value_exactness",
                f"“{exactness}” qualifies a value that is not there: give the value",
            )
        )
    if exactness == "range" and (high is None or (value is not None and high < value)):
        problems.append(
            Problem("value_high_usd", "a range needs its top, at least the value (its low end)")
        )
    if high is not None and exactness != "range":
        problems.append(Problem("value_high_usd", "only a range has a top"))
    value_kind = values.get("value_kind") or "contracted_revenue"
    if kind == "acquisition_investment" and value is not None and value_kind != "purchase_price":
        problems.append(
            Problem("value_kind", "the value of an acquisition or investment is a purchase_price")
        )
    if value_kind == "purchase_price" and kind != "acquisition_investment":
        problems.append(
            Problem("value_kind", "a purchase price belongs to an acquisition or investment")
        )
    deal_type = values.get("deal_type")
    if isinstance(deal_type, str) and kind is not None:
        expected = KIND_OF_DEAL_TYPE.get(deal_type)
        if expected is not None and expected != kind:
            problems.append(
                Problem("deal_kind", f"a {deal_type.replace('_', ' ')} is of kind {expected}")
            )
    if values.get("annualised_revenue_basis") == "derived":
        problems.append(
            Problem(
                "annualised_revenue_basis",
                "derived annualised revenue is computed (value ÷ term): store only a "
                "company-stated figure",
            )
        )
    return problems
