-- Online learning: one row per named model (ranking CTR/CVR towers, coupon uplift), replaced on each checkpoint.
CREATE TABLE learning_checkpoints (
  name        TEXT PRIMARY KEY,
  version     INTEGER NOT NULL,
  model       BLOB NOT NULL,
  meta        TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
);

-- Coupons: merchant campaigns, the codes issued, and redemptions. A code redeems at most once
-- (primary key), and the budget check sums redemptions inside the redeeming transaction.
CREATE TABLE coupon_campaigns (
  id          TEXT PRIMARY KEY,
  data        TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);

CREATE TABLE coupon_codes (
  code         TEXT PRIMARY KEY,
  campaign_id  TEXT NOT NULL REFERENCES coupon_campaigns(id),
  user_id      TEXT NOT NULL,
  issued_at    INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
);
CREATE INDEX coupon_codes_campaign_user ON coupon_codes(campaign_id, user_id);

CREATE TABLE coupon_redemptions (
  code            TEXT PRIMARY KEY REFERENCES coupon_codes(code),
  campaign_id     TEXT NOT NULL REFERENCES coupon_campaigns(id),
  user_id         TEXT NOT NULL,
  order_id        TEXT NOT NULL,
  discount_cents  INTEGER NOT NULL,
  redeemed_at     INTEGER NOT NULL
);
CREATE INDEX coupon_redemptions_campaign_user ON coupon_redemptions(campaign_id, user_id);
