//! Storage: one trait per concern, one schema, two engines (SQLite by default,
//! PostgreSQL for several instances). [`Store`] is all of them together.

mod findings;
mod home;
mod ignores;
mod running;
mod sql;

use async_trait::async_trait;

use crate::scan::burst::Entry;
use crate::scan::findings::{Finding, ScanKind, ScanReport, ScanStatus, Severity};
use crate::scan::image::Image;

pub use findings::{Fold, KNOWN_FINDINGS_KEPT_SECS, NewStagedFinding, StagedFinding};
pub use home::{Home, ImageHistory, ImageThread};
pub use ignores::{Ended, Ignores, NewIgnore};
pub use running::{KeptSchedule, Running, RunningPolicy};
pub use sql::SqlStore;

/// A scan started from Slack: its result is threaded under the "scan started" message.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ScanRequest {
    pub repository: String,
    pub digest: String,
    pub channel: String,
    /// The `ts` of the "scan started" message.
    pub ts: String,
    pub user_id: String,
    /// Unix seconds.
    pub requested_at: i64,
}

/// Who ran which command that changes something, or what it changed, where.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    pub team_id: String,
    pub user_id: String,
    pub channel_id: String,
    /// `/ecrscan now web-latest`, `button Rescan example:web-latest`, a change
    /// (`subscribe example:web-* min=high`), or `sns:SubscriptionConfirmation ...`.
    pub action: String,
    /// Unix seconds.
    pub at: i64,
}

/// Durable work, claimed by one worker at a time.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Job {
    pub id: i64,
    /// What kind of work (`sns`).
    pub kind: String,
    /// The work itself, as JSON.
    pub payload: String,
    /// How many times it was claimed, this time included.
    pub attempts: i64,
    /// How far it got, as JSON, when an earlier attempt got anywhere.
    pub progress: Option<String>,
}

/// The findings of one completed scan of an image tag, for what changed.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanRecord {
    pub repository: String,
    /// `tag:web-latest`, or `digest:sha256:…` when untagged.
    pub image_key: String,
    pub digest: String,
    /// Unix seconds.
    pub scanned_at: i64,
    /// When the tag's findings last changed (Unix seconds): `scanned_at`, or
    /// an earlier scan's when this one found the same.
    pub changed_at: i64,
    /// Which scanner produced it (basic for scans recorded before this was kept).
    pub kind: ScanKind,
    pub findings: Vec<Finding>,
}

impl ScanRecord {
    /// The image scanned, with the tag its key names (none when untagged).
    pub fn image(&self) -> Image {
        Image {
            repository: self.repository.clone(),
            digest: self.digest.clone(),
            tags: (self.image_key.strip_prefix("tag:").map(str::to_string))
                .into_iter()
                .collect(),
        }
    }

    /// The scan as a complete report of its findings.
    pub fn into_report(self) -> ScanReport {
        ScanReport {
            image: self.image(),
            kind: self.kind,
            status: ScanStatus::Complete,
            completed_at: chrono::DateTime::from_timestamp(self.scanned_at, 0),
            findings: self.findings,
        }
    }
}

/// A channel's wish to hear about images matching a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub channel: String,
    /// An image pattern (`routing::ImagePattern`), as written.
    pub pattern: String,
    /// The lowest severity that counts for this channel.
    pub min_severity: Severity,
    pub created_by: String,
}

/// A digest gathering a burst of results for one channel.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Digest {
    pub id: i64,
    pub channel: String,
    /// Its message, once posted.
    pub ts: Option<String>,
}

/// Everything ecrscan keeps between requests: one trait per concern, each
/// implemented by [`SqlStore`] in its own file, so `Arc<dyn Store>` reaches them all.
pub trait Store:
    Database
    + Jobs
    + AuditLog
    + Threads
    + Subscriptions
    + Digests
    + EnhancedFindings
    + Home
    + Ignores
    + Running
{
}

impl<T> Store for T where
    T: Database
        + Jobs
        + AuditLog
        + Threads
        + Subscriptions
        + Digests
        + EnhancedFindings
        + Home
        + Ignores
        + Running
{
}

/// The database itself: health, engine, retention.
#[async_trait]
pub trait Database: Send + Sync {
    /// Answers when the database does.
    async fn ping(&self) -> anyhow::Result<()>;

    /// Whether only one instance can use this store (SQLite), so that at start-up
    /// every job still marked running was interrupted.
    fn single_instance(&self) -> bool;

