//! What the App Home reads: every image tag's latest scans and threads, and the
//! Events API deliveries already handled.

use async_trait::async_trait;

use super::ScanRecord;

/// An image tag's latest completed scan and the one before it, when there was one.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageHistory {
    pub latest: ScanRecord,
    pub previous: Option<ScanRecord>,
}

/// Where an image's results are threaded: one channel's thread.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ImageThread {
    pub repository: String,
    /// `tag:web-latest`, or `digest:sha256:…`.
    pub image_key: String,
    pub channel: String,
    pub ts: String,
}

/// The App Home's reads, and the record of Events API deliveries.
#[async_trait]
pub trait Home: Send + Sync {
    /// Records an Events API delivery by its `event_id`; `false` when it was
    /// recorded before (Slack retried it).
    async fn accept_event(&self, event_id: &str, at: i64) -> anyhow::Result<bool>;

    /// Every image tag with a completed scan: its latest two scans.
    async fn image_histories(&self) -> anyhow::Result<Vec<ImageHistory>>;

    /// Every image thread, one row per image and channel, ordered by image then channel.
    async fn all_image_threads(&self) -> anyhow::Result<Vec<ImageThread>>;
}
