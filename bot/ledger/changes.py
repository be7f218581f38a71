"""Grouping a contract's history rows into the changes members made, one action each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.ledger.model import HistoryEntry


@dataclass(frozen=True, slots=True)
class Change:
    """One recorded change to a contract: the history entries one action wrote together."""

    first_id: int
    last_id: int
    contract_id: int
    entries: tuple[HistoryEntry, ...]

    @property
    def action(self) -> str:
        """Return create, delete, restore or update: what the entries amount to."""
        actions = {entry.action for entry in self.entries}
        for action in ("create", "delete", "restore"):
            if action in actions:
                return action
        return "update"

    @property
    def at(self) -> str:
        """Return when the change was made."""
        return self.entries[0].at


def group_changes(rows: Sequence[tuple[int, HistoryEntry]]) -> list[Change]:
    """Group consecutive history rows written by one action (same contract, time, actor)."""
    changes: list[Change] = []
    for row_id, entry in rows:
        last = changes[-1] if changes else None
        if (
            last is not None
            and last.contract_id == entry.contract_id
            and last.at == entry.at
            and last.entries[0].actor_label == entry.actor_label
        ):
            changes[-1] = Change(last.first_id, row_id, last.contract_id, (*last.entries, entry))
        else:
            changes.append(Change(row_id, row_id, entry.contract_id, (entry,)))
    return changes
