-- Results that reached each channel, for noise control.
CREATE TABLE channel_results (
    channel TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX channel_results_recent ON channel_results (channel, at);

-- A digest gathers a burst of results for one channel under one message.
CREATE TABLE digests (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    channel   TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    last_at   BIGINT NOT NULL,
    results   BIGINT NOT NULL,
    ts        TEXT
);
CREATE INDEX digests_by_channel ON digests (channel, last_at);
