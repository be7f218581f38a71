-- 015: outbox rows claimed by one delivery worker at a time, for a lease.
-- Several processes share one store and each runs a delivery worker. A worker claims the due
-- rows it is about to send (a whole destination at once, to keep its messages in order) and
-- renews the claim while it works on them; a claim whose lease ran out (its process died) is
-- taken over, and the row's unanswered attempt is settled before anything is sent again.
-- Who holds the row: "host:pid:random" of the worker (NULL: free).
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
-- Until when the claim holds unless renewed (an ISO-8601 UTC time, as next_attempt_at).
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
-- Claims are few (rows in flight) and cleared on delivery: the index holds only those.
-- Claimed rows: a worker's own (renewed, released), and the destinations others hold.
CREATE INDEX outbox_claims ON outbox(claimed_by) WHERE claimed_by IS NOT NULL;
