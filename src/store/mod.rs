//! Storage: one trait, one schema, two engines (SQLite by default, PostgreSQL for several instances).

mod sql;

use async_trait::async_trait;

pub use sql::SqlStore;

/// A scan started from Slack: its result is threaded under the "scan started" message.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// Who ran which command, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub team_id: String,
    pub user_id: String,
    pub channel_id: String,
    /// `/ecrscan now web-latest`, or `sns:SubscriptionConfirmation ...` for non-Slack events.
    pub action: String,
    /// Unix seconds.
    pub at: i64,
}

/// Everything ecrscan keeps between requests.
#[async_trait]
pub trait Store: Send + Sync {
    /// Answers when the database does.
    async fn ping(&self) -> anyhow::Result<()>;

    /// Records (or replaces) where the result of a scan of this image is threaded.
    async fn save_scan_request(&self, request: &ScanRequest) -> anyhow::Result<()>;

    /// The latest scan started from Slack for this image.
    async fn scan_request(
        &self,
        repository: &str,
        digest: &str,
    ) -> anyhow::Result<Option<ScanRequest>>;

    /// Appends to the audit log.
    async fn audit(&self, entry: &AuditEntry) -> anyhow::Result<()>;

    /// The newest `limit` audit entries, newest first.
    async fn recent_audit(&self, limit: u32) -> anyhow::Result<Vec<AuditEntry>>;
}

/// Opens the database that `url` names (`sqlite://...` or `postgres://...`) and migrates it.
pub async fn connect(url: &str) -> anyhow::Result<SqlStore> {
    SqlStore::connect(url).await
}
