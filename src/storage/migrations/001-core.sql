-- Catalog: the normalized Product as JSON, plus the columns filters and incremental indexing need.
CREATE TABLE products (
  id            TEXT PRIMARY KEY,
  data          TEXT NOT NULL,
  content_hash  TEXT NOT NULL,
  source        TEXT NOT NULL,
  updated_at    INTEGER NOT NULL,
  deleted       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX products_updated ON products(updated_at);

CREATE TABLE conversations (
  id          TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL,
  channel     TEXT NOT NULL,
  state       TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX conversations_user ON conversations(user_id);

CREATE TABLE messages (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id  TEXT NOT NULL REFERENCES conversations(id),
  role             TEXT NOT NULL CHECK (role IN ('user', 'bot', 'agent', 'system')),
  text             TEXT NOT NULL,
  payload          TEXT,
  ts               INTEGER NOT NULL
);
CREATE INDEX messages_conversation ON messages(conversation_id, seq);

-- Demo store: carts belong to a shopper (user id), orders to a shopper and an e-mail address.
CREATE TABLE cart_items (
  user_id           TEXT NOT NULL,
  product_id        TEXT NOT NULL,
  quantity          INTEGER NOT NULL CHECK (quantity > 0),
  unit_price_cents  INTEGER NOT NULL,
  currency          TEXT NOT NULL,
  added_at          INTEGER NOT NULL,
  PRIMARY KEY (user_id, product_id)
);

CREATE TABLE orders (
  id             TEXT PRIMARY KEY,
  user_id        TEXT NOT NULL,
  email          TEXT,
  status         TEXT NOT NULL,
  total_cents    INTEGER NOT NULL,
  currency       TEXT NOT NULL,
  items          TEXT NOT NULL,
  shipping       TEXT,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);
CREATE INDEX orders_user ON orders(user_id);
CREATE INDEX orders_email ON orders(email);

-- Funnel: the idempotency key is the primary key, so a retried event is stored once.
CREATE TABLE funnel_events (
  id               TEXT PRIMARY KEY,
  type             TEXT NOT NULL,
  ts               INTEGER NOT NULL,
  channel          TEXT NOT NULL,
  conversation_id  TEXT,
  user_id          TEXT,
  product_id       TEXT,
  data             TEXT NOT NULL
);
CREATE INDEX funnel_events_type_ts ON funnel_events(type, ts);
CREATE INDEX funnel_events_conversation ON funnel_events(conversation_id);

-- Signed webhook requests already accepted (replay protection), kept for the tolerance window.
CREATE TABLE webhook_nonces (
  signature   TEXT PRIMARY KEY,
  seen_at     INTEGER NOT NULL
);
