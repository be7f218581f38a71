-- 011: filing alerts, a member's alert on a tracked company's new SEC filings.
-- The level is the least deal likelihood a filing must show to fire: 0 any new filing,
-- 1 a possible or likely AI/HPC deal, 2 a likely deal only.
-- PostgreSQL's text of this migration: it alters the CHECK constraints in place, where
-- SQLite has to rebuild the table.
ALTER TABLE alerts
    DROP CONSTRAINT alerts_kind_check,
    DROP CONSTRAINT alerts_level_by_kind,
    ADD CONSTRAINT alerts_kind_check
        CHECK (kind IN ('above', 'below', 'move_pct', 'high52', 'low52', 'ma_cross',
                        'volume', 'gap', 'relative', 'correlation', 'earnings', 'filing')),
    -- Levels and moves keep a positive figure; the kinds without one store 0; a correlation
    -- level lies strictly between -1 and 1; a filing alert's level is 0, 1 or 2.
    ADD CONSTRAINT alerts_level_by_kind CHECK (CASE kind
               WHEN 'correlation' THEN level < 1
               WHEN 'high52' THEN level = 0
               WHEN 'low52' THEN level = 0
               WHEN 'ma_cross' THEN level = 0
               WHEN 'filing' THEN level IN (0, 1, 2)
               ELSE level > 0
           END);

-- The filing alerts of a company, found when the watcher stores its new filings.
CREATE INDEX alerts_by_filing ON alerts(symbol, state) WHERE kind = 'filing';
