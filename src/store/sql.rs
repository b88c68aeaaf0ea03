//! [`Store`] on SQLite or PostgreSQL through sqlx's `Any` driver.
//!
//! Both engines take the same queries (`$N` placeholders, `ON CONFLICT` upserts,
//! integer timestamps), so one implementation serves both; the schema differs only
//! in its migrations, one folder per dialect.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor, Row};

use super::{AuditEntry, Digest, Job, ScanRecord, ScanRequest, Store, Subscription};

mod audit;
mod digests;
mod jobs;
mod subscriptions;
mod threads;

/// The database engine behind a [`SqlStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A [`Store`] on a connection pool.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    engine: Engine,
}

impl SqlStore {
    /// Connects to `url`, creating an SQLite file when missing, and runs the
    /// migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        install_default_drivers();
        let (engine, url) = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Engine::Postgres, url.to_string())
        } else if url.starts_with("sqlite:") {
            let url = if url.contains('?') || url.contains(":memory:") {
                url.to_string()
            } else {
                format!("{url}?mode=rwc")
            };
            (Engine::Sqlite, url)
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite:// or postgres://");
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if engine == Engine::Sqlite { 4 } else { 10 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .context("cannot open the database named by DATABASE_URL")?;
        let migrator = match engine {
            Engine::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Engine::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        migrator
            .run(&pool)
            .await
            .context("cannot migrate the database")?;
        Ok(SqlStore { pool, engine })
    }

    /// Which engine this store runs on.
    pub fn engine(&self) -> Engine {
        self.engine
    }
}

#[async_trait]
impl Store for SqlStore {
    fn single_instance(&self) -> bool {
        self.engine == Engine::Sqlite
    }

    async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
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
        .await?;
        Ok(())
    }

    async fn scan_request(
        &self,
        repository: &str,
        digest: &str,
    ) -> anyhow::Result<Option<ScanRequest>> {
        let row = sqlx::query(
            "SELECT repository, digest, channel, ts, user_id, requested_at
             FROM scan_requests WHERE repository = $1 AND digest = $2",
        )
        .bind(repository)
        .bind(digest)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(ScanRequest {
                repository: row.try_get("repository")?,
                digest: row.try_get("digest")?,
                channel: row.try_get("channel")?,
                ts: row.try_get("ts")?,
                user_id: row.try_get("user_id")?,
                requested_at: row.try_get("requested_at")?,
            })
        })
        .transpose()
    }

    async fn audit(&self, e: &AuditEntry) -> anyhow::Result<()> {
        self.audit_impl(e, None).await.map(drop)
    }

    async fn audit_request(&self, e: &AuditEntry, signature: &str) -> anyhow::Result<bool> {
        self.audit_impl(e, Some(signature)).await
    }

    async fn recent_audit(&self, limit: u32) -> anyhow::Result<Vec<AuditEntry>> {
        self.recent_audit_impl(limit).await
    }

    async fn delete_scan_request(&self, repository: &str, digest: &str) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM scan_requests WHERE repository = $1 AND digest = $2")
            .bind(repository)
            .bind(digest)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn accept_message(
        &self,
        message_id: &str,
        kind: &str,
        payload: &str,
    ) -> anyhow::Result<bool> {
        self.accept_message_impl(message_id, kind, payload).await
    }

    async fn claim_job(&self) -> anyhow::Result<Option<Job>> {
        self.claim_job_impl().await
    }

    async fn save_progress(&self, job_id: i64, progress: &str) -> anyhow::Result<()> {
        self.save_plan_impl(job_id, progress, None).await
    }

    async fn save_plan(
        &self,
        job_id: i64,
        progress: &str,
        scan: Option<&ScanRecord>,
    ) -> anyhow::Result<()> {
        self.save_plan_impl(job_id, progress, scan).await
    }

    async fn finish_job(&self, job_id: i64) -> anyhow::Result<()> {
        self.set_job(job_id, "done", 0, None).await
    }

    async fn retry_job(
        &self,
        job_id: i64,
        delay_secs: i64,
        error: &str,
        give_up: bool,
    ) -> anyhow::Result<()> {
        let state = if give_up { "failed" } else { "pending" };
        self.set_job(job_id, state, delay_secs, Some(error)).await
    }

    async fn release_jobs(&self, claimed_before: i64) -> anyhow::Result<u64> {
        self.release_jobs_impl(claimed_before).await
    }

    async fn prune(&self, before: i64) -> anyhow::Result<u64> {
        let mut pruned = 0;
        for sql in [
            "DELETE FROM jobs WHERE state = 'done' AND created_at < $1",
            "DELETE FROM sns_messages WHERE received_at < $1",
            "DELETE FROM channel_results WHERE at < $1",
            "DELETE FROM digests WHERE last_at < $1",
        ] {
            pruned += sqlx::query(sql)
                .bind(before)
                .execute(&self.pool)
                .await?
                .rows_affected();
        }
        Ok(pruned)
    }

    async fn queue_stats(&self) -> anyhow::Result<(u64, Option<i64>)> {
        self.queue_stats_impl().await
    }

    async fn image_thread(
        &self,
        repository: &str,
        image_key: &str,
        channel: &str,
    ) -> anyhow::Result<Option<String>> {
        self.image_thread_impl(repository, image_key, channel).await
    }

    async fn save_image_thread(
        &self,
        repository: &str,
        image_key: &str,
        channel: &str,
        ts: &str,
    ) -> anyhow::Result<()> {
        self.save_image_thread_impl(repository, image_key, channel, ts)
            .await
    }

    async fn last_scan(
        &self,
        repository: &str,
        image_key: &str,
    ) -> anyhow::Result<Option<ScanRecord>> {
        self.last_scan_impl(repository, image_key).await
    }

    async fn subscribe(&self, subscription: &Subscription) -> anyhow::Result<bool> {
        self.subscribe_impl(subscription).await
    }

    async fn unsubscribe(&self, channel: &str, pattern: &str) -> anyhow::Result<bool> {
        self.unsubscribe_impl(channel, pattern).await
    }

    async fn subscriptions(&self, channel: Option<&str>) -> anyhow::Result<Vec<Subscription>> {
        self.subscriptions_impl(channel).await
    }

    async fn count_result(&self, channel: &str, now: i64, window: i64) -> anyhow::Result<i64> {
        self.count_result_impl(channel, now, window).await
    }

    async fn join_digest(&self, channel: &str, now: i64, window: i64) -> anyhow::Result<Digest> {
        self.join_digest_impl(channel, now, window).await
    }

    async fn set_digest_ts(&self, id: i64, ts: &str) -> anyhow::Result<()> {
        self.set_digest_ts_impl(id, ts).await
    }
}
