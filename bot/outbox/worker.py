"""The delivery worker: sends due outbox rows, in order per destination, and records the outcome."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import sqlite3
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime, timedelta
from typing import Final, Protocol

import aiosqlite

from bot.clock import Clock
from bot.outbox.claims import LEASE, RENEW_SECONDS, is_dead_here, new_identity
from bot.outbox.marker import marker_for
from bot.outbox.model import Destination, OutboxRow, Settlement
from bot.outbox.retry import DEFAULT_RETRY, RetryPolicy
from bot.outbox.sender import (
    RetryableSendError,
    SearchResult,
    Sender,
    UndeliverableError,
    UndeliverableReason,
)
from bot.store import Store

log = logging.getLogger(__name__)

# Destinations in flight; one destination is always sequential. discord.py sleeps inside the
# send that empties a channel's bucket (5 messages per 5 s) until the bucket resets, so a
# destination can hold its slot for seconds: reaching Discord's global 50 messages/second
# takes dozens of destinations in flight, not a handful.
DEFAULT_CONCURRENCY: Final = 64
DEFAULT_BATCH: Final = 500
DEFAULT_IDLE_SECONDS: Final = 30.0
# Rows one deliver_due() call may take on (new notices, a backlog): bounded so a job ends.
MAX_ROUNDS: Final = 10  # in batches: at most MAX_ROUNDS * batch_size rows per call
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
    # Rows whose earlier attempt went unanswered, and how each was settled before sending.
    settled: dict[int, Settlement] = field(default_factory=dict)


# Wiring (bot/services.py): the services build ``OutboxWorker(store, None, clock, hooks=[...])``
# with each feature's undeliverable hook; the bot attaches its DiscordSender once the client
# exists, calls ``worker.start()`` once it can post and ``await worker.stop()`` in its close();
# the evaluator and the summaries get ``on_enqueued=worker.kick``.
# Instead of (or as well as) start(), ``deliver_due`` can be an APScheduler job: rounds never
# overlap, so the two are safe together.
@dataclass(eq=False)
class OutboxWorker:
    """Delivers the outbox: on a schedule (``deliver_due``), on a kick, and after a restart."""

    store: Store
    sender: Sender | None  # None until attach(): the Discord client exists after the services
    clock: Clock
    _: KW_ONLY
    hooks: Sequence[UndeliverableHook] = ()
    concurrency: int = DEFAULT_CONCURRENCY
    batch_size: int = DEFAULT_BATCH
    idle_seconds: float = DEFAULT_IDLE_SECONDS
    retry: RetryPolicy = DEFAULT_RETRY
    rng: random.Random = field(default_factory=random.Random)  # jitter, not secrecy
    # Told of every row delivered (its dedupe key, when): e.g. the alerts' post latency.
    on_delivered: Callable[[str, datetime], None] | None = None
    # Who this worker is to the other processes' workers (rows it claims carry it).
    identity: str = field(default_factory=new_identity)
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False, repr=False)
    _round_lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)
    _task: asyncio.Task[None] | None = field(default=None, init=False, repr=False)
    _stop: asyncio.Event = field(default_factory=asyncio.Event, init=False, repr=False)

    def __post_init__(self) -> None:
        self.hooks = tuple(self.hooks)

    @property
    def running(self) -> bool:
        """Tell whether the background loop is running."""
        return self._task is not None and not self._task.done()

    def attach(self, sender: Sender) -> None:
        """Send through ``sender`` from now on (the Discord client exists after the services)."""
        self.sender = sender

    def _attached(self) -> Sender:
        if self.sender is None:
            raise RuntimeError("the outbox has nothing to send through: attach a sender first")
        return self.sender

    def kick(self) -> None:
        """Ask the loop to deliver now (e.g. right after an evaluation queued messages)."""
        self._wake.set()

    def start(self) -> None:
        """Start the background loop; it first resumes whatever was pending before a restart."""
        if self.running:
            return
        self._attached()
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
            await self._release_claims()

    async def deliver_due(self) -> DeliveryReport:
        """Send every due row (a few batches at most); usable as a scheduler job."""
        report = DeliveryReport()
        async with self._round_lock:
            await self._free_claims_of_the_dead()
            dispatch = _Dispatch(
                self.store,
                self.clock,
                lambda row: self._deliver(row, report),
                worker=self.identity,
                concurrency=self.concurrency,
                batch_size=self.batch_size,
                budget=MAX_ROUNDS * self.batch_size,
                wake=self._wake,
                stop=self._stop,
            )
            renewing = asyncio.create_task(self._renew_claims(), name="outbox-claims")
            try:
                if await dispatch.run():
                    self._wake.set()  # a backlog remains: the loop comes straight back for it
            finally:
                renewing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewing
                # What this round took on and did not finish is free for any worker again.
                if dispatch.claimed:
                    await asyncio.shield(self._release_claims())
        return report

    async def _renew_claims(self) -> None:
        """Keep this round's claims alive while it works on them."""
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                await self.store.outbox.renew(worker=self.identity, until=self.clock.now() + LEASE)
            except Exception:
                # The next renewal may succeed within the lease; if not, the rows are taken
                # over and settled by whoever takes them.
                log.exception("cannot renew the outbox claims")

    async def _release_claims(self) -> None:
        try:
            await self.store.outbox.release(self.identity)
        except Exception:
            # They run out with their lease instead.
            log.exception("cannot release the outbox claims")

    async def _free_claims_of_the_dead(self) -> None:
        """Free rows held by workers of this host whose process is gone (no lease to wait)."""
        try:
            for claimant in await self.store.outbox.claimants(self.clock.now()):
                if is_dead_here(claimant):
                    freed = await self.store.outbox.release(claimant)
                    log.info("took back %d outbox row(s) from %s, which is gone", freed, claimant)
        except Exception:
            log.exception("cannot look for outbox claims of stopped workers")

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
            due = await self.store.outbox.next_attempt_at(after=self.clock.now())
        except Exception:
            log.exception("cannot read the next outbox retry time")
            return self.idle_seconds
        try:
            # Rows held by another worker are ours to take if its lease runs out.
            expiry = await self.store.outbox.next_claim_expiry(
                worker=self.identity, after=self.clock.now()
            )
        except Exception:
            log.exception("cannot read when the outbox claims run out")
            expiry = None
        moments = [moment for moment in (due, expiry) if moment is not None]
        if not moments:
            return self.idle_seconds
        wait = (min(moments) - self.clock.now()).total_seconds()
        return min(max(wait, 0.0), self.idle_seconds)

    async def _deliver(self, row: OutboxRow, report: DeliveryReport) -> bool:
        """Try one row; return False when it must be retried later."""
        sender = self._attached()
        settled: Settlement | None = None
        pages = 0
        if row.uncertain:
            found = await self._look_for_earlier_post(sender, row, report)
            if found is None:
                return False  # the read failed: the row waits for its retry, uncertain still
            if found.message_id is not None:
                return await self._record_delivered(
                    row, found.message_id, report, Settlement.FOUND, found.pages
                )
            settled = Settlement.GAVE_UP if found.gave_up else Settlement.RESENT
            pages = found.pages
            report.settled[row.id] = settled
        # Committed before the send leaves: a crash from here on leaves the row uncertain.
        # A complete read that found nothing means no earlier attempt posted it.
        now = self.clock.now()
        if not await self.store.outbox.begin_attempt(
            row.id,
            now=now,
            keep_since=settled is not Settlement.RESENT,
            settled_by=settled,
            pages=pages,
            worker=self.identity,
            lease_until=now + LEASE,
        ):
            # Another worker took the row over (this one's lease ran out): it sends it.
            log.info("outbox row %d is no longer this worker's; not sending it", row.id)
            return False
        still_uncertain = settled is Settlement.GAVE_UP  # an earlier attempt may have posted
        try:
            if row.destination.user_id is not None:
                message_id = await sender.send_dm(row.destination.user_id, row.payload, row.nonce)
            else:
                assert row.destination.channel_id is not None
                message_id = await sender.send_channel(
                    row.destination.channel_id, row.payload, row.nonce
                )
        except RetryableSendError as exc:
            await self._schedule_retry(row, exc.detail, exc, report, was_uncertain=still_uncertain)
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
        return await self._record_delivered(row, message_id, report)

    async def _look_for_earlier_post(
        self, sender: Sender, row: OutboxRow, report: DeliveryReport
    ) -> SearchResult | None:
        """Read the destination for the row's message; None when the read failed (retried)."""
        # An earlier attempt may have posted it, and Discord may have forgotten its nonce by
        # now (a long outage, a row taken over from another process): look before resending.
        assert row.unanswered_since is not None
        try:
            found = await sender.find(row.destination, marker_for(row.nonce), row.unanswered_since)
        except RetryableSendError as exc:
            await self._schedule_retry(row, f"reading history: {exc.detail}", exc, report)
            return None
        except Exception as exc:
            log.exception("unexpected failure reading %s for row %d", row.destination, row.id)
            await self._schedule_retry(row, f"{type(exc).__name__}: {exc}", None, report)
            return None
        if found.gave_up:
            log.warning(
                "outbox row %d: %s not read to its end (%d page(s)); sending it again",
                row.id,
                row.destination,
                found.pages,
            )
        return found

    async def _record_delivered(
        self,
        row: OutboxRow,
        message_id: int,
        report: DeliveryReport,
        settled: Settlement | None = None,
        pages: int = 0,
    ) -> bool:
        now = self.clock.now()
        if await self.store.outbox.mark_delivered(
            row.id, message_id, now=now, settled_by=settled, pages=pages
        ):
            report.delivered.append(row.id)
            if self.on_delivered is not None:
                self.on_delivered(row.dedupe_key, now)
            if settled is not None:
                report.settled[row.id] = settled
            log.debug("delivered outbox row %d to %s as %d", row.id, row.destination, message_id)
        return True

    async def _schedule_retry(
        self,
        row: OutboxRow,
        detail: str,
        error: RetryableSendError | None,
        report: DeliveryReport,
        *,
        was_uncertain: bool = True,
    ) -> None:
        attempts = row.attempts + 1
        retry_after = error.retry_after if error is not None else None
        delay = self.retry.delay(attempts, self.rng, retry_after)
        next_at = self.clock.now() + timedelta(seconds=delay)
        await self.store.outbox.mark_retry(
            row.id,
            next_attempt_at=next_at,
            error=detail,
            answered=error is not None and error.answered,
            was_uncertain=was_uncertain,
        )
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
        now = self.clock.now()
        async with self.store.db.transaction() as conn:
            if not await self.store.outbox.mark_undeliverable(conn, row.id, error=str(exc)):
                return
            for hook in self.hooks:
                await hook(conn, row, exc.reason, now)
        report.undeliverable.append(row.id)
        log.warning("outbox row %d to %s is undeliverable: %s", row.id, row.destination, exc)


