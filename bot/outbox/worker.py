"""The delivery worker: sends due outbox rows, in order per destination, and records the outcome."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, Protocol

import aiosqlite

from bot.clock import Clock
from bot.outbox.model import Destination, OutboxRow
from bot.outbox.retry import DEFAULT_RETRY, RetryPolicy
from bot.outbox.sender import (
    RetryableSendError,
    Sender,
    UndeliverableError,
    UndeliverableReason,
)
from bot.store import Store

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY: Final = 8  # destinations in flight; one destination is always sequential
DEFAULT_BATCH: Final = 100
DEFAULT_IDLE_SECONDS: Final = 30.0
# Rounds one deliver_due() call may chain (new notices, a backlog): bounded so a job ends.
MAX_ROUNDS: Final = 10
WARN_AFTER_ATTEMPTS: Final = 5
STOP_GRACE_SECONDS: Final = 10.0


class UndeliverableHook(Protocol):
    """Reacts, in the transaction that gives up on a row, to a destination refusing it."""

    async def __call__(
        self,
        conn: aiosqlite.Connection,
        row: OutboxRow,
        reason: UndeliverableReason,
        now: datetime,
    ) -> None: ...


@dataclass(slots=True)
class DeliveryReport:
    """What one deliver_due() call did, by outbox row id."""

    delivered: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    undeliverable: list[int] = field(default_factory=list)


# Wiring at start-up: ``worker = OutboxWorker(store, DiscordSender(bot), clock,
# hooks=[PauseUndeliverableAlerts(store)])``; ``worker.start()`` once the bot can post and
# ``await worker.stop()`` in its close(); the evaluator gets ``on_enqueued=worker.kick``.
# Instead of (or as well as) start(), ``deliver_due`` can be an APScheduler job: rounds never
# overlap, so the two are safe together.
class OutboxWorker:
    """Delivers the outbox: on a schedule (``deliver_due``), on a kick, and after a restart."""

    def __init__(
        self,
        store: Store,
        sender: Sender,
        clock: Clock,
        *,
        hooks: Sequence[UndeliverableHook] = (),
        concurrency: int = DEFAULT_CONCURRENCY,
        batch_size: int = DEFAULT_BATCH,
        idle_seconds: float = DEFAULT_IDLE_SECONDS,
        retry: RetryPolicy = DEFAULT_RETRY,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._sender = sender
        self._clock = clock
        self._hooks = tuple(hooks)
        self._concurrency = concurrency
        self._batch_size = batch_size
        self._idle_seconds = idle_seconds
        self._retry = retry
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrecy
        self._wake = asyncio.Event()
        self._round_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    @property
    def running(self) -> bool:
        """Tell whether the background loop is running."""
        return self._task is not None and not self._task.done()

    def kick(self) -> None:
        """Ask the loop to deliver now (e.g. right after an evaluation queued messages)."""
        self._wake.set()

    def start(self) -> None:
        """Start the background loop; it first resumes whatever was pending before a restart."""
        if self.running:
            return
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="outbox-worker")
        self._task.add_done_callback(_log_end)
        self.kick()

    async def stop(self, grace_seconds: float = STOP_GRACE_SECONDS) -> None:
        """Let the current round finish (up to ``grace_seconds``), then stop the loop."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stop.set()
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), grace_seconds)
        except TimeoutError:
            # Rows cut off mid-send stay pending and go out again with the same nonce.
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def deliver_due(self) -> DeliveryReport:
        """Send every due row (a few batches at most); usable as a scheduler job."""
        report = DeliveryReport()
        async with self._round_lock:
            for _ in range(MAX_ROUNDS):
                rows = await self._store.outbox.due(self._clock.now(), limit=self._batch_size)
                if not rows:
                    break
                await self._deliver_batch(rows, report)
            else:
                self._wake.set()  # a backlog remains: the loop comes straight back for it
        return report

    async def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), await self._sleep_seconds())
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                await self.deliver_due()
            except Exception:
                # A failing store must not end the loop: the rows stay pending for next time.
                log.exception("outbox delivery round failed")

    async def _sleep_seconds(self) -> float:
        """Sleep until the next retry is due, or the idle interval, whichever is sooner."""
        try:
            due = await self._store.outbox.next_attempt_at(after=self._clock.now())
        except Exception:
            log.exception("cannot read the next outbox retry time")
            return self._idle_seconds
        if due is None:
            return self._idle_seconds
        wait = (due - self._clock.now()).total_seconds()
        return min(max(wait, 0.0), self._idle_seconds)

    async def _deliver_batch(self, rows: Sequence[OutboxRow], report: DeliveryReport) -> None:
        by_destination: dict[Destination, list[OutboxRow]] = {}
        for row in rows:
            by_destination.setdefault(row.destination, []).append(row)
        semaphore = asyncio.Semaphore(self._concurrency)
        results = await asyncio.gather(
            *(self._deliver_in_order(q, semaphore, report) for q in by_destination.values()),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, Exception):
                raise result  # cancellation: let it through
            if isinstance(result, Exception):
                log.error("delivering to one destination failed", exc_info=result)

    async def _deliver_in_order(
        self, rows: Sequence[OutboxRow], semaphore: asyncio.Semaphore, report: DeliveryReport
    ) -> None:
        async with semaphore:
            for row in rows:
                if not await self._deliver(row, report):
                    return  # the later rows wait for this one, keeping the destination's order

    async def _deliver(self, row: OutboxRow, report: DeliveryReport) -> bool:
        """Try one row; return False when it must be retried later."""
        try:
            if row.destination.user_id is not None:
                message_id = await self._sender.send_dm(
                    row.destination.user_id, row.payload, row.nonce
                )
            else:
                assert row.destination.channel_id is not None
                message_id = await self._sender.send_channel(
                    row.destination.channel_id, row.payload, row.nonce
                )
        except RetryableSendError as exc:
            await self._schedule_retry(row, exc.detail, exc.retry_after, report)
            return False
        except UndeliverableError as exc:
            try:
                await self._give_up(row, exc, report)
            except Exception as hook_error:
                # Nothing of the give-up landed (one transaction): try the row again later.
                log.exception("could not record outbox row %d as undeliverable", row.id)
                await self._schedule_retry(row, f"{exc}; then {hook_error!r}", None, report)
                return False
            return True
        except Exception as exc:
            log.exception("unexpected failure sending outbox row %d to %s", row.id, row.destination)
            await self._schedule_retry(row, f"{type(exc).__name__}: {exc}", None, report)
            return False
        if await self._store.outbox.mark_delivered(row.id, message_id, now=self._clock.now()):
            report.delivered.append(row.id)
            log.debug("delivered outbox row %d to %s as %d", row.id, row.destination, message_id)
        return True

    async def _schedule_retry(
        self, row: OutboxRow, detail: str, retry_after: float | None, report: DeliveryReport
    ) -> None:
        attempts = row.attempts + 1
        delay = self._retry.delay(attempts, self._rng, retry_after)
        next_at = self._clock.now() + timedelta(seconds=delay)
        await self._store.outbox.mark_retry(row.id, next_attempt_at=next_at, error=detail)
        report.retried.append(row.id)
        level = logging.WARNING if attempts >= WARN_AFTER_ATTEMPTS else logging.INFO
        log.log(
            level,
            "outbox row %d to %s failed (attempt %d: %s); next try in %.1f s",
            row.id,
            row.destination,
            attempts,
            detail,
            delay,
        )

    async def _give_up(
        self, row: OutboxRow, exc: UndeliverableError, report: DeliveryReport
    ) -> None:
        now = self._clock.now()
        async with self._store.db.transaction() as conn:
            if not await self._store.outbox.mark_undeliverable(conn, row.id, error=str(exc)):
                return
            for hook in self._hooks:
                await hook(conn, row, exc.reason, now)
        report.undeliverable.append(row.id)
        log.warning("outbox row %d to %s is undeliverable: %s", row.id, row.destination, exc)


def _log_end(task: asyncio.Task[None]) -> None:
    """Log how the background loop ended (its exception would otherwise vanish)."""
    if task.cancelled():
        log.info("outbox worker cancelled")
    elif (error := task.exception()) is not None:
        log.error("outbox worker crashed", exc_info=error)
    else:
        log.info("outbox worker stopped")
