-- 014: an evaluation's state changes rewrite only the index that must follow them.
-- Every armed → fired or re-arming → armed change used to move the alert's entries in
-- alerts_by_owner and alerts_by_expiry as well as alerts_trigger, since both carried `state`:
-- a market-wide jump wrote thousands of scattered index pages. Neither needs it.

-- A server's (or a member's) alerts: the few rows found are read anyway, their state with them.
DROP INDEX alerts_by_owner;
CREATE INDEX alerts_by_owner ON alerts(guild_id, owner_id);

-- The expiry sweep looks at each alert once, after its expiry passes: it expires the active
-- ones and marks every one it saw, which takes it out of the index. An alert made active
-- again (resumed, paused by a failed delivery) is unmarked. `state` stays out of the index.
ALTER TABLE alerts ADD COLUMN expiry_swept INTEGER NOT NULL DEFAULT 0
    CHECK (expiry_swept IN (0, 1));
UPDATE alerts SET expiry_swept = 1 WHERE state IN ('expired', 'removed');
DROP INDEX alerts_by_expiry;
CREATE INDEX alerts_by_expiry ON alerts(expires_at) WHERE expiry_swept = 0;
