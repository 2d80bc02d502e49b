-- Recall of older turns (issue 12). The messages only the running summary covers (seq up to the
-- memory's covered_through_seq) are made searchable when a compaction archives them, so a question
-- about something said long ago can quote it. Only a search vector is kept here: the text stays in the
-- transcript (messages), the one place it is erased or redacted.
--
-- Written once per compaction, for the messages that compaction folded: appending a message costs
-- nothing extra, and conversations that never compact have no rows here at all.
--
-- btree_gin lets one GIN index start with tenant_id and conversation_id (every index of a tenant-owned
-- table starts with tenant_id, for distribution by tenant): a search reads the posting lists of one
-- conversation's rows, however many other conversations share the words. btree_gin is a trusted
-- extension (PostgreSQL 13+): the database owner can create it.
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE TABLE memory_archive (
    tenant_id           uuid        NOT NULL,
    conversation_id     uuid        NOT NULL,
    seq                 integer     NOT NULL,
    -- weight A for the customer's words, B for agents and notes, C for the model's replies (which mostly echo them)
    tsv                 tsvector    NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, seq),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX memory_archive_search ON memory_archive USING gin (tenant_id, conversation_id, tsv);

-- what the last prompt recalled (seq, role, time and the quote as the model read it), for the memory
-- view and the handoff package
ALTER TABLE conversation_memory ADD COLUMN last_recall jsonb NOT NULL DEFAULT '[]';
ALTER TABLE handoffs ADD COLUMN recalled jsonb NOT NULL DEFAULT '[]';

-- conversations compacted before this migration: their archive is indexed now
INSERT INTO memory_archive (tenant_id, conversation_id, seq, tsv)
SELECT m.tenant_id, m.conversation_id, m.seq,
       setweight(to_tsvector('english', m.content),
                 CAST(CASE m.role WHEN 'CUSTOMER' THEN 'A' WHEN 'ASSISTANT' THEN 'C' ELSE 'B' END AS "char"))
FROM messages m
JOIN conversation_memory cm ON cm.tenant_id = m.tenant_id AND cm.conversation_id = m.conversation_id
WHERE m.seq <= cm.covered_through_seq;
