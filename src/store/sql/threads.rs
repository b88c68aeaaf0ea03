//! Image threads and scan history.

use sqlx::Row;

use super::SqlStore;
use crate::store::ScanRecord;

impl SqlStore {
    pub(super) async fn image_thread_impl(
        &self,
        repository: &str,
        image_key: &str,
        channel: &str,
    ) -> anyhow::Result<Option<String>> {
        let row = sqlx::query(
            "SELECT ts FROM image_threads WHERE repository = $1 AND image_key = $2 AND channel = $3",
        )
        .bind(repository)
        .bind(image_key)
        .bind(channel)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| row.try_get("ts")).transpose()?)
    }

    pub(super) async fn save_image_thread_impl(
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
        .await?;
        Ok(())
    }

    pub(super) async fn last_scan_impl(
        &self,
        repository: &str,
        image_key: &str,
    ) -> anyhow::Result<Option<ScanRecord>> {
        let row = sqlx::query(
            "SELECT repository, image_key, digest, scanned_at, findings FROM scans
             WHERE repository = $1 AND image_key = $2 ORDER BY id DESC LIMIT 1",
        )
        .bind(repository)
        .bind(image_key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let findings: String = row.try_get("findings")?;
            Ok(ScanRecord {
                repository: row.try_get("repository")?,
                image_key: row.try_get("image_key")?,
                digest: row.try_get("digest")?,
                scanned_at: row.try_get("scanned_at")?,
                findings: serde_json::from_str(&findings)?,
            })
        })
        .transpose()
    }
}
