//! Enhanced findings: staged events, each image's open batch, and what was announced.
//!
//! Both engines run the same statements. What keeps PostgreSQL's instances
//! apart is the batch row: staging upserts it first (so its lock is held until
//! the staging commits, and one image's events get their ids in commit order),
//! and a fold deletes it before it counts what arrived meanwhile (so it waits
//! for stagers still at work and then sees their events). On SQLite every
//! transaction here starts with a write, so they simply take turns.

use anyhow::Context;
use async_trait::async_trait;
use sqlx::{Any, Transaction};

use super::SqlStore;
use crate::store::{EnhancedFindings, Fold, NewStagedFinding, StagedFinding};

/// A row of `staged_findings`, with its JSON as stored.
#[derive(sqlx::FromRow)]
struct StagedRow {
    id: i64,
    arn: String,
    state: String,
    tags: String,
    received_at: i64,
}

impl StagedRow {
    fn decode(self) -> anyhow::Result<StagedFinding> {
        let context = || format!("cannot read staged finding {}", self.id);
        Ok(StagedFinding {
            id: self.id,
            state: serde_json::from_str(&self.state).with_context(context)?,
            tags: serde_json::from_str(&self.tags).with_context(context)?,
            arn: self.arn,
            received_at: self.received_at,
        })
    }
}

#[async_trait]
impl EnhancedFindings for SqlStore {
    async fn stage_finding(
        &self,
        staged: &NewStagedFinding<'_>,
        kind: &str,
        now: i64,
        window: i64,
    ) -> anyhow::Result<bool> {
        let state = serde_json::to_string(staged.state).context("cannot encode a finding")?;
        let tags = serde_json::to_string(staged.tags).context("cannot encode an image's tags")?;
        let (repository, digest) = (staged.repository, staged.digest);
        let mut tx = (self.pool.begin().await).context("cannot begin staging a finding")?;
        // The batch first: its row lock puts this image's stagers in line.
        let job_id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO finding_batches (repository, digest, opened_at, events) VALUES ($1, $2, $3, 1)
             ON CONFLICT (repository, digest) DO UPDATE SET events = finding_batches.events + 1
             RETURNING job_id",
        )
        .bind(repository)
        .bind(digest)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .context("cannot open or join the batch of an image's findings")?;
        sqlx::query(
            "INSERT INTO staged_findings (repository, digest, arn, state, tags, received_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(repository)
        .bind(digest)
        .bind(staged.arn)
        .bind(state)
        .bind(tags)
        .bind(now)
        .execute(&mut *tx)
        .await
        .context("cannot stage a finding")?;
        // A new batch has no job yet; an old one may have lost its job.
        let waiting = match job_id {
            Some(job_id) => job_alive(&mut tx, job_id).await?,
            None => false,
        };
        if !waiting {
            open_job(&mut tx, repository, digest, kind, now, window).await?;
        }
        tx.commit()
            .await
            .context("cannot commit a staged finding")?;
        Ok(!waiting)
    }

    async fn staged_findings(
        &self,
        repository: &str,
        digest: &str,
    ) -> anyhow::Result<Vec<StagedFinding>> {
        let rows: Vec<StagedRow> = sqlx::query_as(
            "SELECT id, arn, state, tags, received_at FROM staged_findings
             WHERE repository = $1 AND digest = $2 ORDER BY id",
        )
        .bind(repository)
        .bind(digest)
        .fetch_all(&self.pool)
        .await
        .context("cannot read an image's staged findings")?;
        rows.into_iter().map(StagedRow::decode).collect()
    }

    async fn known_findings(
        &self,
        repository: &str,
        digest: &str,
    ) -> anyhow::Result<Vec<(String, String)>> {
        sqlx::query_as(
            "SELECT arn, state FROM known_findings
             WHERE repository = $1 AND digest = $2 ORDER BY arn",
        )
        .bind(repository)
        .bind(digest)
        .fetch_all(&self.pool)
        .await
        .context("cannot read an image's known findings")
    }

