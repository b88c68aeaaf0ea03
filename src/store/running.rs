//! The images ECS runs, kept scheduled: the policy `schedule WHEN running`
//! set, and the schedules it keeps.

use async_trait::async_trait;

/// What `/ecrscan schedule WHEN running [in CLUSTER...]` asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningPolicy {
    /// The expression as Scheduler writes it, before each image's time is
    /// staggered: `cron(0 3 ? * MON *)`.
    pub expression: String,
    /// An IANA name.
    pub timezone: String,
    /// Empty: every cluster.
    pub clusters: Vec<String>,
    /// Where changes are announced: the channel that asked.
    pub channel: String,
    pub created_by: String,
    /// Unix seconds.
    pub updated_at: i64,
}

/// A schedule the policy keeps, for one running image digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptSchedule {
    /// As ecrscan names schedules (`ALIAS/NAME` with registries).
    pub name: String,
    pub repository: String,
    /// `sha256:...`
    pub digest: String,
    /// Where the image ran at the last sync, in words: "prod/web, 3 tasks".
    pub place: String,
}

/// The running-images policy and its schedules.
#[async_trait]
pub trait Running: Send + Sync {
    /// Stores the policy, replacing the one before; its re-sync is due at `next_sync_at`.
    async fn set_running_policy(
        &self,
        policy: &RunningPolicy,
        next_sync_at: i64,
    ) -> anyhow::Result<()>;

    /// The policy; `None` until `schedule WHEN running` set one.
    async fn running_policy(&self) -> anyhow::Result<Option<RunningPolicy>>;

    /// Takes the re-sync when it is due at `now` (or at once, with `now_anyway`)
    /// and no instance holds it, and holds it until `now + lease`: at most one
    /// instance re-syncs at a time. `None`: not due, held, or no policy.
    async fn claim_running_sync(
        &self,
        now: i64,
        lease: i64,
        now_anyway: bool,
    ) -> anyhow::Result<Option<RunningPolicy>>;

    /// Lets go of the re-sync; the next is due at `next_sync_at`.
    async fn finish_running_sync(&self, next_sync_at: i64) -> anyhow::Result<()>;

    /// Every kept schedule, by name.
    async fn kept_schedules(&self) -> anyhow::Result<Vec<KeptSchedule>>;

    /// Records a kept schedule (or where its image runs now).
    async fn keep_schedule(&self, kept: &KeptSchedule, now: i64) -> anyhow::Result<()>;

    /// Forgets a kept schedule.
    async fn forget_schedule(&self, name: &str) -> anyhow::Result<()>;

    /// Where an image ran at the last sync, when a kept schedule scans it.
    async fn running_place(&self, repository: &str, digest: &str)
    -> anyhow::Result<Option<String>>;
}
