-- 006: the SEC filings watcher: each company's EDGAR id, how far its polling has got, the
-- filings found, and the servers that have them posted.
-- PostgreSQL's text of this migration: regular expressions for GLOB, BIGINT ids; no WITHOUT
-- ROWID.

-- SEC's Central Index Key, digits only without leading zeros; NULL: unknown (never guessed).
ALTER TABLE companies ADD COLUMN cik TEXT
    CHECK (cik IS NULL OR (cik !~ '[^0-9]' AND length(cik) BETWEEN 1 AND 10));
-- The shipped ledger is re-applied at the next start so the companies gain their CIK; a
-- company's seed snapshot now includes the field, so only companies are rewritten, and a
-- contract row changes only if its shipped values did.
DELETE FROM store_meta WHERE key = 'ledger_as_of';

-- Where polling of one company has got to. New filings are those listed before
-- last_accession (EDGAR lists newest first) and not already stored: found by accession
-- number, never by date. The validators make an unchanged company cost a 304.
CREATE TABLE filing_cursors (
    cik             TEXT PRIMARY KEY,
    last_accession  TEXT NOT NULL,
    etag            TEXT,
    last_modified   TEXT,
    baseline_at     TEXT NOT NULL,    -- the first poll: what was listed then is never posted
    polled_at       TEXT NOT NULL
);

-- Filings of tracked companies in the forms the watcher follows, with their classification.
CREATE TABLE filings (
    accession     TEXT PRIMARY KEY CHECK (accession ~ '^[0-9].*-[0-9][0-9]-[0-9]'),
    cik           TEXT NOT NULL,
    symbol        TEXT NOT NULL,
    form          TEXT NOT NULL,
    items         TEXT NOT NULL DEFAULT '',   -- 8-K item numbers, comma-separated
    filed         TEXT NOT NULL,              -- filing date (YYYY-MM-DD)
    accepted      TEXT,                       -- EDGAR's acceptance time (UTC ISO), if given
    title         TEXT,
    primary_url   TEXT,
    index_url     TEXT NOT NULL,
    level         TEXT NOT NULL CHECK (level IN ('routine', 'possible', 'likely')),
    score         INTEGER NOT NULL DEFAULT 0 CHECK (score >= 0),
    phrases       TEXT NOT NULL DEFAULT '[]', -- JSON list of the deal phrases matched
    figures       TEXT NOT NULL DEFAULT '[]', -- JSON list of figures quoted (unverified)
    baseline      INTEGER NOT NULL DEFAULT 0 CHECK (baseline IN (0, 1)),
    found_at      TEXT NOT NULL
);
CREATE INDEX filings_recent ON filings(found_at DESC);
CREATE INDEX filings_by_symbol ON filings(symbol, found_at DESC);

-- Servers that have new filings posted: one channel each, and the least level posted.
CREATE TABLE filing_watches (
    guild_id    BIGINT PRIMARY KEY,
    channel_id  BIGINT NOT NULL,
    min_level   TEXT NOT NULL DEFAULT 'routine'
                CHECK (min_level IN ('routine', 'possible', 'likely')),
    created_at  TEXT NOT NULL
);
