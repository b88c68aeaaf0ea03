-- Enhanced scanning: Inspector2 Finding events, one per finding created,
-- updated or closed, are staged per image, and folded by a job into one update.

-- The events of an image not folded yet, oldest (lowest id) first. state is a
-- FindingState as JSON, tags the image's tags as a JSON array.
CREATE TABLE staged_findings (
    id          BIGSERIAL PRIMARY KEY,
    repository  TEXT NOT NULL,
    digest      TEXT NOT NULL,
    arn         TEXT NOT NULL,
    state       TEXT NOT NULL,
    tags        TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX staged_findings_by_image ON staged_findings (repository, digest, id);

-- The open batch of an image: at most one, with the job that will fold it.
-- Staging upserts this row, which serialises the stagers of one image (on
-- PostgreSQL the row stays locked until they commit), so the ids of an image's
-- staged events are committed in order.
CREATE TABLE finding_batches (
    repository TEXT NOT NULL,
    digest     TEXT NOT NULL,
    opened_at  BIGINT NOT NULL,
    events     BIGINT NOT NULL,
    job_id     BIGINT,
    PRIMARY KEY (repository, digest)
);

-- What was last announced of each finding of an image (state: FindingState JSON).
CREATE TABLE known_findings (
    repository TEXT NOT NULL,
    digest     TEXT NOT NULL,
    arn        TEXT NOT NULL,
    state      TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (repository, digest, arn)
);
CREATE INDEX known_findings_by_age ON known_findings (repository, digest, updated_at);
