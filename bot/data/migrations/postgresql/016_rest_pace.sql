-- 016: one REST pace for every process of a bot. Discord limits a bot token, not a process,
-- to 50 requests per second; processes running part of the shards each take their requests'
-- tokens from here, a few at a time, so that together they stay under the limit.
-- PostgreSQL's text of this migration: a slot number (Unix time in tenths of a second)
-- outgrows INTEGER.
CREATE TABLE rest_pace (
    slot    BIGINT PRIMARY KEY,
    used    INTEGER NOT NULL CHECK (used >= 0),
    granted INTEGER NOT NULL CHECK (granted >= 0)
);
