-- The usage ledger: one row per model call (chat, summarization, retries, failures), never updated.
-- Partitioned by month so old months can be detached or archived; reports read the roll-ups instead.

CREATE TABLE model_prices (
    id                              uuid PRIMARY KEY,
    provider                        text        NOT NULL,
    model                           text        NOT NULL,
    input_usd_per_million           numeric(20,6) NOT NULL CHECK (input_usd_per_million >= 0),
    -- NULL: the provider publishes no cached rate; cached tokens are then charged at the input rate
    cached_input_usd_per_million    numeric(20,6) CHECK (cached_input_usd_per_million >= 0),
    output_usd_per_million          numeric(20,6) NOT NULL CHECK (output_usd_per_million >= 0),
    effective_from                  timestamptz NOT NULL,
    created_at                      timestamptz NOT NULL,
    UNIQUE (provider, model, effective_from)
);

CREATE TABLE usage_ledger (
    id                      uuid        NOT NULL,
    occurred_at             timestamptz NOT NULL,
    tenant_id               uuid        NOT NULL,
    conversation_id         uuid,
    purpose                 text        NOT NULL,
    provider                text        NOT NULL,
    model                   text        NOT NULL,
    attempt                 integer     NOT NULL,
    outcome                 text        NOT NULL,
    error_type              text,
    prompt_tokens           integer     NOT NULL,
    cached_prompt_tokens    integer     NOT NULL,
    completion_tokens       integer     NOT NULL,
    tokens_estimated        boolean     NOT NULL,
    price_id                uuid,
    cost_usd                numeric(24,12) NOT NULL,
    priced                  boolean     NOT NULL,
    latency_ms              integer     NOT NULL,
    PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);

CREATE INDEX usage_ledger_conversation ON usage_ledger (tenant_id, conversation_id, occurred_at);
CREATE TABLE usage_ledger_default PARTITION OF usage_ledger DEFAULT;

-- Creates the month's partition if missing; the application calls it at start and daily for the
-- months ahead, so rows never land in the default partition in normal operation.
CREATE FUNCTION ensure_usage_partition(month_start date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    first_day date := date_trunc('month', month_start)::date;
    part_name text := 'usage_ledger_' || to_char(first_day, 'YYYY_MM');
BEGIN
    IF to_regclass(part_name) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF usage_ledger FOR VALUES FROM (%L) TO (%L)',
                       part_name, first_day::timestamp AT TIME ZONE 'UTC',
                       (first_day + interval '1 month')::timestamp AT TIME ZONE 'UTC');
    END IF;
END $$;

-- Roll-ups kept in the same transaction as each ledger row, so reports never scan the ledger.
CREATE TABLE usage_daily (
    tenant_id               uuid        NOT NULL,
    day                     date        NOT NULL,
    model                   text        NOT NULL,
    purpose                 text        NOT NULL,
    calls                   bigint      NOT NULL,
    failed_calls            bigint      NOT NULL,
    unpriced_calls          bigint      NOT NULL,
    prompt_tokens           bigint      NOT NULL,
    cached_prompt_tokens    bigint      NOT NULL,
    completion_tokens       bigint      NOT NULL,
    cost_usd                numeric(24,12) NOT NULL,
    PRIMARY KEY (tenant_id, day, model, purpose)
);

CREATE TABLE usage_conversation_monthly (
    tenant_id               uuid        NOT NULL,
    month                   date        NOT NULL,
    conversation_id         uuid        NOT NULL,
    calls                   bigint      NOT NULL,
    prompt_tokens           bigint      NOT NULL,
    completion_tokens       bigint      NOT NULL,
    cost_usd                numeric(24,12) NOT NULL,
    PRIMARY KEY (tenant_id, month, conversation_id)
);
CREATE INDEX usage_conversation_monthly_cost ON usage_conversation_monthly (tenant_id, month, cost_usd DESC);

-- Published list prices in USD per million tokens (input / cached input / output), as listed on
-- OpenAI's pricing page and collected in BENCHMARKS.md's sources; a NULL cached rate means none was
-- published for that model. New rows take effect from their effective_from; these are in force from 2024.
-- The simulated model carries gpt-4o-mini's price so demos and load tests produce realistic reports.
INSERT INTO model_prices (id, provider, model, input_usd_per_million, cached_input_usd_per_million,
                          output_usd_per_million, effective_from, created_at) VALUES
 ('0190a000-0000-7000-8000-000000000001', 'openai', 'gpt-4o',        2.50, 1.25,  10.00, '2024-01-01T00:00:00Z', now()),
 ('0190a000-0000-7000-8000-000000000002', 'openai', 'gpt-4o-mini',   0.15, 0.075,  0.60, '2024-01-01T00:00:00Z', now()),
 ('0190a000-0000-7000-8000-000000000003', 'openai', 'gpt-4.1',       2.00, NULL,   8.00, '2024-01-01T00:00:00Z', now()),
 ('0190a000-0000-7000-8000-000000000004', 'openai', 'gpt-4.1-mini',  0.40, NULL,   1.60, '2024-01-01T00:00:00Z', now()),
 ('0190a000-0000-7000-8000-000000000005', 'openai', 'gpt-4.1-nano',  0.10, NULL,   0.40, '2024-01-01T00:00:00Z', now()),
 ('0190a000-0000-7000-8000-000000000006', 'openai', 'gpt-5',         1.25, NULL,  10.00, '2024-01-01T00:00:00Z', now()),
 ('0190a000-0000-7000-8000-000000000007', 'openai', 'gpt-5-mini',    0.25, NULL,   2.00, '2024-01-01T00:00:00Z', now()),
 ('0190a000-0000-7000-8000-000000000008', 'openai', 'gpt-5.1',       1.25, 0.125, 10.00, '2024-01-01T00:00:00Z', now()),
 ('0190a000-0000-7000-8000-000000000009', 'openai', 'gpt-5.4',       2.50, 0.25,  15.00, '2024-01-01T00:00:00Z', now()),
 ('0190a000-0000-7000-8000-00000000000a', 'openai', 'gpt-5.4-mini',  0.75, 0.075,  4.50, '2024-01-01T00:00:00Z', now()),
 ('0190a000-0000-7000-8000-00000000000b', 'openai', 'gpt-5.4-nano',  0.20, 0.02,   1.25, '2024-01-01T00:00:00Z', now()),
 ('0190a000-0000-7000-8000-00000000000c', 'simulated', 'simulated-1', 0.15, 0.075, 0.60, '2024-01-01T00:00:00Z', now());
