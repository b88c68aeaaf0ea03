//! Subscriptions: which channel hears about which images.

use sqlx::Row;

use super::SqlStore;
use crate::scan::findings::Severity;
use crate::store::Subscription;

impl SqlStore {
    pub(super) async fn subscribe_impl(&self, s: &Subscription) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let existed = sqlx::query("DELETE FROM subscriptions WHERE channel = $1 AND pattern = $2")
            .bind(&s.channel)
            .bind(&s.pattern)
            .execute(&mut *tx)
            .await?
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
        .await?;
        tx.commit().await?;
        Ok(!existed)
    }

    pub(super) async fn unsubscribe_impl(
        &self,
        channel: &str,
        pattern: &str,
    ) -> anyhow::Result<bool> {
        let removed = sqlx::query("DELETE FROM subscriptions WHERE channel = $1 AND pattern = $2")
            .bind(channel)
            .bind(pattern)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(removed > 0)
    }

    pub(super) async fn subscriptions_impl(
        &self,
        channel: Option<&str>,
    ) -> anyhow::Result<Vec<Subscription>> {
        let rows = sqlx::query(
            "SELECT channel, pattern, min_severity, created_by FROM subscriptions
             WHERE $1 = '' OR channel = $1 ORDER BY channel, pattern",
        )
        .bind(channel.unwrap_or_default())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let severity: String = row.try_get("min_severity")?;
                Ok(Subscription {
                    channel: row.try_get("channel")?,
                    pattern: row.try_get("pattern")?,
                    min_severity: severity.parse().unwrap_or(Severity::Undefined),
                    created_by: row.try_get("created_by")?,
                })
            })
            .collect()
    }
}
