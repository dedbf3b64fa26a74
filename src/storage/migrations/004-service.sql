-- Customer service (issue 6). Returns and refunds of demo-store orders, and the human handoff queue.
CREATE TABLE order_returns (
  id            TEXT PRIMARY KEY,
  order_id      TEXT NOT NULL REFERENCES orders(id),
  reason        TEXT NOT NULL,
  note          TEXT,
  refund_cents  INTEGER NOT NULL,
  fee_cents     INTEGER NOT NULL,
  created_at    INTEGER NOT NULL
);
CREATE INDEX order_returns_order ON order_returns(order_id);

-- One refund per order (cancellation or return); its status follows from the clock, like fulfilment.
CREATE TABLE order_refunds (
  order_id      TEXT PRIMARY KEY REFERENCES orders(id),
  amount_cents  INTEGER NOT NULL,
  currency      TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('cancellation', 'return')),
  created_at    INTEGER NOT NULL,
  -- When the money leaves the store (a return refund waits for the parcel to arrive).
  issues_at     INTEGER NOT NULL
);

-- Conversations waiting for, or owned by, a human agent. One open ticket per conversation.
CREATE TABLE handoff_tickets (
  id               TEXT PRIMARY KEY,
  conversation_id  TEXT NOT NULL,
  user_id          TEXT NOT NULL,
  channel          TEXT NOT NULL,
  team             TEXT NOT NULL,
  priority         INTEGER NOT NULL,
  reason           TEXT NOT NULL,
  lang             TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('queued', 'assigned', 'resolved', 'returned')),
  agent_id         TEXT,
  summary          TEXT NOT NULL,
  requested_at     INTEGER NOT NULL,
  assigned_at      INTEGER,
  closed_at        INTEGER
);
CREATE INDEX handoff_tickets_open ON handoff_tickets(status, team, priority, requested_at);
CREATE INDEX handoff_tickets_conversation ON handoff_tickets(conversation_id, status);
