-- Session memory: a derived, versioned view of each conversation, rebuilt from the transcript's
-- facts and compacted under the tenant's token budget. The transcript itself is never rewritten.
CREATE TABLE conversation_memory (
    conversation_id         uuid PRIMARY KEY REFERENCES conversations (id),
    tenant_id               uuid        NOT NULL,
    summary                 text        NOT NULL DEFAULT '',
    summary_tokens          integer     NOT NULL DEFAULT 0,
    covered_through_seq     integer     NOT NULL DEFAULT 0,
    intent                  text,
    open_questions          jsonb       NOT NULL DEFAULT '[]',
    facts                   jsonb       NOT NULL DEFAULT '[]',
    last_prompt_tokens      integer     NOT NULL DEFAULT 0,
    compactions             integer     NOT NULL DEFAULT 0,
    extractive_compactions  integer     NOT NULL DEFAULT 0,
    updated_at              timestamptz NOT NULL,
    version                 bigint      NOT NULL DEFAULT 0
);
CREATE INDEX conversation_memory_tenant ON conversation_memory (tenant_id);
