-- The per-conversation roll-up counts failed and unpriced calls and cached prompt tokens, as the daily
-- roll-up does, so a report's conversation rows (and their CSV) carry real counts instead of zeros.
ALTER TABLE usage_conversation_monthly
    ADD COLUMN failed_calls         bigint NOT NULL DEFAULT 0,
    ADD COLUMN unpriced_calls       bigint NOT NULL DEFAULT 0,
    ADD COLUMN cached_prompt_tokens bigint NOT NULL DEFAULT 0;

-- Rows written before this migration get their counts from the ledger. A month whose ledger partition
-- was archived keeps zeros: its call-level rows are gone.
UPDATE usage_conversation_monthly c
SET failed_calls = l.failed_calls, unpriced_calls = l.unpriced_calls, cached_prompt_tokens = l.cached_prompt_tokens
FROM (SELECT tenant_id, date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date AS month, conversation_id,
             count(*) FILTER (WHERE outcome <> 'SUCCESS') AS failed_calls,
             count(*) FILTER (WHERE NOT priced) AS unpriced_calls,
             sum(cached_prompt_tokens) AS cached_prompt_tokens
      FROM usage_ledger WHERE conversation_id IS NOT NULL
      GROUP BY 1, 2, 3) l
WHERE c.tenant_id = l.tenant_id AND c.month = l.month AND c.conversation_id = l.conversation_id;
