//! Noise control: results per channel, and digests.

use sqlx::Row;

use super::SqlStore;
use crate::store::Digest;

impl SqlStore {
    pub(super) async fn count_result_impl(
        &self,
        channel: &str,
        now: i64,
        window: i64,
    ) -> anyhow::Result<i64> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM channel_results WHERE channel = $1 AND at < $2")
            .bind(channel)
            .bind(now - window)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO channel_results (channel, at) VALUES ($1, $2)")
            .bind(channel)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let count: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM channel_results WHERE channel = $1")
                .bind(channel)
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
        tx.commit().await?;
        Ok(count)
    }

    pub(super) async fn join_digest_impl(
        &self,
        channel: &str,
        now: i64,
        window: i64,
    ) -> anyhow::Result<Digest> {
        let mut tx = self.pool.begin().await?;
        let open = sqlx::query(
            "SELECT id, results, ts FROM digests WHERE channel = $1 AND last_at >= $2
             ORDER BY id DESC LIMIT 1",
        )
        .bind(channel)
        .bind(now - window)
        .fetch_optional(&mut *tx)
        .await?;
        let digest = match open {
            Some(row) => {
                let id: i64 = row.try_get("id")?;
                let results: i64 = row.try_get::<i64, _>("results")? + 1;
                sqlx::query("UPDATE digests SET results = $1, last_at = $2 WHERE id = $3")
                    .bind(results)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                Digest {
                    id,
                    results,
                    ts: row.try_get("ts")?,
                }
            }
            None => {
                let row = sqlx::query(
                    "INSERT INTO digests (channel, opened_at, last_at, results) VALUES ($1, $2, $2, 1)
                     RETURNING id",
                )
                .bind(channel)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                Digest {
                    id: row.try_get("id")?,
                    results: 1,
                    ts: None,
                }
            }
        };
        tx.commit().await?;
        Ok(digest)
    }

    pub(super) async fn set_digest_ts_impl(&self, id: i64, ts: &str) -> anyhow::Result<()> {
        sqlx::query("UPDATE digests SET ts = $1 WHERE id = $2 AND ts IS NULL")
            .bind(ts)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
