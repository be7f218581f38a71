"""The filings watcher: poll each tracked company's EDGAR submissions, store and post what is new.

New filings are the ones EDGAR lists before the last accession number seen (it lists newest
first) and not already stored — never found by date, so a restart neither repeats nor misses
one. The first poll of a company is its baseline: what is listed then is recorded, never
posted. Storing the new filings, moving the cursor and queuing the posts happen in one
transaction, so a crash before it commits leaves everything to the next poll, and after it the
outbox delivers each post exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Final

import aiosqlite

from bot.clock import Clock
from bot.filings.classify import level_of, quote_figures, score_text
from bot.filings.client import EdgarBackingOff, EdgarClient, EdgarError, Fetched
from bot.filings.documents import exhibit_99_names, html_to_text
from bot.filings.model import CURRENT_REPORTS, Filing, Level, Listing, Tracked, base_form, followed
from bot.filings.posts import filing_messages, in_english
from bot.filings.submissions import SubmissionsError, parse_submissions
from bot.filings.timing import due
from bot.filings.urls import document_url, folder_listing_url, index_url, submissions_url
from bot.i18n import N_, _
from bot.i18n.language import Language
from bot.market.backoff import BackoffState
from bot.store import Store

log = logging.getLogger(__name__)

# Filings of a company recorded at its baseline, so /filings recent has something to show.
BASELINE_KEPT: Final = 5
# A gap this large means the cursor's accession left the listing (or EDGAR rewrote it): the
# company is re-baselined instead of posting a flood of old filings.
MAX_NEW_PER_POLL: Final = 40
# Why the watcher is off when no contact is configured (a message id: shown translated).
SEC_CONTACT_MISSING: Final = N_(
    "MINERWATCH_SEC_CONTACT is not set (SEC requires a name and e-mail)"
)

# (filing, its text) -> figure phrases for the card of a likely deal.
Figures = Callable[[Filing, str], list[str]]
# Called after a likely 8-K/6-K deal is stored (the drafts service plugs in here).
LikelyDealHook = Callable[[Filing, str], Awaitable[None]]
# Called inside the transaction that stores new filings (oldest first), so what it queues
# commits with them (the filing alerts plug in here); returns the outbox rows it queued.
StoredHook = Callable[[aiosqlite.Connection, Sequence[Filing], datetime], Awaitable[list[int]]]
Companies = Callable[[], Awaitable[list[Tracked]]]
Parties = Callable[[], Awaitable[list[str]]]


def default_figures(filing: Filing, text: str) -> list[str]:
    """Quote the MW, dollar and term phrases of the text (shown as extracted, unverified)."""
    return quote_figures(text)


@dataclass(slots=True)
class WatcherStats:
    """What /status shows about the EDGAR source."""

    last_poll_at: datetime | None = None
    last_success_at: datetime | None = None
    last_new_filing_at: datetime | None = None
    last_error: str | None = None
    companies: int = 0
    failed: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FilingsStatus:
    """The EDGAR source as /status shows it."""

    enabled: bool
    off_reason: str | None
    companies: int
    last_success_at: datetime | None
    last_new_filing_at: datetime | None
    requests_last_hour: int
    backoff: BackoffState | None
    last_error: str | None


class FilingsWatcher:
    """Polls EDGAR for the tracked companies with a CIK and queues posts for new filings."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        client: EdgarClient | None,
        *,
        companies: Companies,
        parties: Parties,
        poll_seconds: float,
        off_reason: str | None = None,
        figures: Figures | None = None,
        on_likely_deal: LikelyDealHook | None = None,
        on_queued: Callable[[], None] | None = None,
        on_stored: StoredHook | None = None,
        language_of: Callable[[int], Language] = in_english,
    ) -> None:
        self._store = store
        self._clock = clock
        self._client = client
        self._companies = companies
        self._parties = parties
        self.poll_seconds = poll_seconds
        self.off_reason = (off_reason or SEC_CONTACT_MISSING) if client is None else None
        self._figures = figures or default_figures
        self._on_likely_deal = on_likely_deal
        self._on_queued = on_queued
        self._on_stored = on_stored
        self._language_of = language_of  # each server's filings posts in its language
        self.stats = WatcherStats()

    async def aclose(self) -> None:
        """Close the EDGAR client's connections."""
        if self._client is not None:
            await self._client.aclose()

    def off_notice(self) -> str | None:
        """Say, in the reader's language, that the watcher is off and why (None: it polls)."""
        if self.off_reason is None:
            return None
        return _("The filings watcher is off at the moment: {reason}.", reason=_(self.off_reason))

    @property
    def enabled(self) -> bool:
        """Tell whether the watcher polls (it needs the operator's contact for SEC)."""
        return self._client is not None

    def status(self) -> FilingsStatus:
        """Return what /status shows about the EDGAR source."""
        client = self._client
        return FilingsStatus(
            enabled=client is not None,
            off_reason=self.off_reason,
            companies=self.stats.companies,
            last_success_at=self.stats.last_success_at,
            last_new_filing_at=self.stats.last_new_filing_at,
            requests_last_hour=0 if client is None else client.requests_last_hour(),
            backoff=None if client is None else client.backoff_state,
            last_error=self.stats.last_error,
        )

    async def tick(self) -> int:
        """Poll if one is due now (business hours: every interval; otherwise every 10 min)."""
        if self._client is None or not due(
            self._clock.now(), self.stats.last_poll_at, self.poll_seconds
        ):
            return 0
        return await self.poll()

    async def poll(self) -> int:
        """Poll every company once; return how many new filings were stored."""
        if self._client is None:
            return 0
        self.stats.last_poll_at = self._clock.now()
        tracked = await self._companies()
        self.stats.companies = len(tracked)
        found = 0
        failed = []
        for company in tracked:
            try:
                found += await self.poll_company(company)
            except EdgarBackingOff as exc:
                self.stats.last_error = exc.reason
                failed.append(company.symbol)
                break  # nothing more is asked until the backoff elapses
            except (EdgarError, SubmissionsError) as exc:
                reason = getattr(exc, "reason", None) or str(exc)
                self.stats.last_error = f"{company.symbol}: {reason}"
                failed.append(company.symbol)
                log.warning(
                    "EDGAR poll of %s (CIK %s) failed: %s", company.symbol, company.cik, reason
                )
        self.stats.failed = failed
        if not failed:
            self.stats.last_success_at = self._clock.now()
            self.stats.last_error = None
        return found

    async def poll_company(self, company: Tracked) -> int:
        """Poll one company; store its new filings and queue their posts in one transaction."""
        client = self._client
        assert client is not None
        store = self._store
        cursor = await store.filings.cursor(company.cik)
        fetched = await client.submissions(
            submissions_url(client.data_url, company.cik),
            etag=None if cursor is None else cursor.etag,
            last_modified=None if cursor is None else cursor.last_modified,
        )
        if not fetched.changed:
            return 0
        listings = parse_submissions(fetched.data)
        newest = listings[0].accession if listings else ""
        now = self._clock.now()
        if cursor is None or (fresh := self._new(listings, cursor.last_accession)) is None:
            # The baseline: record where the listing stands, post nothing.
            kept = [entry for entry in listings if followed(entry.form)][:BASELINE_KEPT]
            baseline = [self._routine(company, entry, now, baseline=True) for entry in kept]
            async with store.db.transaction() as conn:
                await self._store_filings(conn, company, baseline, newest, fetched, now)
            log.info("EDGAR baseline of %s: %d filing(s) listed", company.symbol, len(listings))
            return 0
        known = await store.filings.known(company.cik)
        entries = [e for e in reversed(fresh) if followed(e.form) and e.accession not in known]
        classified = [await self._classify(company, entry, now) for entry in entries]
        filings = [filing for filing, _ in classified]
        async with store.db.transaction() as conn:
            await self._store_filings(conn, company, filings, newest, fetched, now)
            queued = []
            if filings:
                watches = await store.filings.watches(conn)
                queued = await store.outbox.enqueue(
                    conn, filing_messages(watches, filings, self._language_of), now=now
                )
                if self._on_stored is not None:
                    queued += await self._on_stored(conn, filings, now)
        if filings:
            self.stats.last_new_filing_at = now
            log.info("%d new filing(s) of %s", len(filings), company.symbol)
        if queued and self._on_queued is not None:
            self._on_queued()
        await self._tell_likely_deals(classified)
        return len(filings)

    async def _store_filings(
        self,
        conn: aiosqlite.Connection,
        company: Tracked,
        filings: Sequence[Filing],
        newest: str,
        fetched: Fetched,
        now: datetime,
    ) -> None:
        """Store ``filings`` and move the company's cursor to ``newest``, in ``conn``'s
        transaction, so that a crash keeps both or neither."""
        await self._store.filings.insert(conn, filings)
        await self._store.filings.save_cursor(
            conn,
            company.cik,
            newest,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            now=now,
        )

    def _new(self, listings: Sequence[Listing], last_accession: str) -> list[Listing] | None:
        """Return the entries listed before ``last_accession``; None when it cannot be told."""
        if not last_accession:
            return list(listings[:MAX_NEW_PER_POLL])
        for position, entry in enumerate(listings):
            if entry.accession == last_accession:
                return list(listings[:position]) if position <= MAX_NEW_PER_POLL else None
        return None

    async def _tell_likely_deals(self, classified: Sequence[tuple[Filing, str]]) -> None:
        if self._on_likely_deal is None:
            return
        for filing, text in classified:
            if filing.level is Level.LIKELY and base_form(filing.form) in CURRENT_REPORTS:
                try:
                    await self._on_likely_deal(filing, text)
                except Exception:
                    # The filing and its post are saved; a failing hook must not undo them.
                    log.exception("the likely-deal hook failed for %s", filing.accession)

    def _routine(
        self, company: Tracked, entry: Listing, now: datetime, *, baseline: bool = False
    ) -> Filing:
        client = self._client
        assert client is not None
        archives = client.archives_url
        return Filing(
            accession=entry.accession,
            cik=company.cik,
            symbol=company.symbol,
            company=company.name,
            form=entry.form,
            items=entry.items,
            filed=entry.filed,
            accepted=entry.accepted,
            title=entry.description or None,
            primary_url=(
                document_url(archives, company.cik, entry.accession, entry.primary_document)
                if entry.primary_document
                else None
            ),
            index_url=index_url(archives, company.cik, entry.accession),
            level=Level.ROUTINE,
            score=0,
            phrases=(),
            figures=(),
            found_at=now,
            baseline=baseline,
        )

    async def _classify(
        self, company: Tracked, entry: Listing, now: datetime
    ) -> tuple[Filing, str]:
        """Classify a new filing; current reports are read (primary document and exhibit 99)."""
        filing = self._routine(company, entry, now)
        if base_form(entry.form) not in CURRENT_REPORTS:
            return filing, ""
        text = await self._read(company, entry, filing.primary_url)
        score = score_text(text, await self._parties())
        level = level_of(entry.form, entry.items, score)
        figures = tuple(self._figures(filing, text)) if level is Level.LIKELY else ()
        classified = replace(
            filing, level=level, score=score.points, phrases=score.phrases, figures=figures
        )
        return classified, text

    async def _read(self, company: Tracked, entry: Listing, primary_url: str | None) -> str:
        """Return the primary document's and exhibit 99's text (what could be read of them)."""
        client = self._client
        assert client is not None
        texts = []
        urls = [primary_url] if primary_url else []
        try:
            listing = await client.json(
                folder_listing_url(client.archives_url, company.cik, entry.accession)
            )
            urls += [
                document_url(client.archives_url, company.cik, entry.accession, name)
                for name in exhibit_99_names(listing)
            ]
        except EdgarBackingOff:
            raise
        except EdgarError as exc:
            log.info("no folder listing for %s: %s", entry.accession, exc.reason)
        for url in urls:
            try:
                texts.append(html_to_text(await client.document(url)))
            except EdgarBackingOff:
                raise
            except EdgarError as exc:
                # Classified on what could be read; the filing is still posted.
                log.info("could not read %s: %s", url, exc.reason)
        return "\n".join(texts)
