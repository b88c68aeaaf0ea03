//! Noise control: results per channel, and digests.

use anyhow::Context;
use async_trait::async_trait;

use super::SqlStore;
use crate::store::{Digest, Digests};

#[async_trait]
impl Digests for SqlStore {
    async fn count_result(&self, channel: &str, now: i64, window: i64) -> anyhow::Result<i64> {
        let mut tx = self
            .pool
            .begin()
            .await
            .context("cannot begin counting a channel's results")?;
        sqlx::query("DELETE FROM channel_results WHERE channel = $1 AND at < $2")
            .bind(channel)
            .bind(now - window)
            .execute(&mut *tx)
            .await
            .context("cannot forget a channel's older results")?;
        sqlx::query("INSERT INTO channel_results (channel, at) VALUES ($1, $2)")
            .bind(channel)
            .bind(now)
            .execute(&mut *tx)
            .await
            .context("cannot count a result for a channel")?;
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM channel_results WHERE channel = $1")
                .bind(channel)
                .fetch_one(&mut *tx)
                .await
                .context("cannot count a channel's recent results")?;
        tx.commit()
            .await
            .context("cannot commit a channel's result count")?;
        Ok(count)
    }

    async fn join_digest(&self, channel: &str, now: i64, window: i64) -> anyhow::Result<Digest> {
        let mut tx = self
            .pool
            .begin()
            .await
            .context("cannot begin joining a digest")?;
        let open: Option<Digest> = sqlx::query_as(
            "SELECT id, results, ts FROM digests WHERE channel = $1 AND last_at >= $2
             ORDER BY id DESC LIMIT 1",
        )
        .bind(channel)
        .bind(now - window)
        .fetch_optional(&mut *tx)
        .await
        .context("cannot look up a channel's open digest")?;
        let digest = match open {
            Some(open) => {
                let digest = Digest {
                    results: open.results + 1,
                    ..open
                };
                sqlx::query("UPDATE digests SET results = $1, last_at = $2 WHERE id = $3")
                    .bind(digest.results)
                    .bind(now)
                    .bind(digest.id)
                    .execute(&mut *tx)
                    .await
                    .with_context(|| format!("cannot add a result to digest {}", digest.id))?;
                digest
            }
            None => {
                let id = sqlx::query_scalar(
                    "INSERT INTO digests (channel, opened_at, last_at, results) VALUES ($1, $2, $2, 1)
                     RETURNING id",
                )
                .bind(channel)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .context("cannot open a digest")?;
                Digest {
                    id,
                    results: 1,
                    ts: None,
                }
            }
        };
        tx.commit().await.context("cannot commit a digest")?;
        Ok(digest)
    }

    async fn set_digest_ts(&self, id: i64, ts: &str) -> anyhow::Result<()> {
        sqlx::query("UPDATE digests SET ts = $1 WHERE id = $2 AND ts IS NULL")
            .bind(ts)
            .bind(id)
            .execute(&self.pool)
            .await
            .with_context(|| format!("cannot record the message of digest {id}"))?;
        Ok(())
    }
}
