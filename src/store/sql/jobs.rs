//! Jobs and seen SNS message ids.

use sqlx::Row;

use super::{Engine, SqlStore};
use crate::store::{Job, ScanRecord};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl SqlStore {
    pub(super) async fn accept_message_impl(
        &self,
        message_id: &str,
        kind: &str,
        payload: &str,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO sns_messages (message_id, received_at) VALUES ($1, $2)
             ON CONFLICT (message_id) DO NOTHING",
        )
        .bind(message_id)
        .bind(now())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO jobs (kind, payload, state, attempts, run_after, created_at)
             VALUES ($1, $2, 'pending', 0, $3, $3)",
        )
        .bind(kind)
        .bind(payload)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn claim_job_impl(&self) -> anyhow::Result<Option<Job>> {
        // Several instances on PostgreSQL never claim the same job; SQLite has one writer.
        let lock = match self.engine {
            Engine::Postgres => "FOR UPDATE SKIP LOCKED",
            Engine::Sqlite => "",
        };
        let sql = format!(
            "UPDATE jobs SET state = 'running', claimed_at = $1, attempts = attempts + 1
             WHERE id = (SELECT id FROM jobs WHERE state = 'pending' AND run_after <= $1
                         ORDER BY id LIMIT 1 {lock})
             RETURNING id, kind, payload, attempts, progress"
        );
        let row = sqlx::query(&sql)
            .bind(now())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(Job {
                id: row.try_get("id")?,
                kind: row.try_get("kind")?,
                payload: row.try_get("payload")?,
                attempts: row.try_get::<i64, _>("attempts")?,
                progress: row.try_get("progress")?,
            })
        })
        .transpose()
    }

    pub(super) async fn save_plan_impl(
        &self,
        job_id: i64,
        progress: &str,
        scan: Option<&ScanRecord>,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        if let Some(scan) = scan {
            sqlx::query(
                "INSERT INTO scans (repository, image_key, digest, scanned_at, findings)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&scan.repository)
            .bind(&scan.image_key)
            .bind(&scan.digest)
            .bind(scan.scanned_at)
            .bind(serde_json::to_string(&scan.findings)?)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE jobs SET progress = $1 WHERE id = $2")
            .bind(progress)
            .bind(job_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn set_job(
        &self,
        job_id: i64,
        state: &str,
        delay_secs: i64,
        error: Option<&str>,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE jobs SET state = $1, run_after = $2, claimed_at = NULL,
               last_error = COALESCE($3, last_error)
             WHERE id = $4",
        )
        .bind(state)
        .bind(now() + delay_secs)
        .bind(error)
        .bind(job_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(super) async fn release_jobs_impl(&self, claimed_before: i64) -> anyhow::Result<u64> {
        let released = sqlx::query(
            "UPDATE jobs SET state = 'pending', claimed_at = NULL
             WHERE state = 'running' AND claimed_at < $1",
        )
        .bind(claimed_before)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(released)
    }

    pub(super) async fn queue_stats_impl(&self) -> anyhow::Result<(u64, Option<i64>)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS depth,
                    MIN(CASE WHEN state = 'pending' THEN created_at END) AS oldest
             FROM jobs WHERE state IN ('pending', 'running')",
        )
        .fetch_one(&self.pool)
        .await?;
        let depth: i64 = row.try_get("depth")?;
        Ok((u64::try_from(depth)?, row.try_get("oldest")?))
    }
}
