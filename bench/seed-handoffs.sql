-- Seeds :count pending handoffs for tenant :tenant, each on its own conversation with a short
-- transcript, using PostgreSQL's own set functions (no API round trips).
INSERT INTO conversations (id, tenant_id, status, metadata, last_seq, created_at, updated_at)
SELECT gen_random_uuid(), :'tenant', 'AWAITING_AGENT', '{}', 2, now(), now()
FROM generate_series(1, :count);

INSERT INTO messages (conversation_id, seq, tenant_id, role, content, created_at)
SELECT c.id, s.seq, c.tenant_id,
       CASE s.seq WHEN 1 THEN 'CUSTOMER' ELSE 'ASSISTANT' END,
       CASE s.seq WHEN 1 THEN 'I want a refund for order A-' || (random() * 100000)::int || ', can I talk to a human?'
                  ELSE 'Thanks for your patience. A member of our team will help you.' END,
       now()
FROM conversations c CROSS JOIN (VALUES (1), (2)) AS s(seq)
WHERE c.tenant_id = :'tenant';

INSERT INTO handoffs (id, tenant_id, conversation_id, status, reason, priority, created_at, through_seq,
                      suggested_next_action)
SELECT gen_random_uuid(), c.tenant_id, c.id, 'PENDING', 'CUSTOMER_REQUEST', (array[40, 50, 60, 70])[1 + (random() * 3)::int],
       now() - (random() * interval '1 hour'), 2, 'Introduce yourself and answer the refund question'
FROM conversations c
WHERE c.tenant_id = :'tenant';
ANALYZE conversations;
ANALYZE messages;
ANALYZE handoffs;
