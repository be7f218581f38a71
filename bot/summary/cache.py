"""Build a value once per key, however many callers ask for it at the same time."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Final, Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# A run needs one entry per distinct ledger view; a few more cover overlapping runs.
DEFAULT_SIZE: Final = 8


class SingleFlight(Generic[K, V]):
    """A small LRU of values by key; concurrent callers of a missing key share one build.

    A thousand servers due at the same minute ask for the same shared part at once: the
    first starts the build, the others wait for it. A failed build is forgotten, so the
    next caller tries again.
    """

    def __init__(self, name: str, *, size: int = DEFAULT_SIZE) -> None:
        self.name = name
        self.builds = 0  # how many times a value was actually built (benchmarks report it)
        self._size = size
        self._entries: OrderedDict[K, asyncio.Task[V]] = OrderedDict()

    async def get(self, key: K, build: Callable[[], Awaitable[V]]) -> V:
        """Return the value for ``key``, building it (once) if it is not cached."""
        task = self._entries.get(key)
        if task is None or _failed(task):
            task = asyncio.create_task(self._build(build), name=f"{self.name}-build")
            task.add_done_callback(lambda done: self._forget_failure(key, done))
            self._entries[key] = task
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(key)
        # Shielded: one caller giving up (cancelled) must not cancel the build others await.
        return await asyncio.shield(task)

    def clear(self) -> None:
        """Forget every cached value."""
        self._entries.clear()

    async def _build(self, build: Callable[[], Awaitable[V]]) -> V:
        self.builds += 1
        return await build()

    def _forget_failure(self, key: K, task: asyncio.Task[V]) -> None:
        if not _failed(task):
            return
        if not task.cancelled():
            # Retrieved here so a build nobody awaits any more is still logged once.
            log.warning("building %s failed", self.name, exc_info=task.exception())
        if self._entries.get(key) is task:
            del self._entries[key]


def _failed(task: asyncio.Task[object]) -> bool:
    return task.done() and (task.cancelled() or task.exception() is not None)