    async fn save_fold(&self, job_id: i64, progress: &str, fold: &Fold<'_>) -> anyhow::Result<()> {
        let context = || format!("cannot save the fold of job {job_id}");
        let mut tx = self.pool.begin().await.with_context(context)?;
        sqlx::query("UPDATE jobs SET progress = $1 WHERE id = $2")
            .bind(progress)
            .bind(job_id)
            .execute(&mut *tx)
            .await
            .with_context(context)?;
        for (arn, state) in fold.states {
            remember(&mut tx, fold, arn, state).await?;
        }
        sqlx::query(
            "DELETE FROM staged_findings WHERE repository = $1 AND digest = $2 AND id <= $3",
        )
        .bind(fold.repository)
        .bind(fold.digest)
        .bind(fold.upto)
        .execute(&mut *tx)
        .await
        .with_context(|| format!("cannot forget the staged findings job {job_id} folded"))?;
        reopen_if_needed(&mut tx, job_id, fold).await?;
        tx.commit().await.with_context(context)
    }
}

/// Whether a job will still run: pending or running (not done, failed or pruned).
async fn job_alive(tx: &mut Transaction<'_, Any>, job_id: i64) -> anyhow::Result<bool> {
    let state: Option<String> = sqlx::query_scalar("SELECT state FROM jobs WHERE id = $1")
        .bind(job_id)
        .fetch_optional(&mut **tx)
        .await
        .with_context(|| format!("cannot read the state of job {job_id}"))?;
    Ok(matches!(state.as_deref(), Some("pending" | "running")))
}

/// Stores the fold job of an image's batch, due in `window` seconds, and
/// records it as the batch's.
async fn open_job(
    tx: &mut Transaction<'_, Any>,
    repository: &str,
    digest: &str,
    kind: &str,
    now: i64,
    window: i64,
) -> anyhow::Result<()> {
    let payload = serde_json::json!({ "repository": repository, "digest": digest });
    let job_id: i64 = sqlx::query_scalar(
        "INSERT INTO jobs (kind, payload, state, attempts, run_after, created_at)
         VALUES ($1, $2, 'pending', 0, $3, $4) RETURNING id",
    )
    .bind(kind)
    .bind(payload.to_string())
    .bind(now + window)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .context("cannot store the job of a batch of findings")?;
    sqlx::query(
        "UPDATE finding_batches SET job_id = $1, opened_at = $2 WHERE repository = $3 AND digest = $4",
    )
    .bind(job_id)
    .bind(now)
    .bind(repository)
    .bind(digest)
    .execute(&mut **tx)
    .await
    .context("cannot give a batch of findings its job")?;
    Ok(())
}

/// Records what was announced of one finding.
async fn remember(
    tx: &mut Transaction<'_, Any>,
    fold: &Fold<'_>,
    arn: &str,
    state: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO known_findings (repository, digest, arn, state, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (repository, digest, arn)
         DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
    )
    .bind(fold.repository)
    .bind(fold.digest)
    .bind(arn)
    .bind(state)
    .bind(fold.now)
    .execute(&mut **tx)
    .await
    .with_context(|| format!("cannot remember the state of finding {arn}"))?;
    Ok(())
}

/// Closes the image's batch when it is this job's, and opens the next one when
/// events arrived meanwhile. The batch goes first: on PostgreSQL the delete waits
/// for stagers holding its row, so the count after it sees their events.
async fn reopen_if_needed(
    tx: &mut Transaction<'_, Any>,
    job_id: i64,
    fold: &Fold<'_>,
) -> anyhow::Result<()> {
    let closed = sqlx::query(
        "DELETE FROM finding_batches WHERE repository = $1 AND digest = $2 AND job_id = $3",
    )
    .bind(fold.repository)
    .bind(fold.digest)
    .bind(job_id)
    .execute(&mut **tx)
    .await
    .with_context(|| format!("cannot close the batch of job {job_id}"))?
    .rows_affected();
    if closed == 0 {
        return Ok(());
    }
    let remaining: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM staged_findings WHERE repository = $1 AND digest = $2",
    )
    .bind(fold.repository)
    .bind(fold.digest)
    .fetch_one(&mut **tx)
    .await
    .context("cannot count the findings staged during a fold")?;
    if remaining == 0 {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO finding_batches (repository, digest, opened_at, events) VALUES ($1, $2, $3, $4)",
    )
    .bind(fold.repository)
    .bind(fold.digest)
    .bind(fold.now)
    .bind(remaining)
    .execute(&mut **tx)
    .await
    .context("cannot open the next batch of an image's findings")?;
    open_job(
        tx,
        fold.repository,
        fold.digest,
        fold.kind,
        fold.now,
        fold.window,
    )
    .await
}
