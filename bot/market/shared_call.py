"""One call whose outcome several waiters share: members asking for the same data at once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def settle_with(future: asyncio.Future[T], work: Awaitable[T]) -> T:
    """Await ``work`` and hand its outcome to everyone waiting on ``future``; return or raise it.

    A cancelled call cancels the waiters too; they wait through ``asyncio.shield`` so that
    one waiter leaving does not cancel the call for the others.
    """
    try:
        result = await work
    except BaseException as exc:
        if isinstance(exc, asyncio.CancelledError):
            future.cancel()
        else:
            future.set_exception(exc)
            future.exception()  # retrieved here: the waiters re-raise it themselves
        raise
    future.set_result(result)
    return result
