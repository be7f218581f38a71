-- 007: reserved for the filing drafts.
SELECT 1;
