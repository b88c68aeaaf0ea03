//! Jobs and seen SNS message ids.

use anyhow::Context;
use async_trait::async_trait;

use super::{Engine, SqlStore};
use crate::store::{Job, Jobs, ScanRecord};

pub(super) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Stores a pending job due at `run_after` (Unix seconds), within `tx`.
pub(super) async fn insert_job(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    kind: &str,
    payload: &str,
    run_after: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO jobs (kind, payload, state, attempts, run_after, created_at)
         VALUES ($1, $2, 'pending', 0, $3, $4)",
    )
    .bind(kind)
    .bind(payload)
    .bind(run_after)
    .bind(now())
    .execute(&mut **tx)
    .await
    .with_context(|| format!("cannot store a job of kind {kind}"))?;
    Ok(())
}

#[async_trait]
impl Jobs for SqlStore {
    async fn accept_message(
        &self,
        message_id: &str,
        kind: &str,
        payload: &str,
    ) -> anyhow::Result<bool> {
        self.accepts.accept(message_id, kind, payload).await
    }

    async fn claim_job(&self) -> anyhow::Result<Option<Job>> {
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
        sqlx::query_as(&sql)
            .bind(now())
            .fetch_optional(&self.pool)
            .await
            .context("cannot claim a job")
    }

    async fn save_progress(&self, job_id: i64, progress: &str) -> anyhow::Result<()> {
        self.save_plan(job_id, progress, None).await
    }

    async fn save_plan(
        &self,
        job_id: i64,
        progress: &str,
        scan: Option<&ScanRecord>,
    ) -> anyhow::Result<()> {
        let mut tx = self
            .pool
            .begin()
            .await
            .with_context(|| format!("cannot begin saving the progress of job {job_id}"))?;
        if let Some(scan) = scan {
            let findings =
                serde_json::to_string(&scan.findings).context("cannot encode the findings")?;
            sqlx::query(
                "INSERT INTO scans
                   (repository, image_key, digest, scanned_at, changed_at, findings, kind)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&scan.repository)
            .bind(&scan.image_key)
            .bind(&scan.digest)
            .bind(scan.scanned_at)
            .bind(scan.changed_at)
            .bind(findings)
            .bind(super::threads::kind_name(scan.kind))
            .execute(&mut *tx)
            .await
            .with_context(|| format!("cannot record the scan of job {job_id}"))?;
        }
        sqlx::query("UPDATE jobs SET progress = $1 WHERE id = $2")
            .bind(progress)
            .bind(job_id)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("cannot save the progress of job {job_id}"))?;
        tx.commit()
            .await
            .with_context(|| format!("cannot commit the progress of job {job_id}"))?;
        Ok(())
    }

    async fn finish_job(&self, job_id: i64) -> anyhow::Result<()> {
        self.set_job(job_id, "done", 0, None)
            .await
            .with_context(|| format!("cannot mark job {job_id} done"))
    }

    async fn retry_job(
        &self,
        job_id: i64,
        delay_secs: i64,
        error: &str,
        give_up: bool,
    ) -> anyhow::Result<()> {
        let state = if give_up { "failed" } else { "pending" };
        self.set_job(job_id, state, delay_secs, Some(error))
            .await
            .with_context(|| format!("cannot mark job {job_id} {state}"))
    }

    async fn release_jobs(&self, claimed_before: i64) -> anyhow::Result<u64> {
        let released = sqlx::query(
            "UPDATE jobs SET state = 'pending', claimed_at = NULL
             WHERE state = 'running' AND claimed_at < $1",
        )
        .bind(claimed_before)
        .execute(&self.pool)
        .await
        .context("cannot release interrupted jobs")?
        .rows_affected();
        Ok(released)
    }

    async fn renew_claims(&self, job_ids: &[i64], now: i64) -> anyhow::Result<()> {
        for id in job_ids {
            sqlx::query("UPDATE jobs SET claimed_at = $1 WHERE id = $2 AND state = 'running'")
                .bind(now)
                .bind(id)
                .execute(&self.pool)
                .await
                .with_context(|| format!("cannot renew the claim of job {id}"))?;
        }
        Ok(())
    }

    async fn queue_stats(&self) -> anyhow::Result<(u64, Option<i64>)> {
        let (depth, oldest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*) AS depth,
                    MIN(CASE WHEN state = 'pending' THEN created_at END) AS oldest
             FROM jobs WHERE state IN ('pending', 'running')",
        )
        .fetch_one(&self.pool)
        .await
        .context("cannot count the queued jobs")?;
        Ok((u64::try_from(depth)?, oldest))
    }
}

impl SqlStore {
    /// Moves a job to `state`, due again in `delay_secs`, noting `error` if any.
    async fn set_job(
        &self,
        job_id: i64,
        state: &str,
        delay_secs: i64,
        error: Option<&str>,
    ) -> Result<(), sqlx::Error> {
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
}
