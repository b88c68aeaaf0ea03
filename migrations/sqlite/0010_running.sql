-- What `/ecrscan schedule WHEN running [in CLUSTER...]` asked for: one policy,
-- the last one given. `clusters` is a comma-separated list ('' for every
-- cluster). The daily re-sync is due at `next_sync_at`; while one instance
-- re-syncs, `lease_until` keeps the others out.
CREATE TABLE running_policy (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    expression   TEXT NOT NULL,
    timezone     TEXT NOT NULL,
    clusters     TEXT NOT NULL,
    channel      TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    next_sync_at BIGINT NOT NULL,
    lease_until  BIGINT
);
-- The schedules the policy keeps, one per running image digest, and where the
-- image ran at the last sync, in words ("prod/web, 3 tasks").
CREATE TABLE running_schedules (
    name       TEXT PRIMARY KEY,
    repository TEXT NOT NULL,
    digest     TEXT NOT NULL,
    place      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX running_schedules_by_image ON running_schedules (repository, digest);
-- Whether a result gathered in a digest is of an image that runs (a digest
-- names those first).
ALTER TABLE digest_entries ADD COLUMN running BIGINT NOT NULL DEFAULT 0;
