-- 010: the balance-sheet figures enterprise value needs, one row per company.
-- Each figure keeps the date of the balance sheet it was read from (period_end) and when it
-- was fetched; a figure the source did not give stays NULL (enterprise value is then
-- unknown, never the market cap alone). source: 'yahoo' or 'demo' (synthetic, labelled DEMO).
-- PostgreSQL's text of this migration: DOUBLE PRECISION for REAL (PostgreSQL's REAL is single
-- precision).
CREATE TABLE balance_sheets (
    symbol          TEXT PRIMARY KEY CHECK (length(symbol) BETWEEN 1 AND 15),
    total_debt_usd  DOUBLE PRECISION CHECK (total_debt_usd IS NULL OR total_debt_usd BETWEEN 0 AND 1e13),
    cash_usd        DOUBLE PRECISION CHECK (cash_usd IS NULL OR cash_usd BETWEEN 0 AND 1e13),
    period_end      TEXT CHECK (period_end IS NULL OR length(period_end) = 10),
    source          TEXT NOT NULL CHECK (source IN ('yahoo', 'demo')),
    fetched_at      TEXT NOT NULL
);
