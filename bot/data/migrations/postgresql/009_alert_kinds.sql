-- 009: alert kinds beyond price levels and daily moves (see the shared 009 for each kind).
-- SQLite has to rebuild the table.
--   basis: what an alert compares with (ma50, ma200, ma50_ma200, BTC-USD, NVDA)
--   side:  which side of its average (ma_cross) or of its level (correlation) the alert
--          last saw the figure on: the edge it fires on
-- PostgreSQL's text of this migration: it alters the CHECK constraints in place, where
ALTER TABLE alerts
    DROP CONSTRAINT alerts_kind_check,
    DROP CONSTRAINT alerts_level_check,
    ADD COLUMN basis TEXT,
    ADD COLUMN side TEXT CHECK (side IS NULL OR side IN ('above', 'below')),
    ADD CONSTRAINT alerts_kind_check
        CHECK (kind IN ('above', 'below', 'move_pct', 'high52', 'low52', 'ma_cross',
                        'volume', 'gap', 'relative', 'correlation', 'earnings')),
    -- A price, a percentage, a multiple, percentage points or a correlation; kinds without
    -- a figure store 0.
    ADD CONSTRAINT alerts_level_check CHECK (level > -1 AND level < 1e12),
    -- Levels and moves keep a positive figure; the kinds without one store 0; a correlation
    -- level lies strictly between -1 and 1.
    ADD CONSTRAINT alerts_level_by_kind CHECK (CASE kind
               WHEN 'correlation' THEN level < 1
               WHEN 'high52' THEN level = 0
               WHEN 'low52' THEN level = 0
               WHEN 'ma_cross' THEN level = 0
               ELSE level > 0
           END),
    -- An average alert names its average, a relative alert its benchmark, no other a basis.
    ADD CONSTRAINT alerts_basis_by_kind CHECK (CASE kind
               WHEN 'ma_cross' THEN coalesce(basis IN ('ma50', 'ma200', 'ma50_ma200'), false)
               WHEN 'relative' THEN coalesce(basis IN ('BTC-USD', 'NVDA'), false)
               WHEN 'correlation' THEN coalesce(basis IN ('BTC-USD', 'NVDA'), false)
               ELSE basis IS NULL
           END);

-- A ma_cross alert is found by the side it last saw, only when that side is no longer true.
CREATE INDEX alerts_by_side ON alerts(symbol, basis, side) WHERE kind = 'ma_cross';
-- A correlation alert likewise, by the range of levels the day's correlation is now past.
CREATE INDEX alerts_by_level_side ON alerts(symbol, basis, side, level)
    WHERE kind = 'correlation';
