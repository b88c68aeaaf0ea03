//! The running-images policy and the schedules it keeps.

use anyhow::Context;
use async_trait::async_trait;

use super::SqlStore;
use crate::store::{KeptSchedule, Running, RunningPolicy};

const POLICY: &str = "expression, timezone, clusters, channel, created_by, updated_at";

#[derive(sqlx::FromRow)]
struct PolicyRow {
    expression: String,
    timezone: String,
    clusters: String,
    channel: String,
    created_by: String,
    updated_at: i64,
}

impl From<PolicyRow> for RunningPolicy {
    fn from(row: PolicyRow) -> Self {
        RunningPolicy {
            expression: row.expression,
            timezone: row.timezone,
            clusters: (row.clusters.split(','))
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
            channel: row.channel,
            created_by: row.created_by,
            updated_at: row.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct KeptRow {
    name: String,
    repository: String,
    digest: String,
    place: String,
}

#[async_trait]
impl Running for SqlStore {
    async fn set_running_policy(&self, p: &RunningPolicy, next_sync_at: i64) -> anyhow::Result<()> {
        sqlx::query(&format!(
            "INSERT INTO running_policy (id, {POLICY}, next_sync_at)
             VALUES (1, $1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (id) DO UPDATE SET expression = $1, timezone = $2, clusters = $3,
                 channel = $4, created_by = $5, updated_at = $6, next_sync_at = $7"
        ))
        .bind(&p.expression)
        .bind(&p.timezone)
        .bind(p.clusters.join(","))
        .bind(&p.channel)
        .bind(&p.created_by)
        .bind(p.updated_at)
        .bind(next_sync_at)
        .execute(&self.pool)
        .await
        .context("cannot store the running-images policy")?;
        Ok(())
    }

    async fn running_policy(&self) -> anyhow::Result<Option<RunningPolicy>> {
        let row: Option<PolicyRow> =
            sqlx::query_as(&format!("SELECT {POLICY} FROM running_policy WHERE id = 1"))
                .fetch_optional(&self.pool)
                .await
                .context("cannot read the running-images policy")?;
        Ok(row.map(RunningPolicy::from))
    }

    async fn claim_running_sync(
        &self,
        now: i64,
        lease: i64,
        now_anyway: bool,
    ) -> anyhow::Result<Option<RunningPolicy>> {
        let row: Option<PolicyRow> = sqlx::query_as(&format!(
            "UPDATE running_policy SET lease_until = $1
             WHERE id = 1 AND (lease_until IS NULL OR lease_until <= $2)
                 AND (next_sync_at <= $2 OR $3 = 1)
             RETURNING {POLICY}"
        ))
        .bind(now + lease)
        .bind(now)
        .bind(i64::from(now_anyway))
        .fetch_optional(&self.pool)
        .await
        .context("cannot claim the running-images re-sync")?;
        Ok(row.map(RunningPolicy::from))
    }

    async fn finish_running_sync(&self, next_sync_at: i64) -> anyhow::Result<()> {
        sqlx::query("UPDATE running_policy SET lease_until = NULL, next_sync_at = $1 WHERE id = 1")
            .bind(next_sync_at)
            .execute(&self.pool)
            .await
            .context("cannot end the running-images re-sync")?;
        Ok(())
    }

    async fn kept_schedules(&self) -> anyhow::Result<Vec<KeptSchedule>> {
        let rows: Vec<KeptRow> = sqlx::query_as(
            "SELECT name, repository, digest, place FROM running_schedules ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await
        .context("cannot read the kept schedules")?;
        Ok((rows.into_iter())
            .map(|r| KeptSchedule {
                name: r.name,
                repository: r.repository,
                digest: r.digest,
                place: r.place,
            })
            .collect())
    }

    async fn keep_schedule(&self, kept: &KeptSchedule, now: i64) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO running_schedules (name, repository, digest, place, created_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (name) DO UPDATE SET place = $4",
        )
        .bind(&kept.name)
        .bind(&kept.repository)
        .bind(&kept.digest)
        .bind(&kept.place)
        .bind(now)
        .execute(&self.pool)
        .await
        .context("cannot record a kept schedule")?;
        Ok(())
    }

    async fn forget_schedule(&self, name: &str) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM running_schedules WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await
            .context("cannot forget a kept schedule")?;
        Ok(())
    }

    async fn running_place(
        &self,
        repository: &str,
        digest: &str,
    ) -> anyhow::Result<Option<String>> {
        sqlx::query_scalar(
            "SELECT place FROM running_schedules WHERE repository = $1 AND digest = $2 LIMIT 1",
        )
        .bind(repository)
        .bind(digest)
        .fetch_optional(&self.pool)
        .await
        .context("cannot read where an image runs")
    }
}
