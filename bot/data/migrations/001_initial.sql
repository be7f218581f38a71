-- 001: the first schema of the Minerwatch store.
-- Conventions: times are ISO-8601 UTC text ('2026-11-26T14:30:00+00:00'), dates are
-- 'YYYY-MM-DD' (the ledger may hold 'YYYY-MM' or 'YYYY' where only that is known),
-- Discord ids are INTEGER snowflakes, money is nominal USD, power is MW.

CREATE TABLE store_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Companies: the tracked universe (miners, neoclouds, hyperscalers, chipmakers, crypto).
CREATE TABLE companies (
    symbol                  TEXT PRIMARY KEY CHECK (length(symbol) BETWEEN 1 AND 15),
    name                    TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    former_name             TEXT,
    exchange                TEXT,
    kind                    TEXT NOT NULL
                            CHECK (kind IN ('miner', 'neocloud', 'hyperscaler', 'chipmaker', 'crypto', 'other')),
    hq                      TEXT,
    hq_provenance           TEXT CHECK (hq_provenance IN ('retrieved', 'derived', 'background_knowledge', 'mixed')),
    still_mines_btc         INTEGER CHECK (still_mines_btc IN (0, 1)),
    still_mines_btc_as_of   TEXT,
    still_mines_btc_note    TEXT,
    power_mw                REAL CHECK (power_mw >= 0),
    power_basis             TEXT,
    power_approx            INTEGER NOT NULL DEFAULT 0 CHECK (power_approx IN (0, 1)),
    power_as_of             TEXT,
    power_note              TEXT,
    on_board                INTEGER NOT NULL DEFAULT 0 CHECK (on_board IN (0, 1)),
    as_of                   TEXT,
    confidence              TEXT CHECK (confidence IN ('high', 'medium', 'low')),
    provenance              TEXT CHECK (provenance IN ('retrieved', 'derived', 'background_knowledge', 'mixed')),
    seed_snapshot           TEXT,                   -- JSON of the shipped record last applied
    updated_at              TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE company_aliases (
    alias   TEXT PRIMARY KEY CHECK (alias = lower(alias) AND length(alias) BETWEEN 1 AND 50),
    symbol  TEXT NOT NULL REFERENCES companies(symbol) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE company_sources (
    id      INTEGER PRIMARY KEY,
    symbol  TEXT NOT NULL REFERENCES companies(symbol) ON DELETE CASCADE,
    url     TEXT NOT NULL CHECK ((url LIKE 'http://%' OR url LIKE 'https://%') AND length(url) <= 2048),
    title   TEXT,
    date    TEXT,
    kind    TEXT
);
CREATE INDEX company_sources_by_symbol ON company_sources(symbol);

CREATE TABLE sites (
    id          INTEGER PRIMARY KEY,
    symbol      TEXT NOT NULL REFERENCES companies(symbol) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    location    TEXT,
    power_mw    REAL CHECK (power_mw >= 0),
    mw_basis    TEXT,
    note        TEXT,
    as_of       TEXT,
    confidence  TEXT CHECK (confidence IN ('high', 'medium', 'low')),
    provenance  TEXT CHECK (provenance IN ('retrieved', 'derived', 'background_knowledge', 'mixed'))
);
CREATE INDEX sites_by_symbol ON sites(symbol);

-- Contracts: the AI/HPC ledger. guild_id NULL = the global ledger (bot owners only);
-- otherwise the contract belongs to that server and only that server sees it.
CREATE TABLE contracts (
    id                        INTEGER PRIMARY KEY,
    key                       TEXT UNIQUE,            -- stable id of a shipped row; NULL for user rows
    guild_id                  INTEGER,
    origin                    TEXT NOT NULL CHECK (origin IN ('seed', 'user')),
    host_symbol               TEXT NOT NULL REFERENCES companies(symbol),
    counterparty              TEXT NOT NULL CHECK (length(counterparty) BETWEEN 1 AND 200),
    end_customer              TEXT,
    backstop                  TEXT,
    deal_type                 TEXT CHECK (deal_type IN ('colocation_lease', 'powered_shell_lease',
                                  'gpu_cloud_services', 'joint_venture', 'merger_agreement',
                                  'acquisition', 'partnership')),
    announced_date            TEXT,
    mw_critical_it            REAL CHECK (mw_critical_it BETWEEN 0 AND 10000),
    mw_gross                  REAL CHECK (mw_gross BETWEEN 0 AND 10000),
    mw_note                   TEXT,
    term_years                REAL CHECK (term_years BETWEEN 0 AND 99),
    extension_options         TEXT,
    total_contract_value_usd  REAL CHECK (total_contract_value_usd BETWEEN 0 AND 1e13),
    tcv_approx                INTEGER NOT NULL DEFAULT 0 CHECK (tcv_approx IN (0, 1)),
    tcv_with_extensions_usd   REAL CHECK (tcv_with_extensions_usd BETWEEN 0 AND 1e13),
    annualised_revenue_usd    REAL CHECK (annualised_revenue_usd BETWEEN 0 AND 1e13),
    annualised_revenue_basis  TEXT CHECK (annualised_revenue_basis IN ('company_stated', 'derived')),
    annualised_revenue_note   TEXT,
    gpu_type                  TEXT,
    gpu_count                 INTEGER CHECK (gpu_count >= 0),
    site                      TEXT,
    site_location             TEXT,
    expected_delivery         TEXT,
    status                    TEXT NOT NULL CHECK (status IN ('announced', 'mou', 'conditional', 'signed',
                                  'under_construction', 'partially_energized', 'energized', 'terminated')),
    status_as_of              TEXT NOT NULL,
    status_note               TEXT,
    confidence                TEXT NOT NULL CHECK (confidence IN ('high', 'medium', 'low')),
    provenance                TEXT CHECK (provenance IN ('retrieved', 'derived', 'background_knowledge', 'mixed')),
    post_article              INTEGER CHECK (post_article IN (0, 1)),
    notes                     TEXT,
    seed_snapshot             TEXT,                   -- JSON of the shipped record last applied
    created_by                INTEGER,                -- Discord user id; NULL for the shipped ledger
    created_at                TEXT NOT NULL,
    updated_at                TEXT NOT NULL,
    deleted_at                TEXT,
    CHECK (origin = 'user' OR key IS NOT NULL),
    CHECK (origin = 'user' OR guild_id IS NULL)
);
CREATE INDEX contracts_by_scope ON contracts(guild_id, host_symbol) WHERE deleted_at IS NULL;
CREATE INDEX contracts_by_host ON contracts(host_symbol);

CREATE TABLE contract_sources (
    id           INTEGER PRIMARY KEY,
    contract_id  INTEGER NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position >= 0),
    url          TEXT NOT NULL CHECK ((url LIKE 'http://%' OR url LIKE 'https://%') AND length(url) <= 2048),
    title        TEXT,
    date         TEXT,
    kind         TEXT,
    UNIQUE (contract_id, position)
);

-- Every change to a contract, written in the same transaction as the change.
CREATE TABLE contract_history (
    id           INTEGER PRIMARY KEY,
    contract_id  INTEGER NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
    at           TEXT NOT NULL,
    actor_id     INTEGER,                              -- Discord user id; NULL for the shipped ledger
    actor_label  TEXT NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'restore')),
    field        TEXT,
    old_value    TEXT,
    new_value    TEXT
);
CREATE INDEX contract_history_by_contract ON contract_history(contract_id, id);
CREATE INDEX contract_history_by_time ON contract_history(at);

