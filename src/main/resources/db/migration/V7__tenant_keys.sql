-- Every key of a tenant-owned table starts with tenant_id, and every foreign key between them carries it,
-- so the schema can be distributed by tenant_id (Citus: a distributed table's primary, unique and foreign
-- keys must include its distribution column, and rows that share it are co-located). tenants,
-- model_prices and api_keys are reference tables (small, read by every tenant; api keys are looked up by
-- their hash before the tenant is known). See the README's "Scaling out".
--
-- Foreign keys from a conversation's rows to the conversation cascade on delete, so erasing a
-- conversation removes its transcript, memory, handoffs, jobs and idempotency records in one statement.
-- The usage ledger and its roll-ups have no foreign key to conversations: cost rows outlive an erasure.

ALTER TABLE messages            DROP CONSTRAINT messages_conversation_id_fkey;
ALTER TABLE conversation_memory DROP CONSTRAINT conversation_memory_conversation_id_fkey;
ALTER TABLE handoffs            DROP CONSTRAINT handoffs_conversation_id_fkey;
ALTER TABLE async_jobs          DROP CONSTRAINT async_jobs_conversation_id_fkey;

ALTER TABLE conversations DROP CONSTRAINT conversations_pkey, ADD PRIMARY KEY (tenant_id, id);

ALTER TABLE messages DROP CONSTRAINT messages_pkey, ADD PRIMARY KEY (tenant_id, conversation_id, seq);
ALTER TABLE messages ADD FOREIGN KEY (tenant_id, conversation_id)
    REFERENCES conversations (tenant_id, id) ON DELETE CASCADE;
DROP INDEX messages_one_reply;
CREATE UNIQUE INDEX messages_one_reply ON messages (tenant_id, conversation_id, in_reply_to) WHERE role = 'ASSISTANT';

ALTER TABLE idempotency_keys ADD FOREIGN KEY (tenant_id, conversation_id)
    REFERENCES conversations (tenant_id, id) ON DELETE CASCADE;

ALTER TABLE conversation_memory DROP CONSTRAINT conversation_memory_pkey, ADD PRIMARY KEY (tenant_id, conversation_id);
ALTER TABLE conversation_memory ADD FOREIGN KEY (tenant_id, conversation_id)
    REFERENCES conversations (tenant_id, id) ON DELETE CASCADE;
DROP INDEX conversation_memory_tenant;

ALTER TABLE handoffs DROP CONSTRAINT handoffs_pkey, ADD PRIMARY KEY (tenant_id, id);
ALTER TABLE handoffs ADD FOREIGN KEY (tenant_id, conversation_id)
    REFERENCES conversations (tenant_id, id) ON DELETE CASCADE;
DROP INDEX handoffs_one_open_per_conversation;
CREATE UNIQUE INDEX handoffs_one_open_per_conversation ON handoffs (tenant_id, conversation_id) WHERE status <> 'RESOLVED';

ALTER TABLE async_jobs DROP CONSTRAINT async_jobs_pkey, ADD PRIMARY KEY (tenant_id, id);
ALTER TABLE async_jobs DROP CONSTRAINT async_jobs_conversation_id_customer_seq_key,
    ADD UNIQUE (tenant_id, conversation_id, customer_seq);
ALTER TABLE async_jobs ADD FOREIGN KEY (tenant_id, conversation_id)
    REFERENCES conversations (tenant_id, id) ON DELETE CASCADE;

-- the partition key (occurred_at) stays in the key, as PostgreSQL requires of a partitioned table
ALTER TABLE usage_ledger DROP CONSTRAINT usage_ledger_pkey, ADD PRIMARY KEY (tenant_id, id, occurred_at);

ALTER TABLE cost_anomalies DROP CONSTRAINT cost_anomalies_pkey, ADD PRIMARY KEY (tenant_id, id);
