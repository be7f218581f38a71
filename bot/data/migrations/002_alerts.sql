-- 002: which alerts each outbox message carries.
-- A message that cannot be delivered pauses exactly the alerts behind it, and a summary can
-- tell which firings reached their destination; both need this link, not a scan of payloads.
CREATE TABLE outbox_alerts (
    outbox_id  INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    alert_id   INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    PRIMARY KEY (outbox_id, alert_id)
) WITHOUT ROWID;
CREATE INDEX outbox_alerts_by_alert ON outbox_alerts(alert_id);