-- Per-server settings: the daily summary, the contract watch, an opt-in role to ping.
CREATE TABLE guild_settings (
    guild_id            INTEGER PRIMARY KEY,
    summary_channel_id  INTEGER,
    summary_time        TEXT NOT NULL DEFAULT '16:30'
                        CHECK (summary_time GLOB '[0-2][0-9]:[0-5][0-9]' AND summary_time < '24:00'),
    summary_timezone    TEXT NOT NULL DEFAULT 'America/New_York',
    summary_days        TEXT NOT NULL DEFAULT 'trading' CHECK (summary_days IN ('trading', 'daily', 'weekdays')),
    summary_enabled     INTEGER NOT NULL DEFAULT 0 CHECK (summary_enabled IN (0, 1)),
    watch_channel_id    INTEGER,
    alert_role_id       INTEGER,
    updated_at          TEXT NOT NULL,
    CHECK (summary_enabled = 0 OR summary_channel_id IS NOT NULL)
);

-- Price alerts. The trigger index serves "which alerts did this move cross" as a range query.
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    channel_id      INTEGER NOT NULL,
    owner_id        INTEGER NOT NULL,
    symbol          TEXT NOT NULL CHECK (length(symbol) BETWEEN 1 AND 15),
    kind            TEXT NOT NULL CHECK (kind IN ('above', 'below', 'move_pct')),
    level           REAL NOT NULL CHECK (level > 0 AND level < 1e12),
    repeat          INTEGER NOT NULL DEFAULT 0 CHECK (repeat IN (0, 1)),
    via_dm          INTEGER NOT NULL DEFAULT 0 CHECK (via_dm IN (0, 1)),
    state           TEXT NOT NULL DEFAULT 'armed'
                    CHECK (state IN ('armed', 'rearming', 'fired', 'paused', 'expired', 'removed')),
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    fired_count     INTEGER NOT NULL DEFAULT 0 CHECK (fired_count >= 0),
    last_fired_at   TEXT,
    cooldown_until  TEXT,
    snoozed_until   TEXT,
    move_up_day     TEXT,
    move_down_day   TEXT,
    paused_reason   TEXT,
    note            TEXT CHECK (note IS NULL OR length(note) <= 200)
);
CREATE INDEX alerts_trigger ON alerts(symbol, kind, state, level);
CREATE INDEX alerts_by_owner ON alerts(guild_id, owner_id, state);
CREATE INDEX alerts_by_expiry ON alerts(state, expires_at);

-- Everything the bot owes a channel or a user, written in the transaction that decides it.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    dedupe_key       TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL CHECK (kind IN ('alert', 'summary', 'watch', 'notice')),
    guild_id         INTEGER,
    channel_id       INTEGER,
    user_id          INTEGER,
    payload          TEXT NOT NULL,                    -- JSON: content, embeds, files to render
    nonce            TEXT NOT NULL CHECK (length(nonce) <= 25),
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'delivered', 'undeliverable')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    delivered_at     TEXT,
    message_id       INTEGER,
    last_error       TEXT,
    CHECK (channel_id IS NOT NULL OR user_id IS NOT NULL)
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

-- Daily price history, refreshed once a day, for charts and the board's 1-month change.
CREATE TABLE price_history (
    symbol      TEXT NOT NULL,
    day         TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    open        REAL CHECK (open > 0),
    high        REAL CHECK (high > 0),
    low         REAL CHECK (low > 0),
    close       REAL NOT NULL CHECK (close > 0),
    volume      REAL CHECK (volume >= 0),
    fetched_at  TEXT NOT NULL,
    PRIMARY KEY (symbol, day)
) WITHOUT ROWID;
