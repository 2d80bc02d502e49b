-- Tenants, their API keys, conversations and the append-only transcript.
-- Every table carries tenant_id and every query filters by it, so the schema can later be
-- distributed by tenant_id (Citus) without rewriting queries.

CREATE TABLE tenants (
    id                      uuid PRIMARY KEY,
    name                    text        NOT NULL,
    context_token_budget    integer     NOT NULL,
    confidence_threshold    numeric(4,3) NOT NULL,
    model                   text,                  -- NULL: the deployment's default model
    monthly_budget_usd      numeric(20,6),
    soft_budget_ratio       numeric(4,3) NOT NULL,
    hard_limit_action       text        NOT NULL CHECK (hard_limit_action IN ('REJECT', 'HANDOFF')),
    policy_topics           jsonb       NOT NULL DEFAULT '[]',
    sensitive_patterns      jsonb       NOT NULL DEFAULT '[]',
    low_confidence_streak   integer     NOT NULL,
    webhook_url             text,
    webhook_secret          text,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL
);

-- Keys are stored only as a SHA-256 hash: they are 256-bit random strings, so a slow
-- password hash adds latency to every request without adding security.
CREATE TABLE api_keys (
    id          uuid PRIMARY KEY,
    tenant_id   uuid REFERENCES tenants (id),          -- NULL for platform keys
    key_hash    bytea       NOT NULL UNIQUE,
    key_prefix  text        NOT NULL,
    roles       text[]      NOT NULL,
    label       text,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE conversations (
    id                  uuid PRIMARY KEY,
    tenant_id           uuid        NOT NULL REFERENCES tenants (id),
    status              text        NOT NULL CHECK (status IN ('BOT', 'AWAITING_AGENT', 'WITH_AGENT', 'CLOSED')),
    external_user_ref   text,
    metadata            jsonb       NOT NULL DEFAULT '{}',
    last_seq            integer     NOT NULL DEFAULT 0,
    -- one model turn at a time per conversation; a stale token (crashed instance) expires
    turn_token          uuid,
    turn_started_at     timestamptz,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    version             bigint      NOT NULL DEFAULT 0
);
CREATE INDEX conversations_tenant ON conversations (tenant_id, created_at);

CREATE TABLE messages (
    conversation_id     uuid        NOT NULL REFERENCES conversations (id),
    seq                 integer     NOT NULL,
    tenant_id           uuid        NOT NULL,
    role                text        NOT NULL CHECK (role IN ('CUSTOMER', 'ASSISTANT', 'AGENT', 'SYSTEM')),
    content             text        NOT NULL,
    -- for ASSISTANT messages: the customer message answered, and the model's structured answer
    in_reply_to         integer,
    model_answer        jsonb,
    author              text,
    created_at          timestamptz NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
-- A customer message is answered at most once, however often a turn or a job is re-run.
CREATE UNIQUE INDEX messages_one_reply ON messages (conversation_id, in_reply_to) WHERE role = 'ASSISTANT';

CREATE TABLE idempotency_keys (
    tenant_id           uuid        NOT NULL,
    conversation_id     uuid        NOT NULL,
    idempotency_key     text        NOT NULL,
    request_hash        bytea       NOT NULL,
    response            jsonb,
    created_at          timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, idempotency_key)
);
