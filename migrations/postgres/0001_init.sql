CREATE TABLE scan_requests (
    repository   TEXT NOT NULL,
    digest       TEXT NOT NULL,
    channel      TEXT NOT NULL,
    ts           TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    PRIMARY KEY (repository, digest)
);

CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    team_id    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    action     TEXT NOT NULL,
    at         BIGINT NOT NULL
);
