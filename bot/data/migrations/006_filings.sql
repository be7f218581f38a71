-- 006: reserved for the filings watcher's tables (its schema is written separately).
SELECT 1;
