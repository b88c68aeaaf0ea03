//! [`Store`](super::Store) on SQLite or PostgreSQL through sqlx's `Any` driver: the pool and
//! [`Database`] here, each other concern in its own file.
//!
//! Both engines take the same queries (`$N` placeholders, `ON CONFLICT` upserts,
//! integer timestamps), so one implementation serves both; the schema differs only
//! in its migrations, one folder per dialect.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

use super::{Database, KNOWN_FINDINGS_KEPT_SECS};

mod accepts;
mod audit;
mod digests;
mod findings;
mod home;
mod ignores;
mod jobs;
mod running;
mod subscriptions;
mod threads;

/// The database engine behind a [`SqlStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    Sqlite,
    Postgres,
}

/// A [`Store`](super::Store) on a connection pool.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    engine: Engine,
    /// SNS messages are accepted in groups, one transaction each.
    accepts: accepts::Accepts,
}

impl SqlStore {
    /// Connects to `url`, creating an SQLite file when missing, and runs the
    /// migrations.
    pub(super) async fn connect(url: &str) -> anyhow::Result<Self> {
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
        let accepts = accepts::Accepts::start(pool.clone());
        Ok(SqlStore {
            pool,
            engine,
            accepts,
        })
    }
}

#[async_trait]
impl Database for SqlStore {
    async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .context("cannot ping the database")?;
        Ok(())
    }

    fn single_instance(&self) -> bool {
        self.engine == Engine::Sqlite
    }

    async fn prune(&self, before: i64) -> anyhow::Result<u64> {
        let mut pruned = 0;
        for (sql, what, cutoff) in [
            (
                "DELETE FROM jobs WHERE state = 'done' AND created_at < $1",
                "cannot prune finished jobs",
                before,
            ),
            (
                "DELETE FROM sns_messages WHERE received_at < $1",
                "cannot prune seen SNS message ids",
                before,
            ),
            (
                "DELETE FROM slack_events WHERE received_at < $1",
                "cannot prune seen Slack event ids",
                before,
            ),
            (
                "DELETE FROM channel_results WHERE at < $1",
                "cannot prune results counted per channel",
                before,
            ),
            (
                "DELETE FROM digest_entries WHERE digest_id IN
                 (SELECT id FROM digests WHERE last_at < $1)",
                "cannot prune the results of digests",
                before,
            ),
            (
                "DELETE FROM digests WHERE last_at < $1",
                "cannot prune digests",
                before,
            ),
            (
                // Per image: a finding unchanged for long is still known while
                // the image has other findings folded.
                "DELETE FROM known_findings WHERE NOT EXISTS (
                   SELECT 1 FROM known_findings AS recent
                   WHERE recent.repository = known_findings.repository
                     AND recent.digest = known_findings.digest AND recent.updated_at >= $1)",
                "cannot prune the known findings of images no longer folded",
                before - KNOWN_FINDINGS_KEPT_SECS,
            ),
        ] {
            pruned += sqlx::query(sql)
                .bind(cutoff)
                .execute(&self.pool)
                .await
                .context(what)?
                .rows_affected();
        }
        Ok(pruned)
    }
}
