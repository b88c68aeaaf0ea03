//! Ignores, and the jobs that announce their end.

use anyhow::Context;
use async_trait::async_trait;

use super::SqlStore;
use super::jobs::{self, insert_job};
use crate::routing::ImagePattern;
use crate::store::{Ended, Ignores, NewIgnore};
use crate::triage::{Ignore, Until};

const COLUMNS: &str =
    "id, vulnerability, scope, until_at, reason, created_by, channel, created_at, ended_why";

#[derive(sqlx::FromRow)]
struct IgnoreRow {
    id: i64,
    vulnerability: String,
    scope: String,
    until_at: Option<i64>,
    reason: String,
    created_by: String,
    channel: String,
    created_at: i64,
    ended_why: Option<String>,
}

impl IgnoreRow {
    fn into_ignore(self) -> anyhow::Result<(Ignore, Option<Ended>)> {
        let scope = match self.scope.as_str() {
            "" => None,
            pattern => Some(
                ImagePattern::parse(pattern)
                    .map_err(|e| anyhow::anyhow!("stored ignore {}: {e}", self.id))?,
            ),
        };
        let ignore = Ignore {
            id: self.id,
            vulnerability: self.vulnerability,
            scope,
            until: self.until_at.map_or(Until::Fixed, Until::At),
            reason: self.reason,
            created_by: self.created_by,
            channel: self.channel,
            created_at: self.created_at,
        };
        Ok((ignore, self.ended_why.as_deref().and_then(Ended::parse)))
    }
}

#[async_trait]
impl Ignores for SqlStore {
    async fn add_ignore(&self, new: &NewIgnore<'_>) -> anyhow::Result<(i64, bool)> {
        let mut tx = self.pool.begin().await.context("cannot begin an ignore")?;
        let replaced = sqlx::query(
            "UPDATE ignores SET ended_at = $1, ended_why = $2
             WHERE vulnerability = $3 AND scope = $4 AND ended_at IS NULL",
        )
        .bind(new.created_at)
        .bind(Ended::Replaced.as_str())
        .bind(new.vulnerability)
        .bind(new.scope)
        .execute(&mut *tx)
        .await
        .context("cannot replace an ignore")?
        .rows_affected()
            > 0;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO ignores (vulnerability, scope, until_at, reason, created_by, channel, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(new.vulnerability)
        .bind(new.scope)
        .bind(new.until_at)
        .bind(new.reason)
        .bind(new.created_by)
        .bind(new.channel)
        .bind(new.created_at)
        .fetch_one(&mut *tx)
        .await
        .context("cannot store an ignore")?;
        tx.commit().await.context("cannot commit an ignore")?;
        Ok((id, replaced))
    }

    async fn remove_ignore(
        &self,
        vulnerability: &str,
        scope: &str,
        now: i64,
    ) -> anyhow::Result<bool> {
        let removed = sqlx::query(
            "UPDATE ignores SET ended_at = $1, ended_why = $2
             WHERE vulnerability = $3 AND scope = $4 AND ended_at IS NULL",
        )
        .bind(now)
        .bind(Ended::Removed.as_str())
        .bind(vulnerability)
        .bind(scope)
        .execute(&self.pool)
        .await
        .context("cannot remove an ignore")?
        .rows_affected();
        Ok(removed > 0)
    }

    async fn active_ignores(&self, now: i64) -> anyhow::Result<Vec<Ignore>> {
        let rows: Vec<IgnoreRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM ignores
             WHERE ended_at IS NULL AND (until_at IS NULL OR until_at > $1)
             ORDER BY vulnerability, scope"
        ))
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .context("cannot read the ignores")?;
        rows.into_iter()
            .map(|row| row.into_ignore().map(|(ignore, _)| ignore))
            .collect()
    }

    async fn end_ignores(&self, now: i64, fixed: &[i64], kind: &str) -> anyhow::Result<Vec<i64>> {
        let mut tx = self
            .pool
            .begin()
            .await
            .context("cannot begin ending ignores")?;
        let mut ended: Vec<i64> = sqlx::query_scalar(
            "UPDATE ignores SET ended_at = $1, ended_why = $2
             WHERE ended_at IS NULL AND until_at <= $1 RETURNING id",
        )
        .bind(now)
        .bind(Ended::Expired.as_str())
        .fetch_all(&mut *tx)
        .await
        .context("cannot end the expired ignores")?;
        for &id in fixed {
            let done: Option<i64> = sqlx::query_scalar(
                "UPDATE ignores SET ended_at = $1, ended_why = $2
                 WHERE id = $3 AND ended_at IS NULL RETURNING id",
            )
            .bind(now)
            .bind(Ended::Fixed.as_str())
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .context("cannot end a fixed ignore")?;
            ended.extend(done);
        }
        for id in &ended {
            let payload = serde_json::json!({ "ignore": id }).to_string();
            insert_job(&mut tx, kind, &payload, jobs::now()).await?;
        }
        tx.commit().await.context("cannot commit ending ignores")?;
        ended.sort_unstable();
        Ok(ended)
    }

    async fn ignore(&self, id: i64) -> anyhow::Result<Option<(Ignore, Option<Ended>)>> {
        let row: Option<IgnoreRow> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM ignores WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .context("cannot read an ignore")?;
        row.map(IgnoreRow::into_ignore).transpose()
    }
}
