-- Personal data: a tenant's masking and redaction settings and its retention period, and the indexes
-- the scheduled purge uses (conversations idle past a tenant's retention; idempotency records past
-- their time), each read within one tenant.
ALTER TABLE tenants ADD COLUMN mask_card_numbers   boolean NOT NULL DEFAULT true,
                    ADD COLUMN redact_before_model boolean NOT NULL DEFAULT false,
                    ADD COLUMN retention_days      integer;

CREATE INDEX conversations_idle ON conversations (tenant_id, updated_at);
CREATE INDEX idempotency_keys_age ON idempotency_keys (tenant_id, created_at);
-- erasure of every conversation of one of the tenant's customers
CREATE INDEX conversations_customer ON conversations (tenant_id, external_user_ref) WHERE external_user_ref IS NOT NULL;
