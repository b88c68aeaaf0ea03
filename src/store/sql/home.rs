//! The App Home's reads and the Events API deliveries already handled.

use anyhow::Context;
use async_trait::async_trait;

use super::SqlStore;
use super::threads::ScanRow;
use crate::store::{Home, ImageHistory, ImageThread, ScanRecord};

#[async_trait]
impl Home for SqlStore {
    async fn accept_event(&self, event_id: &str, at: i64) -> anyhow::Result<bool> {
        let inserted = sqlx::query(
            "INSERT INTO slack_events (event_id, received_at) VALUES ($1, $2)
             ON CONFLICT (event_id) DO NOTHING",
        )
        .bind(event_id)
        .bind(at)
        .execute(&self.pool)
        .await
        .context("cannot record a Slack event")?
        .rows_affected();
        Ok(inserted == 1)
    }

    async fn image_histories(&self) -> anyhow::Result<Vec<ImageHistory>> {
        let rows: Vec<ScanRow> = sqlx::query_as(
            "SELECT repository, image_key, digest, scanned_at,
                    COALESCE(changed_at, scanned_at) AS changed_at, findings, kind
             FROM (SELECT scans.*, ROW_NUMBER() OVER
                     (PARTITION BY repository, image_key ORDER BY id DESC) AS n
                   FROM scans) AS ranked
             WHERE n <= 2 ORDER BY repository, image_key, n",
        )
        .fetch_all(&self.pool)
        .await
        .context("cannot read the latest scans of every image")?;
        let mut histories: Vec<ImageHistory> = Vec::new();
        for row in rows {
            let record = ScanRecord::try_from(row)?;
            match histories.last_mut() {
                Some(h)
                    if h.previous.is_none()
                        && h.latest.repository == record.repository
                        && h.latest.image_key == record.image_key =>
                {
                    h.previous = Some(record);
                }
                _ => histories.push(ImageHistory {
                    latest: record,
                    previous: None,
                }),
            }
        }
        Ok(histories)
    }

    async fn all_image_threads(&self) -> anyhow::Result<Vec<ImageThread>> {
        sqlx::query_as(
            "SELECT repository, image_key, channel, ts FROM image_threads
             ORDER BY repository, image_key, channel",
        )
        .fetch_all(&self.pool)
        .await
        .context("cannot read the image threads")
    }
}
