-- Every call of a tenant added to one daily roll-up row, and every such write waited for the row lock of
-- the one before it until it committed: a tenant's calls were recorded one at a time. The row is now
-- spread over shards (the call id picks one); reports and checks sum over them as they already did.
ALTER TABLE usage_daily ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE usage_daily DROP CONSTRAINT usage_daily_pkey, ADD PRIMARY KEY (tenant_id, day, model, purpose, shard);
