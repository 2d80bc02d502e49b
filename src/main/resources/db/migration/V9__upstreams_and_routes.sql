-- Many upstreams: a tenant's ordered route of (upstream, model) entries, the tenant's own provider keys
-- (sealed with the deployment's secrets key, never stored in clear), and for every ledger row the
-- upstream that was called and, for a failure, what went wrong (status, message, the start of an
-- unreadable body; never customer text).
ALTER TABLE tenants ADD COLUMN route jsonb NOT NULL DEFAULT '[]',
                    ADD COLUMN upstream_keys jsonb NOT NULL DEFAULT '{}';
ALTER TABLE usage_ledger ADD COLUMN upstream text,
                         ADD COLUMN error_detail text;
