"""The controlled vocabularies of the contract ledger (mirrored by CHECK constraints)."""

from __future__ import annotations

from typing import Final, Literal

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

STATUSES: Final = (
    "announced",
    "mou",
    "conditional",
    "signed",
    "under_construction",
    "partially_energized",
    "energized",
    "terminated",
)
# Statuses of a binding contract: these count towards "contracted" MW and value. Announced
# deals, MOUs and conditional ones are shown but not counted; terminated ones never are.
CONTRACTED_STATUSES: Final = frozenset(
    {"signed", "under_construction", "partially_energized", "energized"}
)
CONFIDENCES: Final = ("high", "medium", "low")
DEAL_TYPES: Final = (
    "colocation_lease",
    "powered_shell_lease",
    "gpu_cloud_services",
    "joint_venture",
    "merger_agreement",
    "acquisition",
    "partnership",
)
