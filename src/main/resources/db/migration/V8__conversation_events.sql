-- Every change a widget or an agent watches, in the order it happened: a message appended, or the
-- conversation's status changed. Written in the transaction that made the change (the conversation's
-- row lock orders them), read by the event streams after a notification, and replayed to a client that
-- reconnects with Last-Event-ID. Message events point at the transcript: content is read from there,
-- so erasing a conversation erases its events too (the foreign key cascades).
ALTER TABLE conversations ADD COLUMN last_event_seq bigint NOT NULL DEFAULT 0;

CREATE TABLE conversation_events (
    tenant_id           uuid        NOT NULL,
    conversation_id     uuid        NOT NULL,
    seq                 bigint      NOT NULL,
    kind                text        NOT NULL CHECK (kind IN ('MESSAGE', 'STATUS')),
    message_seq         integer,
    status              text,
    created_at          timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, seq),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
