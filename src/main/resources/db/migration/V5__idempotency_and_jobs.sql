-- Async turns: a durable queue in PostgreSQL, taken with FOR UPDATE SKIP LOCKED by workers in every
-- instance. A job whose worker died is taken again once its lease has passed; completing a job is
-- conditional on still holding that lease, and a customer message is answered at most once
-- (messages_one_reply), so a repeated run cannot duplicate a reply.
CREATE TABLE async_jobs (
    id                  uuid PRIMARY KEY,
    tenant_id           uuid        NOT NULL REFERENCES tenants (id),
    conversation_id     uuid        NOT NULL REFERENCES conversations (id),
    customer_seq        integer     NOT NULL,
    status              text        NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'DONE', 'DEAD')),
    attempts            integer     NOT NULL DEFAULT 0,
    next_run_at         timestamptz NOT NULL,
    lease_token         uuid,
    lease_until         timestamptz,
    locked_by           text,
    last_error          text,
    reply_seq           integer,
    handoff_id          uuid,
    webhook_state       text        CHECK (webhook_state IN ('PENDING', 'DELIVERED', 'FAILED')),
    webhook_attempts    integer     NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    UNIQUE (conversation_id, customer_seq)
);
CREATE INDEX async_jobs_runnable ON async_jobs (next_run_at) WHERE status = 'QUEUED';
CREATE INDEX async_jobs_leases ON async_jobs (lease_until) WHERE status = 'RUNNING';
CREATE INDEX async_jobs_webhooks ON async_jobs (updated_at) WHERE webhook_state = 'PENDING';
CREATE INDEX async_jobs_tenant ON async_jobs (tenant_id, created_at);
