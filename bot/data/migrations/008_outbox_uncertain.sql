-- 008: reserved; its schema change ships separately.
SELECT 1;
