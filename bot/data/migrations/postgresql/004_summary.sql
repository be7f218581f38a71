-- 004: the daily summary: one run per server and local day, files sent with outbox messages,
-- and why a server's summary is paused.
-- PostgreSQL's text of this migration: BIGINT ids, a regular expression for GLOB, BYTEA for
-- BLOB.

-- At most one summary per server and local day: the primary key is the claim. A run is
-- recorded in the transaction that queues its outbox message ('posted'), or when the bot
-- was down past the late window ('skipped'); a channel that refused it marks it 'paused'.
CREATE TABLE summary_runs (
    guild_id       BIGINT NOT NULL,
    local_day      TEXT NOT NULL
                   CHECK (local_day ~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$'),
    status         TEXT NOT NULL CHECK (status IN ('posted', 'skipped', 'paused')),
    scheduled_for  TEXT NOT NULL,
    outbox_id      BIGINT REFERENCES outbox(id) ON DELETE SET NULL,
    -- The last contract_history id the summary covered: the next one lists what came after.
    history_id     BIGINT NOT NULL DEFAULT 0 CHECK (history_id >= 0),
    reason         TEXT CHECK (reason IS NULL OR length(reason) <= 200),
    created_at     TEXT NOT NULL,
    PRIMARY KEY (guild_id, local_day),
    CHECK (status <> 'skipped' OR outbox_id IS NULL)
);
CREATE INDEX summary_runs_latest ON summary_runs(guild_id, scheduled_for);
CREATE INDEX summary_runs_by_outbox ON summary_runs(outbox_id) WHERE outbox_id IS NOT NULL;

-- File bytes sent with outbox messages, stored once per content (a summary chart goes to
-- every server) and referenced by hash from the payload's "files".
CREATE TABLE outbox_files (
    sha256      TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    data        BYTEA NOT NULL CHECK (octet_length(data) BETWEEN 1 AND 26214400),
    created_at  TEXT NOT NULL
);

-- When the summary was last configured: a slot before it was never owed, so not "missed".
ALTER TABLE guild_settings ADD COLUMN summary_configured_at TEXT;
-- Set when the summary channel is gone or closed to the bot: no post until reconfigured.
ALTER TABLE guild_settings ADD COLUMN summary_paused_reason TEXT
    CHECK (summary_paused_reason IS NULL
           OR summary_paused_reason IN ('channel_gone', 'missing_permissions'));
ALTER TABLE guild_settings ADD COLUMN summary_paused_at TEXT;
