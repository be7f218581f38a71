-- 012: the market session an alert fires in. 'regular': only on prices traded in the
-- regular session (what every alert did before live prices, since the poll only ever saw
-- regular-session prices); 'extended': also on pre- and post-market trades. Crypto pairs
-- trade around the clock and have no session to limit.
ALTER TABLE alerts ADD COLUMN session TEXT NOT NULL DEFAULT 'regular'
    CHECK (session IN ('regular', 'extended'));
