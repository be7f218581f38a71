-- 007: contract proposals read from SEC filings, waiting for a person to confirm them.
-- A draft is never a ledger fact: the ledger's views, totals and boards read only
-- `contracts`. Confirming a draft writes its contract and marks it confirmed in one
-- transaction. The filing is recorded in the draft's own columns (accession, CIK, form,
-- dates, URL) so a draft stands on its own whatever keeps the filings themselves.

CREATE TABLE filing_drafts (
    id                        INTEGER PRIMARY KEY,
    guild_id                  INTEGER,                -- NULL: for the global ledger (bot owners)
    accession                 TEXT NOT NULL CHECK (accession GLOB '[0-9]*-[0-9][0-9]-[0-9]*'
                                                   AND length(accession) <= 25),
    proposal_index            INTEGER NOT NULL CHECK (proposal_index >= 0),
    cik                       TEXT NOT NULL CHECK (cik GLOB '[0-9]*' AND length(cik) BETWEEN 1 AND 10),
    form                      TEXT NOT NULL CHECK (length(form) BETWEEN 1 AND 20),
    filed_date                TEXT NOT NULL CHECK (filed_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    accepted_at               TEXT,
    filing_url                TEXT NOT NULL CHECK ((filing_url LIKE 'http://%' OR filing_url LIKE 'https://%')
                                                   AND length(filing_url) <= 2048),
    filing_title              TEXT CHECK (filing_title IS NULL OR length(filing_title) <= 300),
    host_symbol               TEXT NOT NULL REFERENCES companies(symbol),
    counterparty              TEXT CHECK (counterparty IS NULL OR length(counterparty) BETWEEN 1 AND 200),
    end_customer              TEXT CHECK (end_customer IS NULL OR length(end_customer) <= 200),
    backstop                  TEXT CHECK (backstop IS NULL OR length(backstop) <= 1000),
    mw_critical_it            REAL CHECK (mw_critical_it BETWEEN 0 AND 10000),
    mw_gross                  REAL CHECK (mw_gross BETWEEN 0 AND 10000),
    mw_note                   TEXT CHECK (mw_note IS NULL OR length(mw_note) <= 1000),
    term_years                REAL CHECK (term_years BETWEEN 0 AND 99),
    total_contract_value_usd  REAL CHECK (total_contract_value_usd BETWEEN 0 AND 1e13),
    value_kind                TEXT NOT NULL DEFAULT 'contracted_revenue'
                              CHECK (value_kind IN ('contracted_revenue', 'target', 'purchase_price')),
    value_exactness           TEXT NOT NULL DEFAULT 'exact'
                              CHECK (value_exactness IN ('exact', 'approximate', 'floor', 'range')),
    value_high_usd            REAL CHECK (value_high_usd BETWEEN 0 AND 1e13),
    site                      TEXT CHECK (site IS NULL OR length(site) <= 200),
    announced_date            TEXT,
    evidence                  TEXT NOT NULL DEFAULT '{}',  -- JSON: field -> the words it was read from
    state                     TEXT NOT NULL DEFAULT 'pending'
                              CHECK (state IN ('pending', 'confirmed', 'dismissed')),
    contract_id               INTEGER REFERENCES contracts(id),
    decided_by                INTEGER,                -- Discord user id of who confirmed or dismissed
    decided_at                TEXT,
    edited_by                 INTEGER,
    edited_at                 TEXT,
    created_at                TEXT NOT NULL,
    CHECK ((state = 'confirmed') = (contract_id IS NOT NULL)),
    CHECK ((state = 'pending') = (decided_at IS NULL))
);
-- One draft per proposal of a filing and ledger, however often the filing is read.
CREATE UNIQUE INDEX filing_drafts_once ON filing_drafts(accession, proposal_index, ifnull(guild_id, 0));
CREATE INDEX filing_drafts_pending ON filing_drafts(state, guild_id, id);
