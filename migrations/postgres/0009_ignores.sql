-- Findings left out of the announcements for a while (`/ecrscan ignore`), on the record.
-- `scope` is an image pattern, or '' for every image; `until_at` is NULL for
-- "until fixed". An ignore that ended keeps its row, with when and why
-- (expired, fixed, removed, replaced).
CREATE TABLE ignores (
    id            BIGSERIAL PRIMARY KEY,
    vulnerability TEXT NOT NULL,
    scope         TEXT NOT NULL,
    until_at      BIGINT,
    reason        TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    channel       TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    ended_at      BIGINT,
    ended_why     TEXT
);
-- At most one active ignore of a vulnerability per scope.
CREATE UNIQUE INDEX ignores_active ON ignores (vulnerability, scope) WHERE ended_at IS NULL;
CREATE INDEX ignores_due ON ignores (until_at) WHERE ended_at IS NULL;
