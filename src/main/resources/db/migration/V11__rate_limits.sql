-- Rate limits shared by every instance: Bucket4j's token buckets, one row per tenant ("t:<id>") and per
-- API key ("k:<id>"); each instance spends locally and settles with its row every few tokens, so the
-- row is not written on every request. A tenant may have its own limits (null: the deployment's).
CREATE TABLE rate_limit_buckets (
    id          text PRIMARY KEY,
    state       bytea,
    expires_at  bigint
);
ALTER TABLE tenants ADD COLUMN requests_per_second integer,
                    ADD COLUMN request_burst integer,
                    ADD COLUMN key_requests_per_second integer,
                    ADD COLUMN key_request_burst integer;
