-- Seeds, for each BOT conversation of tenant :tenant without messages, a customer message and a
-- queued async job for it: a backlog as an outage would leave it.
WITH c AS (
    UPDATE conversations SET last_seq = 1 WHERE tenant_id = :'tenant' AND last_seq = 0 RETURNING id, tenant_id
), m AS (
    INSERT INTO messages (conversation_id, seq, tenant_id, role, content, created_at)
    SELECT id, 1, tenant_id, 'CUSTOMER', 'Where is my order? It has not arrived yet.', now() FROM c
    RETURNING conversation_id, tenant_id
)
INSERT INTO async_jobs (id, tenant_id, conversation_id, customer_seq, status, next_run_at, created_at, updated_at)
SELECT gen_random_uuid(), tenant_id, conversation_id, 1, 'QUEUED', now(), now(), now() FROM m;
ANALYZE async_jobs;
