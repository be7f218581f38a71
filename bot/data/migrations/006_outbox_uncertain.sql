-- 008: sends whose answer never came, and how each was settled.
-- Discord forgets a message nonce after a few minutes, so a row resent after a long outage
-- could post twice. The worker records when an attempt starts and clears it once Discord
-- answers; a row that still has it when it is tried again is "uncertain": the channel is
-- read for the row's marker before anything is sent again.
-- The start of the earliest attempt since the last answer (NULL: nothing unanswered).
ALTER TABLE outbox ADD COLUMN unanswered_since TEXT;
-- How the last uncertain attempt was settled: the message was found in the channel, the
-- search found nothing and it was sent again, or the search hit its bound and it was sent.
ALTER TABLE outbox ADD COLUMN settled_by TEXT
    CHECK (settled_by IS NULL OR settled_by IN ('found', 'resent', 'gave_up'));
-- Pages of channel history read to settle it (the search's cost, shown in /status).
ALTER TABLE outbox ADD COLUMN search_pages INTEGER NOT NULL DEFAULT 0
    CHECK (search_pages >= 0);
CREATE INDEX outbox_settled ON outbox(settled_by) WHERE settled_by IS NOT NULL;
