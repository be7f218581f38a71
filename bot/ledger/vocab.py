"""The controlled vocabularies of the contract ledger (mirrored by CHECK constraints).

Each vocabulary is written once, as the Literal type; its tuple of values derives from it.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Status = Literal[
    "announced",
    "mou",
    "conditional",
    "signed",
    "under_construction",
    "partially_energized",
    "energized",
    "terminated",
]
Confidence = Literal["high", "medium", "low"]
Provenance = Literal["retrieved", "derived", "background_knowledge", "mixed"]
DealType = Literal[
    "colocation_lease",
    "powered_shell_lease",
    "gpu_cloud_services",
    "joint_venture",
    "merger_agreement",
    "acquisition",
    "partnership",
]
RevenueBasis = Literal["company_stated", "derived"]
CompanyKind = Literal["miner", "neocloud", "hyperscaler", "chipmaker", "crypto", "other"]

STATUSES: Final[tuple[str, ...]] = get_args(Status)
# Statuses of a binding contract: these count towards "contracted" MW and value. Announced
# deals, MOUs and conditional ones are shown but not counted; terminated ones never are.
CONTRACTED_STATUSES: Final = frozenset(
    {"signed", "under_construction", "partially_energized", "energized"}
)
CONFIDENCES: Final[tuple[str, ...]] = get_args(Confidence)
DEAL_TYPES: Final[tuple[str, ...]] = get_args(DealType)

# What a deal is. Only leases, GPU-cloud services and joint ventures are contracts whose
# revenue counts; an acquisition or investment is a price paid, a partnership or MOU binds
# nobody to pay anything.
DealKind = Literal[
    "lease", "gpu_cloud_services", "joint_venture", "acquisition_investment", "partnership_mou"
]
DEAL_KINDS: Final[tuple[str, ...]] = get_args(DealKind)
COUNTED_KINDS: Final = frozenset({"lease", "gpu_cloud_services", "joint_venture"})
# What the money figure of a deal is: contracted revenue (the firm part; an optional
# purchase is stored apart), a company target, or the price paid for a stake.
ValueKind = Literal["contracted_revenue", "target", "purchase_price"]
VALUE_KINDS: Final[tuple[str, ...]] = get_args(ValueKind)
# How exact the figure is: "floor" is a "more than"; "range" stores its low end as the
# value and its top apart. Totals count floors and ranges at the figure stored.
Exactness = Literal["exact", "approximate", "floor", "range"]
EXACTNESSES: Final[tuple[str, ...]] = get_args(Exactness)
# Rows at these confidences are ranked on the leaderboards; lower ones are listed only.
RANKED_CONFIDENCES: Final = frozenset({"high", "medium"})
# The kind a deal type belongs to (the migration and a new row without a kind use it).
KIND_OF_DEAL_TYPE: Final = {
    "colocation_lease": "lease",
    "powered_shell_lease": "lease",
    "gpu_cloud_services": "gpu_cloud_services",
    "joint_venture": "joint_venture",
    "merger_agreement": "acquisition_investment",
    "acquisition": "acquisition_investment",
    "partnership": "partnership_mou",
}