    /// Forgets finished jobs, seen SNS message ids and noise-control counts older
    /// than `before` (Unix seconds), and the known findings of images no fold
    /// touched in the [`KNOWN_FINDINGS_KEPT_SECS`] before that; failed jobs stay
    /// for inspection, staged findings until they are folded. Returns how many
    /// rows went.
    async fn prune(&self, before: i64) -> anyhow::Result<u64>;
}

/// Durable work: SNS messages accepted once, and the jobs they become.
#[async_trait]
pub trait Jobs: Send + Sync {
    /// Records an SNS message and its job in one transaction; `false` when the
    /// message id was seen before (nothing is stored then).
    async fn accept_message(
        &self,
        message_id: &str,
        kind: &str,
        payload: &str,
    ) -> anyhow::Result<bool>;

    /// Claims the oldest job that is due, if any.
    async fn claim_job(&self) -> anyhow::Result<Option<Job>>;

    /// Records how far a job got.
    async fn save_progress(&self, job_id: i64, progress: &str) -> anyhow::Result<()>;

    /// Records a job's plan together with the scan it is about, in one transaction.
    async fn save_plan(
        &self,
        job_id: i64,
        progress: &str,
        scan: Option<&ScanRecord>,
    ) -> anyhow::Result<()>;

    /// The job is done.
    async fn finish_job(&self, job_id: i64) -> anyhow::Result<()>;

    /// The job failed this time: try again after `delay_secs`, or give up when `give_up`.
    async fn retry_job(
        &self,
        job_id: i64,
        delay_secs: i64,
        error: &str,
        give_up: bool,
    ) -> anyhow::Result<()>;

    /// Returns jobs claimed before `claimed_before` (Unix seconds) to the queue.
    async fn release_jobs(&self, claimed_before: i64) -> anyhow::Result<u64>;

    /// Renews the claim of running jobs still in hand (waiting for Slack's
    /// pace), as if claimed at `now`, so that no instance takes them for dead.
    async fn renew_claims(&self, job_ids: &[i64], now: i64) -> anyhow::Result<()>;

    /// How many jobs are pending or running, and when the oldest pending one was
    /// stored (Unix seconds; `None` when none is pending).
    async fn queue_stats(&self) -> anyhow::Result<(u64, Option<i64>)>;
}

/// Who ran which command that changes something, and what it changed.
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends to the audit log; returns once the entry is committed.
    async fn audit(&self, entry: &AuditEntry) -> anyhow::Result<()>;

    /// Appends the audit row of a signed request that changes something, with
    /// the request's `signature`; returns once it is committed. `false` when a
    /// row with that signature exists already: the request is a replay, and
    /// nothing was written. The signature is unique in the database, so this
    /// holds across instances.
    async fn audit_request(&self, entry: &AuditEntry, signature: &str) -> anyhow::Result<bool>;

    /// The newest `limit` audit entries, newest first.
    #[cfg(feature = "test-support")]
    async fn recent_audit(&self, limit: u32) -> anyhow::Result<Vec<AuditEntry>>;
}

/// Where results go in Slack, and the scans they compare with: each image's
/// thread per channel, scans started from Slack, and the latest scan of a tag.
#[async_trait]
pub trait Threads: Send + Sync {
    /// The `ts` of the thread of an image in a channel.
    async fn image_thread(
        &self,
        repository: &str,
        image_key: &str,
        channel: &str,
    ) -> anyhow::Result<Option<String>>;

    /// Remembers the thread of an image in a channel.
    async fn save_image_thread(
        &self,
        repository: &str,
        image_key: &str,
        channel: &str,
        ts: &str,
    ) -> anyhow::Result<()>;

    /// Records (or replaces) where the result of a scan of this image is threaded.
    async fn save_scan_request(&self, request: &ScanRequest) -> anyhow::Result<()>;

    /// The latest scan started from Slack for this image.
    async fn scan_request(
        &self,
        repository: &str,
        digest: &str,
    ) -> anyhow::Result<Option<ScanRequest>>;

    /// Forgets the scan started from Slack for this image (its result has a thread now).
    async fn delete_scan_request(&self, repository: &str, digest: &str) -> anyhow::Result<()>;

    /// The latest completed scan of an image tag.
    async fn last_scan(
        &self,
        repository: &str,
        image_key: &str,
    ) -> anyhow::Result<Option<ScanRecord>>;

    /// The latest completed scan of the image with this digest, under whichever
    /// tag (or none) it was recorded.
    async fn last_scan_of_digest(
        &self,
        repository: &str,
        digest: &str,
    ) -> anyhow::Result<Option<ScanRecord>>;
}

