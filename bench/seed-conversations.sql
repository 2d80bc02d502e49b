-- Seeds :count conversations in state BOT for tenant :tenant (no messages yet).
INSERT INTO conversations (id, tenant_id, status, metadata, last_seq, created_at, updated_at)
SELECT gen_random_uuid(), :'tenant', 'BOT', '{}', 0, now(), now()
FROM generate_series(1, :count);
ANALYZE conversations;
