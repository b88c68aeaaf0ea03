//! The audit log: who ran which command that changes something, and each change
//! it made. Every row is committed before the caller goes on.
//!
//! The row of a signed Slack request carries the request's signature, under a
//! unique index: a replay of the request finds its signature taken and is not
//! run again, whichever instance it reaches.

use anyhow::Context;
use async_trait::async_trait;

use super::SqlStore;
use crate::store::{AuditEntry, AuditLog};

const INSERT: &str = "INSERT INTO audit_log (team_id, user_id, channel_id, action, at, signature)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (signature) DO NOTHING";

impl SqlStore {
    /// Appends `e` (with `signature`, when it is a request's row); `false` when a
    /// row with the same signature exists, and nothing was written.
    async fn append(&self, e: &AuditEntry, signature: Option<&str>) -> anyhow::Result<bool> {
        let written = sqlx::query(INSERT)
            .bind(&e.team_id)
            .bind(&e.user_id)
            .bind(&e.channel_id)
            .bind(&e.action)
            .bind(e.at)
            .bind(signature)
            .execute(&self.pool)
            .await
            .context("cannot write the audit log")?
            .rows_affected();
        Ok(written == 1)
    }
}

#[async_trait]
impl AuditLog for SqlStore {
    async fn audit(&self, e: &AuditEntry) -> anyhow::Result<()> {
        self.append(e, None).await.map(drop)
    }

    async fn audit_request(&self, e: &AuditEntry, signature: &str) -> anyhow::Result<bool> {
        self.append(e, Some(signature)).await
    }

    #[cfg(feature = "test-support")]
    async fn recent_audit(&self, limit: u32) -> anyhow::Result<Vec<AuditEntry>> {
        sqlx::query_as(
            "SELECT team_id, user_id, channel_id, action, at FROM audit_log
             ORDER BY id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .context("cannot read the audit log")
    }
}