/// Which channel hears about which images.
#[async_trait]
pub trait Subscriptions: Send + Sync {
    /// Adds a subscription, or changes its severity; `false` when it replaced one.
    async fn subscribe(&self, subscription: &Subscription) -> anyhow::Result<bool>;

    /// Removes a channel's subscription; `false` when there was none.
    async fn unsubscribe(&self, channel: &str, pattern: &str) -> anyhow::Result<bool>;

    /// Every subscription, or one channel's, ordered by channel and pattern.
    async fn subscriptions(&self, channel: Option<&str>) -> anyhow::Result<Vec<Subscription>>;
}

/// Noise control: how many results reach a channel, and the digests that gather a burst.
#[async_trait]
pub trait Digests: Send + Sync {
    /// Counts a result reaching `channel` at `now`; returns how many reached it
    /// within the last `window` seconds, this one included.
    async fn count_result(&self, channel: &str, now: i64, window: i64) -> anyhow::Result<i64>;

    /// Adds a result to the channel's digest open within the last `window`
    /// seconds, or opens one.
    async fn join_digest(
        &self,
        channel: &str,
        now: i64,
        window: i64,
        entry: &Entry,
    ) -> anyhow::Result<Digest>;

    /// The digest `id`.
    async fn digest(&self, id: i64) -> anyhow::Result<Option<Digest>>;

    /// Everything a digest gathered so far, in the order it joined.
    async fn digest_entries(&self, id: i64) -> anyhow::Result<Vec<Entry>>;

    /// Records the digest's message (the first one posted wins).
    async fn set_digest_ts(&self, id: i64, ts: &str) -> anyhow::Result<()>;

    /// Asks for the digest's head to be refreshed: stores a job of kind `kind`
    /// (payload `{"digest": id}`) due at `at`, unless one is pending already.
    /// Returns whether it stored one.
    async fn request_digest_refresh(&self, id: i64, kind: &str, at: i64) -> anyhow::Result<bool>;

    /// The digest, for refreshing its head; clears its pending refresh first, so
    /// that a result joining from now on asks for another one.
    async fn digest_to_refresh(&self, id: i64) -> anyhow::Result<Option<Digest>>;
}

/// Enhanced findings: staged as their events arrive, folded per image by a `findings` job.
///
/// Each image has at most one open batch, whose job folds it. On PostgreSQL,
/// staging locks the image's batch row until it commits, and a fold closes the
/// batch (waiting for those stagers) before it looks for events that arrived
/// meanwhile: an event is folded by the job that was open when it was staged,
/// or by the one its fold opens, never stranded.
#[async_trait]
pub trait EnhancedFindings: Send + Sync {
    /// Stages one finding event of an image (state = FindingState JSON, tags as JSON array) and, when no batch is open for the
    /// image, opens one with a job of kind `kind` (payload `{"repository":…,"digest":…}`) due at `now + window`, all in one
    /// transaction. Returns whether it opened a batch. A batch whose job is
    /// gone, done or failed without closing it counts as not open: it gets a new job.
    async fn stage_finding(
        &self,
        staged: &NewStagedFinding<'_>,
        kind: &str,
        now: i64,
        window: i64,
    ) -> anyhow::Result<bool>;

    /// The staged events of an image, oldest first.
    async fn staged_findings(
        &self,
        repository: &str,
        digest: &str,
    ) -> anyhow::Result<Vec<StagedFinding>>;

    /// What was last announced of each finding of an image, by findingArn:
    /// (findingArn, FindingState JSON), ordered by findingArn.
    async fn known_findings(
        &self,
        repository: &str,
        digest: &str,
    ) -> anyhow::Result<Vec<(String, String)>>;

    /// In one transaction: records `progress` as the job's plan (as Jobs::save_progress does), upserts `states` (arn, state JSON) as known,
    /// deletes the image's staged rows with id <= `upto`, closes the image's batch, and — when staged rows remain (events that arrived
    /// meanwhile) — opens a new batch and job due at `now + window` so none is stranded.
    /// A batch held by another job (this one was taken for dead) is left to that job.
    async fn save_fold(&self, job_id: i64, progress: &str, fold: &Fold<'_>) -> anyhow::Result<()>;
}

/// Opens the database that `url` names (`sqlite://...` or `postgres://...`) and migrates it.
pub async fn connect(url: &str) -> anyhow::Result<SqlStore> {
    SqlStore::connect(url).await
}
