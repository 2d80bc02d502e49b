-- Budget alerts and cost anomalies, each recorded once (the unique keys make a repeated detection
-- harmless across instances) the moment the call that caused it is written.
CREATE TABLE budget_alerts (
    tenant_id       uuid        NOT NULL,
    month           date        NOT NULL,
    level           text        NOT NULL CHECK (level IN ('SOFT', 'HARD')),
    spent_usd       numeric(24,12) NOT NULL,
    budget_usd      numeric(20,6) NOT NULL,
    detected_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, month, level)
);

CREATE TABLE cost_anomalies (
    id              uuid PRIMARY KEY,
    tenant_id       uuid        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('DAILY_SPEND_SPIKE', 'CONVERSATION_COST_OUTLIER')),
    -- the day (YYYY-MM-DD) of a spike, or the conversation id of an outlier
    subject         text        NOT NULL,
    month           date        NOT NULL,
    observed_usd    numeric(24,12) NOT NULL,
    baseline_usd    numeric(24,12) NOT NULL,
    detected_at     timestamptz NOT NULL,
    UNIQUE (tenant_id, kind, subject)
);
CREATE INDEX cost_anomalies_month ON cost_anomalies (tenant_id, month);
