-- 011: filing alerts, a member's alert on a tracked company's new SEC filings.
-- The level is the least deal likelihood a filing must show to fire: 0 any new filing,
-- 1 a possible or likely AI/HPC deal, 2 a likely deal only. Firings are decided by the
-- filings watcher in the transaction that stores the filing.
-- SQLite cannot alter a CHECK, so the table is rebuilt as in 009: its rows, its indexes
-- and the outbox links that point at it are kept.

-- Dropping the old table deletes its outbox links (ON DELETE CASCADE): keep them aside.
CREATE TEMP TABLE alert_links_kept AS SELECT outbox_id, alert_id FROM outbox_alerts;

CREATE TABLE alerts_rebuilt (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    channel_id      INTEGER NOT NULL,
    owner_id        INTEGER NOT NULL,
    symbol          TEXT NOT NULL CHECK (length(symbol) BETWEEN 1 AND 15),
    kind            TEXT NOT NULL
                    CHECK (kind IN ('above', 'below', 'move_pct', 'high52', 'low52', 'ma_cross',
                                    'volume', 'gap', 'relative', 'correlation',
                                    'earnings', 'filing')),
    -- A price, a percentage, a multiple, percentage points or a correlation; kinds without
    -- a figure store 0.
    level           REAL NOT NULL CHECK (level > -1 AND level < 1e12),
    repeat          INTEGER NOT NULL DEFAULT 0 CHECK (repeat IN (0, 1)),
    via_dm          INTEGER NOT NULL DEFAULT 0 CHECK (via_dm IN (0, 1)),
    state           TEXT NOT NULL DEFAULT 'armed'
                    CHECK (state IN ('armed', 'rearming', 'fired', 'paused', 'expired', 'removed')),
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    fired_count     INTEGER NOT NULL DEFAULT 0 CHECK (fired_count >= 0),
    last_fired_at   TEXT,
    cooldown_until  TEXT,
    snoozed_until   TEXT,
    move_up_day     TEXT,
    move_down_day   TEXT,
    paused_reason   TEXT,
    note            TEXT CHECK (note IS NULL OR length(note) <= 200),
    basis           TEXT,
    side            TEXT CHECK (side IS NULL OR side IN ('above', 'below')),
    -- Levels and moves keep a positive figure; the kinds without one store 0; a correlation
    -- level lies strictly between -1 and 1; a filing alert's level is 0, 1 or 2.
    CHECK (CASE kind
               WHEN 'correlation' THEN level < 1
               WHEN 'high52' THEN level = 0
               WHEN 'low52' THEN level = 0
               WHEN 'ma_cross' THEN level = 0
               WHEN 'filing' THEN level IN (0, 1, 2)
               ELSE level > 0
           END),
    -- An average alert names its average, a relative alert its benchmark, no other a basis.
    CHECK (CASE kind
               WHEN 'ma_cross' THEN coalesce(basis IN ('ma50', 'ma200', 'ma50_ma200'), 0)
               WHEN 'relative' THEN coalesce(basis IN ('BTC-USD', 'NVDA'), 0)
               WHEN 'correlation' THEN coalesce(basis IN ('BTC-USD', 'NVDA'), 0)
               ELSE basis IS NULL
           END)
);

INSERT INTO alerts_rebuilt (id, guild_id, channel_id, owner_id, symbol, kind, level, repeat,
                            via_dm, state, created_at, expires_at, fired_count, last_fired_at,
                            cooldown_until, snoozed_until, move_up_day, move_down_day,
                            paused_reason, note, basis, side)
SELECT id, guild_id, channel_id, owner_id, symbol, kind, level, repeat, via_dm, state,
       created_at, expires_at, fired_count, last_fired_at, cooldown_until, snoozed_until,
       move_up_day, move_down_day, paused_reason, note, basis, side
FROM alerts;

DROP TABLE alerts;
ALTER TABLE alerts_rebuilt RENAME TO alerts;

INSERT INTO outbox_alerts (outbox_id, alert_id) SELECT outbox_id, alert_id FROM alert_links_kept;
DROP TABLE alert_links_kept;

CREATE INDEX alerts_trigger ON alerts(symbol, kind, state, level);
CREATE INDEX alerts_by_owner ON alerts(guild_id, owner_id, state);
CREATE INDEX alerts_by_expiry ON alerts(state, expires_at);
-- A ma_cross alert is found by the side it last saw, only when that side is no longer true.
CREATE INDEX alerts_by_side ON alerts(symbol, basis, side) WHERE kind = 'ma_cross';
-- A correlation alert likewise, by the range of levels the day's correlation is now past.
CREATE INDEX alerts_by_level_side ON alerts(symbol, basis, side, level)
    WHERE kind = 'correlation';
-- The filing alerts of a company, found when the watcher stores its new filings.
CREATE INDEX alerts_by_filing ON alerts(symbol, state) WHERE kind = 'filing';
