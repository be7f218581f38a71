-- 006: reserved for the filings tables.
SELECT 1;
