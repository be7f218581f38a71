-- 008: reserved for the outbox uncertain-send state.
SELECT 1;
