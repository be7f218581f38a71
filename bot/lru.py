"""A dict that keeps only its most recently written entries: the bound of every cache keyed
by something members type (symbols, pages), so that no input can grow the process forever."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Final, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Per-symbol caches (quotes, health, "no such symbol" verdicts, earnings dates, balance sheet
# attempts): the symbols polled every minute (tracked companies and alert symbols, a few
# hundred) are rewritten by every poll and never fall off; symbols only looked up once by
# /price fall off past this many. About 2 KB per symbol across those caches: 10 MB at most.
MAX_SYMBOLS_HELD: Final = 5_000


class LruDict(OrderedDict[K, V]):
    """An ordered dict of at most ``limit`` entries; writing past it drops the oldest written.

    Reads do not refresh an entry: the caches bounded by it are rewritten by whatever keeps
    them alive (a poll, a fetch), so "least recently written" is the entry nobody needs.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"an LruDict holds at least one entry, not {limit}")
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)

    def setdefault(self, key: K, default: V) -> V:
        # OrderedDict's own setdefault would bypass __setitem__ and so the bound.
        if key in self:
            return self[key]
        self[key] = default
        return default