@dataclass(eq=False)
class _Dispatch:
    """One deliver_due() call: keeps up to ``concurrency`` destinations sending at once.

    Each destination is a lane that sends its rows one after the other; the moment a lane
    ends, another destination takes its slot, and once no destination waits for a slot the
    store is asked for more due rows. No lane waits for another, so one slow bucket (or a
    destination backing off) never holds up the rest.
    """

    store: Store
    clock: Clock
    deliver: Callable[[OutboxRow], Awaitable[bool]]
    _: KW_ONLY
    worker: str  # the claims are taken in this worker's name
    concurrency: int
    batch_size: int
    budget: int  # rows this call may still take on
    wake: asyncio.Event
    stop: asyncio.Event
    # Called by hand after stop() (a test, a scheduler job), a call still delivers; only
    # a stop() that arrives during the call ends it early.
    stopped_before: bool = field(init=False)
    queues: dict[Destination, deque[OutboxRow]] = field(default_factory=dict, init=False)
    lanes: dict[Destination, asyncio.Task[bool]] = field(default_factory=dict, init=False)
    taken: set[int] = field(default_factory=set, init=False)  # each row is tried once per call
    claimed: bool = field(default=False, init=False)  # some row was claimed: release at the end
    # Destinations whose row failed in this call: their later rows wait for its retry.
    held: set[Destination] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self.stopped_before = self.stop.is_set()

    async def run(self) -> bool:
        """Deliver until nothing is due; return True when the budget ran out first."""
        try:
            await self._fetch()
            while True:
                self._start_lanes()
                if not self.lanes:
                    break
                kicked = await self._wait_for_lanes()
                if self._may_fetch() and (kicked or self._slot_free()):
                    await self._fetch()
        finally:
            for task in self.lanes.values():
                task.cancel()
            for task in self.lanes.values():
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        return self.budget <= 0

    def _stopping(self) -> bool:
        return self.stop.is_set() and not self.stopped_before

    def _may_fetch(self) -> bool:
        return self.budget > 0 and not self._stopping()

    async def _fetch(self) -> None:
        """Claim the due rows and queue those no lane has taken yet."""
        # Rows in progress are still pending (and ours), so they come back first: ask for that
        # many more.
        in_progress = sum(len(rows) for rows in self.queues.values())
        now = self.clock.now()
        try:
            rows = await self.store.outbox.claim(
                now, worker=self.worker, until=now + LEASE, limit=self.batch_size + in_progress
            )
        except sqlite3.Error:
            # A store that cannot take the claim (read-only, full, gone): nothing is sent
            # unclaimed; the rows stay pending for a later round.
            log.exception("cannot claim due outbox rows")
            return
        self.claimed = self.claimed or bool(rows)
        for row in rows:
            if self.budget <= 0:
                break
            if row.id in self.taken or row.destination in self.held:
                continue
            self.taken.add(row.id)
            self.queues.setdefault(row.destination, deque()).append(row)
            self.budget -= 1

    def _slot_free(self) -> bool:
        """Tell whether a slot is free with no destination waiting for one."""
        waiting = any(destination not in self.lanes for destination in self.queues)
        return not waiting and len(self.lanes) < self.concurrency

    def _start_lanes(self) -> None:
        if self._stopping():
            return  # let the lanes in flight end, start no more
        for destination, rows in self.queues.items():
            if len(self.lanes) >= self.concurrency:
                return
            if destination not in self.lanes and rows:
                self.lanes[destination] = asyncio.create_task(
                    self._drain(rows), name=f"outbox-lane-{destination}"
                )

    async def _drain(self, rows: deque[OutboxRow]) -> bool:
        """Send a destination's rows in order; return False when one must wait for a retry."""
        # The dispatcher may append to ``rows`` meanwhile: the lane takes those too. A stopping
        # worker ends each lane after its current send; the rest stays pending for next time.
        while rows and not self._stopping():
            if not await self.deliver(rows[0]):
                return False
            rows.popleft()
        return True

    async def _wait_for_lanes(self) -> bool:
        """Wait until a lane ends (or a kick); reap the ended lanes; return whether kicked."""
        kick = asyncio.create_task(self.wake.wait(), name="outbox-kick")
        try:
            await asyncio.wait({*self.lanes.values(), kick}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            kick.cancel()
        kicked = self.wake.is_set()
        self.wake.clear()
        for destination, task in list(self.lanes.items()):
            if task.done():
                del self.lanes[destination]
                self._reap(destination, task)
        return kicked

    def _reap(self, destination: Destination, task: asyncio.Task[bool]) -> None:
        """Account for an ended lane; re-raise a crash or a cancellation."""
        error = None if task.cancelled() else task.exception()
        if task.cancelled() or (error is not None and not isinstance(error, Exception)):
            task.result()  # raises the CancelledError or the BaseException
        if error is not None:
            log.error("delivering to %s failed", destination, exc_info=error)
        if error is not None or not task.result():
            # The rest of this destination waits for its failed row, keeping their order.
            self.held.add(destination)
            self.queues.pop(destination, None)
        elif not self.queues.get(destination):
            self.queues.pop(destination, None)


def _log_end(task: asyncio.Task[None]) -> None:
    """Log how the background loop ended (its exception would otherwise vanish)."""
    if task.cancelled():
        log.info("outbox worker cancelled")
    elif (error := task.exception()) is not None:
        log.error("outbox worker crashed", exc_info=error)
    else:
        log.info("outbox worker stopped")
