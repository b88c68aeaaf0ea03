-- The signature of the signed Slack request that ran a command or a button
-- action, on that request's audit row. Unique: a replay of the request finds
-- its signature here (from any instance) and is not run again. Rows without
-- one (the changes a command made, SNS confirmations) hold NULL, which never
-- conflicts.
ALTER TABLE audit_log ADD COLUMN signature TEXT;
CREATE UNIQUE INDEX audit_log_signature ON audit_log (signature);
