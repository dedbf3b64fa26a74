-- The support desk (issue 17): what agents add to a ticket, first responses for service levels, and
-- which Slack/Teams thread carries which conversation, so none of it is lost on a restart.
ALTER TABLE handoff_tickets ADD COLUMN topic TEXT;
ALTER TABLE handoff_tickets ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE handoff_tickets ADD COLUMN snoozed_until INTEGER;
ALTER TABLE handoff_tickets ADD COLUMN first_response_at INTEGER;
ALTER TABLE handoff_tickets ADD COLUMN resolution TEXT;
ALTER TABLE handoff_tickets ADD COLUMN breach_alerted TEXT NOT NULL DEFAULT '[]';

-- Internal notes: agents only, never shown to the shopper.
CREATE TABLE handoff_notes (
  id               TEXT PRIMARY KEY,
  ticket_id        TEXT NOT NULL,
  conversation_id  TEXT NOT NULL,
  user_id          TEXT NOT NULL,
  agent_id         TEXT NOT NULL,
  text             TEXT NOT NULL,
  ts               INTEGER NOT NULL
);
CREATE INDEX handoff_notes_ticket ON handoff_notes(ticket_id, ts);

-- One open thread per conversation and support desk ('slack', 'teams').
CREATE TABLE handoff_threads (
  desk             TEXT NOT NULL,
  conversation_id  TEXT NOT NULL,
  thread_ref       TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  PRIMARY KEY (desk, conversation_id)
);
CREATE UNIQUE INDEX handoff_threads_ref ON handoff_threads(desk, thread_ref);
