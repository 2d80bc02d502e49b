\pset tuples_only on
\pset format unaligned
SELECT id FROM conversations WHERE tenant_id = :'tenant' AND status = 'BOT' ORDER BY created_at;
