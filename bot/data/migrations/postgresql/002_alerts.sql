-- 002: which alerts each outbox message carries.
-- A message that cannot be delivered pauses exactly the alerts behind it, and a summary can
-- tell which firings reached their destination; both need this link, not a scan of payloads.
-- PostgreSQL's text of this migration: BIGINT ids; no WITHOUT ROWID.
CREATE TABLE outbox_alerts (
    outbox_id  BIGINT NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    alert_id   BIGINT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    PRIMARY KEY (outbox_id, alert_id)
);
CREATE INDEX outbox_alerts_by_alert ON outbox_alerts(alert_id);
