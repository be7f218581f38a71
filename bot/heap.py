"""How a bot process sets up the garbage collector once it is logged in.

Everything loaded at start-up (libraries, calendar, ledger, the alert level index) lives
as long as the process: it is frozen, so that full collections never walk it again. And
young collections are made rarer than Python's default of one per 700 net allocations: a
command or an alert post allocates thousands of short-lived objects, and every young
collection both stops the event loop and pushes whatever is alive at that instant one
generation up, towards the full collections that stop it longest (bench/README.md, "Where
a command's tail goes").
"""

from __future__ import annotations

import gc
from typing import Final

# Net allocations between two young collections: a collection walks at most this many
# objects (about a millisecond), and short-lived objects mostly die before it comes.
YOUNG_COLLECTION_EVERY: Final = 10_000


def settle_heap() -> None:
    """Freeze what start-up loaded and space the young collections out."""
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, middle, oldest)
