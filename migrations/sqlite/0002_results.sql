-- SNS message ids already accepted: a redelivery stops here.
CREATE TABLE sns_messages (
    message_id  TEXT PRIMARY KEY,
    received_at BIGINT NOT NULL
);

-- Durable work: a notification is stored here before SNS gets its 200.
-- progress holds the rendered messages and how many of them Slack has taken.
CREATE TABLE jobs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending',
    attempts   INTEGER NOT NULL DEFAULT 0,
    run_after  BIGINT NOT NULL,
    claimed_at BIGINT,
    progress   TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX jobs_pending ON jobs (state, run_after, id);

-- One Slack thread per image tag (or digest when untagged) and channel.
CREATE TABLE image_threads (
    repository TEXT NOT NULL,
    image_key  TEXT NOT NULL,
    channel    TEXT NOT NULL,
    ts         TEXT NOT NULL,
    PRIMARY KEY (repository, image_key, channel)
);

-- The findings of each completed scan, for what changed.
CREATE TABLE scans (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    repository TEXT NOT NULL,
    image_key  TEXT NOT NULL,
    digest     TEXT NOT NULL,
    scanned_at BIGINT NOT NULL,
    findings   TEXT NOT NULL
);
CREATE INDEX scans_by_image ON scans (repository, image_key, id);
