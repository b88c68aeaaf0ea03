-- When a tag's findings last changed: a rescan that finds the same ones keeps
-- its predecessor's time, so a summary can say "unchanged since". NULL in rows
-- from before: their own scanned_at stands in.
ALTER TABLE scans ADD COLUMN changed_at BIGINT;

-- A digest's head is refreshed by one job at a time, a few seconds after
-- results join, instead of once per result.
ALTER TABLE digests ADD COLUMN refresh_pending BIGINT NOT NULL DEFAULT 0;

-- What each result gathered in a digest was: its image, whether it was a first
-- scan, a change, no change or a failure, and the new CRITICAL findings it
-- brought (a JSON array of ids, NULL when none), for the digest's head.
CREATE TABLE digest_entries (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    digest_id BIGINT NOT NULL,
    image     TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    criticals TEXT
);
CREATE INDEX digest_entries_by_digest ON digest_entries (digest_id, id);
