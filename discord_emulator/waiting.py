"""A change signal: wake every waiter on each change, and let them re-check their condition."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Signal:
    """Broadcast "something changed" to coroutines waiting for a condition (no polling)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every current waiter."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float,  # noqa: ASYNC109 - test-helper API
        describe: Callable[[], str],
    ) -> None:
        """Return once `condition()` holds; after `timeout` s raise TimeoutError(describe())."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(describe())
            try:
                await asyncio.wait_for(self._event.wait(), remaining)
            except TimeoutError:
                if not condition():
                    raise TimeoutError(describe()) from None
