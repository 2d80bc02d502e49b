-- A turn holds its conversation with a short lease that the live turn renews, so a turn whose instance
-- died (or whose database went away mid-turn) is recognised within seconds; the customer message it was
-- answering is recorded with it, so the recovery sweep can queue it as an async job instead of leaving it
-- unanswered. An idempotency record names the customer message it stored, so a retried request is told
-- that message's outcome and never stores it twice.
ALTER TABLE conversations ADD COLUMN turn_lease_until timestamptz,
                          ADD COLUMN turn_customer_seq integer;
UPDATE conversations SET turn_lease_until = turn_started_at WHERE turn_token IS NOT NULL;
-- the recovery sweep's cross-tenant scan: few rows (turns in flight) at any time
CREATE INDEX conversations_turn_leases ON conversations (turn_lease_until) WHERE turn_token IS NOT NULL;

ALTER TABLE idempotency_keys ADD COLUMN customer_seq integer;
