-- 005: what each figure of a contract is, who the parties are, and private companies.
-- Totals count like with like: a deal's kind (lease, GPU-cloud services, joint venture,
-- acquisition / investment, partnership / MOU), its money figure's kind (contracted revenue,
-- a target, a purchase price) and exactness (exact, approximate, a floor "more than", a
-- range) are data beside the numbers, which stay numbers.
-- PostgreSQL's text of this migration: DOUBLE PRECISION for REAL (PostgreSQL's REAL is single
-- precision).

ALTER TABLE contracts ADD COLUMN deal_kind TEXT NOT NULL DEFAULT 'lease'
    CHECK (deal_kind IN ('lease', 'gpu_cloud_services', 'joint_venture',
                         'acquisition_investment', 'partnership_mou'));
ALTER TABLE contracts ADD COLUMN value_kind TEXT NOT NULL DEFAULT 'contracted_revenue'
    CHECK (value_kind IN ('contracted_revenue', 'target', 'purchase_price'));
ALTER TABLE contracts ADD COLUMN value_exactness TEXT NOT NULL DEFAULT 'exact'
    CHECK (value_exactness IN ('exact', 'approximate', 'floor', 'range'));
-- The top of a range (the value holds its low end).
ALTER TABLE contracts ADD COLUMN value_high_usd DOUBLE PRECISION
    CHECK (value_high_usd BETWEEN 0 AND 1e13);
-- An optional purchase the counterparty may make on top of the firm value: never counted.
ALTER TABLE contracts ADD COLUMN optional_value_usd DOUBLE PRECISION
    CHECK (optional_value_usd BETWEEN 0 AND 1e13);
-- The host's share of a joint venture, in percent; NULL: the host holds the whole deal.
ALTER TABLE contracts ADD COLUMN host_share_pct DOUBLE PRECISION
    CHECK (host_share_pct > 0 AND host_share_pct <= 100);
-- Tracked companies on the other side of the deal (the text fields keep the wording).
ALTER TABLE contracts ADD COLUMN counterparty_symbol TEXT REFERENCES companies(symbol);
ALTER TABLE contracts ADD COLUMN end_customer_symbol TEXT REFERENCES companies(symbol);
ALTER TABLE contracts ADD COLUMN backstop_symbol TEXT REFERENCES companies(symbol);

-- Existing rows: the kind follows the deal type; rows without one (members' entries) were
-- counted as hosting deals so far and stay leases.
UPDATE contracts SET deal_kind = CASE deal_type
    WHEN 'gpu_cloud_services' THEN 'gpu_cloud_services'
    WHEN 'joint_venture' THEN 'joint_venture'
    WHEN 'merger_agreement' THEN 'acquisition_investment'
    WHEN 'acquisition' THEN 'acquisition_investment'
    WHEN 'partnership' THEN 'partnership_mou'
    ELSE 'lease' END;
UPDATE contracts SET value_kind = 'purchase_price' WHERE deal_kind = 'acquisition_investment';
UPDATE contracts SET value_exactness = 'approximate' WHERE tcv_approx = 1;
ALTER TABLE contracts DROP COLUMN tcv_approx;

-- A private company (no ticker on any exchange) is never priced or polled.
ALTER TABLE companies ADD COLUMN listed INTEGER NOT NULL DEFAULT 1 CHECK (listed IN (0, 1));
