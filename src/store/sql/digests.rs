//! Noise control: results per channel, and digests.

use anyhow::Context;
use async_trait::async_trait;

use super::SqlStore;
use crate::scan::burst::{Entry, Outcome};
use crate::store::{Digest, Digests};

/// A row of `digest_entries`.
#[derive(sqlx::FromRow)]
struct EntryRow {
    image: String,
    outcome: String,
    criticals: Option<String>,
    running: i64,
}

impl TryFrom<EntryRow> for Entry {
    type Error = anyhow::Error;

    fn try_from(row: EntryRow) -> anyhow::Result<Self> {
        let criticals = match row.criticals {
            Some(json) => serde_json::from_str(&json).context("cannot decode a digest entry")?,
            None => Vec::new(),
        };
        Ok(Entry {
            image: row.image,
            outcome: Outcome::parse(&row.outcome),
            criticals,
            running: row.running != 0,
        })
    }
}

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

    async fn join_digest(
        &self,
        channel: &str,
        now: i64,
        window: i64,
        entry: &Entry,
    ) -> anyhow::Result<Digest> {
        let mut tx = self
            .pool
            .begin()
            .await
            .context("cannot begin joining a digest")?;
        // A write first: on SQLite the transaction takes the write lock at once
        // (waiting its turn), instead of failing to upgrade a read later.
        let open: Option<Digest> = sqlx::query_as(
            "UPDATE digests SET results = results + 1, last_at = $1
             WHERE id = (SELECT id FROM digests WHERE channel = $2 AND last_at >= $3
                         ORDER BY id DESC LIMIT 1)
             RETURNING id, channel, ts",
        )
        .bind(now)
        .bind(channel)
        .bind(now - window)
        .fetch_optional(&mut *tx)
        .await
        .context("cannot add a result to a channel's open digest")?;
        let digest = match open {
            Some(open) => open,
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
                    channel: channel.to_string(),
                    ts: None,
                }
            }
        };
        let criticals = match entry.criticals.is_empty() {
            true => None,
            false => Some(serde_json::to_string(&entry.criticals)?),
        };
        sqlx::query(
            "INSERT INTO digest_entries (digest_id, image, outcome, criticals, running)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(digest.id)
        .bind(&entry.image)
        .bind(entry.outcome.as_str())
        .bind(criticals)
        .bind(i64::from(entry.running))
        .execute(&mut *tx)
        .await
        .with_context(|| format!("cannot record a result of digest {}", digest.id))?;
        tx.commit().await.context("cannot commit a digest")?;
        Ok(digest)
    }

    async fn digest(&self, id: i64) -> anyhow::Result<Option<Digest>> {
        sqlx::query_as("SELECT id, channel, ts FROM digests WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .with_context(|| format!("cannot read digest {id}"))
    }

    async fn digest_entries(&self, id: i64) -> anyhow::Result<Vec<Entry>> {
        let rows: Vec<EntryRow> = sqlx::query_as(
            "SELECT image, outcome, criticals, running FROM digest_entries
             WHERE digest_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .with_context(|| format!("cannot read the results of digest {id}"))?;
        rows.into_iter().map(Entry::try_from).collect()
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

    async fn request_digest_refresh(&self, id: i64, kind: &str, at: i64) -> anyhow::Result<bool> {
        let mut tx = self
            .pool
            .begin()
            .await
            .context("cannot begin asking for a digest refresh")?;
        let asked = sqlx::query(
            "UPDATE digests SET refresh_pending = 1 WHERE id = $1 AND refresh_pending = 0",
        )
        .bind(id)
        .execute(&mut *tx)
        .await
        .with_context(|| format!("cannot mark digest {id} for a refresh"))?
        .rows_affected();
        if asked == 0 {
            return Ok(false);
        }
        let payload = serde_json::json!({ "digest": id }).to_string();
        super::jobs::insert_job(&mut tx, kind, &payload, at).await?;
        tx.commit()
            .await
            .with_context(|| format!("cannot commit the refresh of digest {id}"))?;
        Ok(true)
    }

    async fn digest_to_refresh(&self, id: i64) -> anyhow::Result<Option<Digest>> {
        sqlx::query("UPDATE digests SET refresh_pending = 0 WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .with_context(|| format!("cannot clear the refresh of digest {id}"))?;
        self.digest(id).await
    }
}
