-- Human handoff: one open handoff per conversation at most, with the package the agent needs
-- (a snapshot of memory and the model's last reasoning state taken when it was opened).
CREATE TABLE handoffs (
    id                      uuid PRIMARY KEY,
    tenant_id               uuid        NOT NULL REFERENCES tenants (id),
    conversation_id         uuid        NOT NULL REFERENCES conversations (id),
    status                  text        NOT NULL CHECK (status IN ('PENDING', 'CLAIMED', 'RESOLVED')),
    reason                  text        NOT NULL,
    reason_detail           text,
    priority                integer     NOT NULL,
    created_at              timestamptz NOT NULL,
    -- the transcript up to this message is the context of the handoff; later customer messages arrived while waiting
    through_seq             integer     NOT NULL,
    summary                 text        NOT NULL DEFAULT '',
    facts                   jsonb       NOT NULL DEFAULT '[]',
    intent                  text,
    open_questions          jsonb       NOT NULL DEFAULT '[]',
    last_model_answer       jsonb,
    confidence_history      jsonb       NOT NULL DEFAULT '[]',
    suggested_next_action   text        NOT NULL,
    claimed_by              text,
    claimed_key_id          uuid,
    claimed_at              timestamptz,
    lease_until             timestamptz,
    claims                  integer     NOT NULL DEFAULT 0,
    resolved_at             timestamptz,
    resolution              text,
    resolution_note         text,
    version                 bigint      NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX handoffs_one_open_per_conversation ON handoffs (conversation_id) WHERE status <> 'RESOLVED';
CREATE INDEX handoffs_queue ON handoffs (tenant_id, priority DESC, created_at) WHERE status = 'PENDING';
CREATE INDEX handoffs_leases ON handoffs (lease_until) WHERE status = 'CLAIMED';
CREATE INDEX handoffs_conversation ON handoffs (tenant_id, conversation_id, created_at);
