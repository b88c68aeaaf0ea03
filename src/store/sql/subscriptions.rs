//! Subscriptions: which channel hears about which images.

use anyhow::Context;
use async_trait::async_trait;

use super::SqlStore;
use crate::scan::findings::Severity;
use crate::store::{Subscription, Subscriptions};

/// A row of `subscriptions`: the severity as stored.
#[derive(sqlx::FromRow)]
struct SubscriptionRow {
    channel: String,
    pattern: String,
    min_severity: String,
    created_by: String,
}

impl From<SubscriptionRow> for Subscription {
    fn from(row: SubscriptionRow) -> Self {
        Subscription {
            channel: row.channel,
            pattern: row.pattern,
            min_severity: row.min_severity.parse().unwrap_or(Severity::Undefined),
            created_by: row.created_by,
        }
    }
}

#[async_trait]
impl Subscriptions for SqlStore {
    async fn subscribe(&self, s: &Subscription) -> anyhow::Result<bool> {
        let mut tx = self
            .pool
            .begin()
            .await
            .context("cannot begin saving a subscription")?;
        let existed = sqlx::query("DELETE FROM subscriptions WHERE channel = $1 AND pattern = $2")
            .bind(&s.channel)
            .bind(&s.pattern)
            .execute(&mut *tx)
            .await
            .context("cannot replace a subscription")?
            .rows_affected()
            > 0;
        sqlx::query(
            "INSERT INTO subscriptions (channel, pattern, min_severity, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.channel)
        .bind(&s.pattern)
        .bind(s.min_severity.as_str())
        .bind(&s.created_by)
        .bind(chrono::Utc::now().timestamp())
        .execute(&mut *tx)
        .await
        .context("cannot save a subscription")?;
        tx.commit().await.context("cannot commit a subscription")?;
        Ok(!existed)
    }

    async fn unsubscribe(&self, channel: &str, pattern: &str) -> anyhow::Result<bool> {
        let removed = sqlx::query("DELETE FROM subscriptions WHERE channel = $1 AND pattern = $2")
            .bind(channel)
            .bind(pattern)
            .execute(&self.pool)
            .await
            .context("cannot remove a subscription")?
            .rows_affected();
        Ok(removed > 0)
    }

    async fn subscriptions(&self, channel: Option<&str>) -> anyhow::Result<Vec<Subscription>> {
        let rows: Vec<SubscriptionRow> = sqlx::query_as(
            "SELECT channel, pattern, min_severity, created_by FROM subscriptions
             WHERE $1 = '' OR channel = $1 ORDER BY channel, pattern",
        )
        .bind(channel.unwrap_or_default())
        .fetch_all(&self.pool)
        .await
        .context("cannot list subscriptions")?;
        Ok(rows.into_iter().map(Subscription::from).collect())
    }
}
