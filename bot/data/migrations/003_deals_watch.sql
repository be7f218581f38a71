-- 003: where the deal watch of each server has got to in the contract history.
-- A change is posted once per watching server: the watch enqueues the posts for every history
-- entry after this id and moves it forward in the same transaction, so after a crash it picks
-- up exactly where it stopped. NULL while the server does not watch.
ALTER TABLE guild_settings ADD COLUMN watch_after_history_id INTEGER
    CHECK (watch_after_history_id IS NULL OR watch_after_history_id >= 0);
