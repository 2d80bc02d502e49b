-- A hard budget is a hard cap: every model call of a tenant with a monthly budget first holds its
-- largest possible cost (its prompt and the most output it may write, at the price in force), and the
-- hold is settled in the ledger's transaction when the call is recorded. A call is refused when the
-- month's spend plus the open holds plus its own would pass the budget. Holds of calls whose instance
-- died expire. budget_months serialises a tenant's holds within a month.
CREATE TABLE budget_months (
    tenant_id       uuid            NOT NULL,
    month           date            NOT NULL,
    held_usd        numeric(24,12)  NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, month)
);
CREATE TABLE budget_holds (
    tenant_id       uuid            NOT NULL,
    id              uuid            NOT NULL,
    month           date            NOT NULL,
    amount_usd      numeric(24,12)  NOT NULL,
    expires_at      timestamptz     NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- the expiry sweep's cross-tenant scan
CREATE INDEX budget_holds_expiry ON budget_holds (expires_at);

-- the fair job queue takes each tenant's due jobs with a statement scoped to that tenant
CREATE INDEX async_jobs_tenant_queue ON async_jobs (tenant_id, next_run_at) WHERE status = 'QUEUED';

-- when a job was last taken by a worker (what waiting in the queue is measured against)
ALTER TABLE async_jobs ADD COLUMN started_at timestamptz;
