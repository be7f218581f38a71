-- 016: one REST pace for every process of a bot. Discord limits a bot token, not a process,
-- to 50 requests per second; processes running part of the shards each take their requests'
-- tokens from here, a few at a time, so that together they stay under the limit.
-- One row per slot of time (the Unix time divided by the slot's length): how many of the
-- slot's tokens are taken, and how many the last taker got. Rows older than a minute are
-- deleted by the processes themselves.
CREATE TABLE rest_pace (
    slot    INTEGER PRIMARY KEY,
    used    INTEGER NOT NULL CHECK (used >= 0),
    granted INTEGER NOT NULL CHECK (granted >= 0)
);
