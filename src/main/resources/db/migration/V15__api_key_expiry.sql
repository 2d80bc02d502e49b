-- An API key may carry an expiry: past it the key answers 401 (it expired), as a revoked one does.
ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;
