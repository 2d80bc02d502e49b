-- Seeds :rows ledger rows for tenant :tenant spread over the current month (UTC) with PostgreSQL's own
-- set functions, then builds the roll-ups from them exactly as the service keeps them.
SET synchronous_commit = off;
INSERT INTO usage_ledger (id, occurred_at, tenant_id, conversation_id, purpose, provider, model, attempt, outcome,
                          prompt_tokens, cached_prompt_tokens, completion_tokens, tokens_estimated, price_id, cost_usd,
                          priced, latency_ms)
SELECT gen_random_uuid(),
       date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
           + (random() * (least(now(), date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '1 month' - interval '1 second')
                          - (date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'))),
       :'tenant',
       ('00000000-0000-4000-8000-' || lpad(to_hex((g % 200000)::int), 12, '0'))::uuid,
       CASE WHEN g % 10 = 0 THEN 'SUMMARIZATION' ELSE 'CHAT' END,
       'openai',
       (array['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-4o'])[1 + (g % 3)::int],
       1,
       CASE WHEN g % 100 = 0 THEN 'SERVER_ERROR' ELSE 'SUCCESS' END,
       400 + (g % 1200)::int, (g % 4) * 128, 20 + (g % 300)::int, false, NULL,
       ((400 + (g % 1200)) * 0.15 + (20 + (g % 300)) * 0.60) / 1000000.0,
       true, 300 + (g % 2000)::int
FROM generate_series(1, :rows) AS g;

-- the daily roll-up as the service keeps it: today spread over its 16 shards (a call's id picks its shard),
-- past days folded into one row each (DailyRollupFold)
INSERT INTO usage_daily (tenant_id, day, model, purpose, shard, calls, failed_calls, unpriced_calls, prompt_tokens,
                         cached_prompt_tokens, completion_tokens, cost_usd)
SELECT tenant_id, (occurred_at AT TIME ZONE 'UTC')::date, model, purpose,
       CASE WHEN (occurred_at AT TIME ZONE 'UTC')::date < (now() AT TIME ZONE 'UTC')::date THEN 0
            ELSE abs(hashtext(id::text)) % 16 END,
       count(*),
       count(*) FILTER (WHERE outcome <> 'SUCCESS'), count(*) FILTER (WHERE NOT priced),
       sum(prompt_tokens), sum(cached_prompt_tokens), sum(completion_tokens), sum(cost_usd)
FROM usage_ledger WHERE tenant_id = :'tenant'
GROUP BY 1, 2, 3, 4, 5
ON CONFLICT (tenant_id, day, model, purpose, shard) DO UPDATE SET calls = usage_daily.calls + excluded.calls,
    failed_calls = usage_daily.failed_calls + excluded.failed_calls,
    unpriced_calls = usage_daily.unpriced_calls + excluded.unpriced_calls,
    prompt_tokens = usage_daily.prompt_tokens + excluded.prompt_tokens,
    cached_prompt_tokens = usage_daily.cached_prompt_tokens + excluded.cached_prompt_tokens,
    completion_tokens = usage_daily.completion_tokens + excluded.completion_tokens,
    cost_usd = usage_daily.cost_usd + excluded.cost_usd;

INSERT INTO usage_conversation_monthly (tenant_id, month, conversation_id, calls, prompt_tokens, completion_tokens, cost_usd)
SELECT tenant_id, date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date, conversation_id, count(*),
       sum(prompt_tokens), sum(completion_tokens), sum(cost_usd)
FROM usage_ledger WHERE tenant_id = :'tenant'
GROUP BY 1, 2, 3
ON CONFLICT (tenant_id, month, conversation_id) DO NOTHING;
ANALYZE usage_ledger;
ANALYZE usage_daily;
ANALYZE usage_conversation_monthly;
