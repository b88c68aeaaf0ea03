-- Which channel hears about which images, from which severity up.
CREATE TABLE subscriptions (
    channel      TEXT NOT NULL,
    pattern      TEXT NOT NULL,
    min_severity TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (channel, pattern)
);
