-- Which scanner produced each scan (`Basic` or `Enhanced`), for the App Home.
-- NULL in rows from before: they are shown as basic scans.
ALTER TABLE scans ADD COLUMN kind TEXT;

-- Events API deliveries already accepted, by event_id: a retry stops here.
CREATE TABLE slack_events (
    event_id    TEXT PRIMARY KEY,
    received_at BIGINT NOT NULL
);
