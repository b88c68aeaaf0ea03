//! Image threads, scans started from Slack, and scan history.

use anyhow::Context;
use async_trait::async_trait;

use super::SqlStore;
use crate::scan::findings::ScanKind;
use crate::store::{ScanRecord, ScanRequest, Threads};

/// A row of `scans`: the findings as stored, in JSON.
#[derive(sqlx::FromRow)]
pub(super) struct ScanRow {
    repository: String,
    image_key: String,
    digest: String,
    scanned_at: i64,
    changed_at: i64,
    findings: String,
    kind: Option<String>,
}

/// How `scans.kind` names a scanner.
pub(super) fn kind_name(kind: ScanKind) -> &'static str {
    match kind {
        ScanKind::Basic => "Basic",
        ScanKind::Enhanced => "Enhanced",
    }
}

impl TryFrom<ScanRow> for ScanRecord {
    type Error = anyhow::Error;

    fn try_from(row: ScanRow) -> anyhow::Result<Self> {
        Ok(ScanRecord {
            findings: serde_json::from_str(&row.findings)
                .context("cannot decode the stored findings")?,
            repository: row.repository,
            image_key: row.image_key,
            digest: row.digest,
            scanned_at: row.scanned_at,
            changed_at: row.changed_at,
            kind: match row.kind.as_deref() {
                Some("Enhanced") => ScanKind::Enhanced,
                _ => ScanKind::Basic,
            },
        })
    }
}

#[async_trait]
impl Threads for SqlStore {
    async fn image_thread(
        &self,
        repository: &str,
        image_key: &str,
        channel: &str,
    ) -> anyhow::Result<Option<String>> {
        sqlx::query_scalar(
            "SELECT ts FROM image_threads WHERE repository = $1 AND image_key = $2 AND channel = $3",
        )
        .bind(repository)
        .bind(image_key)
        .bind(channel)
        .fetch_optional(&self.pool)
        .await
        .context("cannot look up an image's thread")
    }

    async fn save_image_thread(
        &self,
        repository: &str,
        image_key: &str,
        channel: &str,
        ts: &str,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO image_threads (repository, image_key, channel, ts) VALUES ($1, $2, $3, $4)
             ON CONFLICT (repository, image_key, channel) DO UPDATE SET ts = excluded.ts",
        )
        .bind(repository)
        .bind(image_key)
        .bind(channel)
        .bind(ts)
        .execute(&self.pool)
        .await
        .context("cannot save an image's thread")?;
        Ok(())
    }

    async fn save_scan_request(&self, r: &ScanRequest) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO scan_requests (repository, digest, channel, ts, user_id, requested_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (repository, digest) DO UPDATE SET
               channel = excluded.channel, ts = excluded.ts,
               user_id = excluded.user_id, requested_at = excluded.requested_at",
        )
        .bind(&r.repository)
        .bind(&r.digest)
        .bind(&r.channel)
        .bind(&r.ts)
        .bind(&r.user_id)
        .bind(r.requested_at)
        .execute(&self.pool)
        .await
        .context("cannot save a scan started from Slack")?;
        Ok(())
    }

    async fn scan_request(
        &self,
        repository: &str,
        digest: &str,
    ) -> anyhow::Result<Option<ScanRequest>> {
        sqlx::query_as(
            "SELECT repository, digest, channel, ts, user_id, requested_at
             FROM scan_requests WHERE repository = $1 AND digest = $2",
        )
        .bind(repository)
        .bind(digest)
        .fetch_optional(&self.pool)
        .await
        .context("cannot look up a scan started from Slack")
    }

    async fn delete_scan_request(&self, repository: &str, digest: &str) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM scan_requests WHERE repository = $1 AND digest = $2")
            .bind(repository)
            .bind(digest)
            .execute(&self.pool)
            .await
            .context("cannot forget a scan started from Slack")?;
        Ok(())
    }

    async fn last_scan(
        &self,
        repository: &str,
        image_key: &str,
    ) -> anyhow::Result<Option<ScanRecord>> {
        let row: Option<ScanRow> = sqlx::query_as(
            "SELECT repository, image_key, digest, scanned_at,
                    COALESCE(changed_at, scanned_at) AS changed_at, findings, kind FROM scans
             WHERE repository = $1 AND image_key = $2 ORDER BY id DESC LIMIT 1",
        )
        .bind(repository)
        .bind(image_key)
        .fetch_optional(&self.pool)
        .await
        .context("cannot look up an image's last scan")?;
        row.map(ScanRecord::try_from).transpose()
    }

    async fn last_scan_of_digest(
        &self,
        repository: &str,
        digest: &str,
    ) -> anyhow::Result<Option<ScanRecord>> {
        let row: Option<ScanRow> = sqlx::query_as(
            "SELECT repository, image_key, digest, scanned_at,
                    COALESCE(changed_at, scanned_at) AS changed_at, findings, kind FROM scans
             WHERE repository = $1 AND digest = $2 ORDER BY id DESC LIMIT 1",
        )
        .bind(repository)
        .bind(digest)
        .fetch_optional(&self.pool)
        .await
        .context("cannot look up the last scan of a digest")?;
        row.map(ScanRecord::try_from).transpose()
    }
}
