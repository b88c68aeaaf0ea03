//! The audit log, written in groups: the rows that arrive while one group is
//! being written go in together as the next group, in one transaction (group
//! commit). Under load this turns a commit per row (each one taking SQLite's
//! write lock, and waiting in its busy handler when another connection holds it)
//! into a commit per group; alone, a row is written at once.
//!
//! A caller either waits until its row is committed ([`AuditWriter::append`]) or
//! only until it is queued ([`AuditWriter::enqueue`]); [`AuditWriter::flush`]
//! waits for everything queued before it. The queue is bounded, so a database
//! that falls behind slows callers down instead of filling memory.

use std::sync::LazyLock;

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyPool};
use tokio::sync::{mpsc, oneshot};

use super::Engine;
use crate::store::AuditEntry;

/// The most rows one group writes, and one statement (5 parameters a row: well
/// within both engines' limits).
const MAX_GROUP: usize = 256;

const _: () = assert!(MAX_GROUP.is_power_of_two());

/// The most rows waiting to be written.
const QUEUE: usize = 8 * MAX_GROUP;

type Written = oneshot::Sender<Result<(), String>>;

enum Item {
    /// A row, and whom to tell once its group is committed.
    Row(AuditEntry, Option<Written>),
    /// Told once every row queued before it has been written (or reported lost).
    Flush(Written),
}

/// Hands audit rows to the task that writes them.
#[derive(Debug, Clone)]
pub(super) struct AuditWriter {
    queue: mpsc::Sender<Item>,
}

impl AuditWriter {
    /// Starts the writing task on the current Tokio runtime.
    pub(super) fn spawn(pool: AnyPool, engine: Engine) -> Self {
        let (queue, items) = mpsc::channel(QUEUE);
        tokio::spawn(write_groups(pool, engine, items));
        AuditWriter { queue }
    }

    /// Appends `entry`, returning once its group is committed.
    pub(super) async fn append(&self, entry: &AuditEntry) -> anyhow::Result<()> {
        let (written, done) = oneshot::channel();
        self.send(Item::Row(entry.clone(), Some(written))).await?;
        wait(done).await
    }

    /// Queues `entry`, returning once it is in the queue: it is committed with
    /// the next group, and a failure is logged.
    pub(super) async fn enqueue(&self, entry: AuditEntry) -> anyhow::Result<()> {
        self.send(Item::Row(entry, None)).await
    }

    /// Returns once every row queued before the call has been written.
    pub(super) async fn flush(&self) -> anyhow::Result<()> {
        let (written, done) = oneshot::channel();
        self.send(Item::Flush(written)).await?;
        wait(done).await
    }

    async fn send(&self, item: Item) -> anyhow::Result<()> {
        self.queue
            .send(item)
            .await
            .map_err(|_| anyhow::anyhow!("the audit log writer has stopped"))
    }
}

async fn wait(done: oneshot::Receiver<Result<(), String>>) -> anyhow::Result<()> {
    done.await
        .map_err(|_| anyhow::anyhow!("the audit log writer has stopped"))?
        .map_err(|error| anyhow::anyhow!("cannot write the audit log: {error}"))
}

async fn write_groups(pool: AnyPool, engine: Engine, mut items: mpsc::Receiver<Item>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while items.recv_many(&mut group, MAX_GROUP).await > 0 {
        let entries: Vec<&AuditEntry> = group
            .iter()
            .filter_map(|item| match item {
                Item::Row(entry, _) => Some(entry),
                Item::Flush(_) => None,
            })
            .collect();
        let result = if entries.is_empty() {
            Ok(())
        } else {
            insert(&pool, engine, &entries)
                .await
                .map_err(|error| error.to_string())
        };
        let mut unheard = 0;
        for item in group.drain(..) {
            match item {
                Item::Row(_, Some(written)) | Item::Flush(written) => {
                    let _ = written.send(result.clone());
                }
                Item::Row(_, None) => unheard += 1,
            }
        }
        if let Err(error) = &result
            && unheard > 0
        {
            tracing::error!(rows = unheard, %error, "audit-log rows were lost");
        }
    }
}

/// Writes a group in one transaction. Each `INSERT` takes a power of two of rows
/// (100 rows: 64 + 32 + 4), so there are only a few statement texts, and each
/// connection prepares them once instead of once per group size.
async fn insert(
    pool: &AnyPool,
    engine: Engine,
    entries: &[&AuditEntry],
) -> Result<(), sqlx::Error> {
    if entries.len().is_power_of_two() {
        insert_rows(engine, entries).execute(pool).await?;
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    let mut rest = entries;
    while !rest.is_empty() {
        let (rows, after) = rest.split_at(prev_power_of_two(rest.len()));
        insert_rows(engine, rows).execute(&mut *tx).await?;
        rest = after;
    }
    tx.commit().await
}

/// One `INSERT` of `rows` (a power of two of them).
fn insert_rows<'q>(engine: Engine, rows: &[&'q AuditEntry]) -> Query<'q, Any, AnyArguments<'q>> {
    let mut query = sqlx::query(insert_statement(engine, rows.len()));
    for e in rows {
        query = query
            .bind(&e.team_id)
            .bind(&e.user_id)
            .bind(&e.channel_id)
            .bind(&e.action)
            .bind(e.at);
    }
    query
}

/// The largest power of two not above `n` (`n` > 0).
fn prev_power_of_two(n: usize) -> usize {
    1 << n.ilog2()
}

/// `INSERT INTO audit_log ... VALUES (...), (...)` for `rows` rows, built once per size.
fn insert_statement(engine: Engine, rows: usize) -> &'static str {
    static SQL: LazyLock<[Vec<String>; 2]> = LazyLock::new(|| {
        [Engine::Sqlite, Engine::Postgres].map(|engine| {
            (0..=MAX_GROUP.ilog2())
                .map(|power| {
                    let values: Vec<String> = (0..1usize << power)
                        .map(|row| {
                            let params: Vec<String> =
                                (1..=5).map(|n| placeholder(engine, row * 5 + n)).collect();
                            format!("({})", params.join(", "))
                        })
                        .collect();
                    format!(
                        "INSERT INTO audit_log (team_id, user_id, channel_id, action, at) VALUES {}",
                        values.join(", ")
                    )
                })
                .collect()
        })
    });
    let statements = match engine {
        Engine::Sqlite => &SQL[0],
        Engine::Postgres => &SQL[1],
    };
    &statements[rows.ilog2() as usize]
}

/// SQLite gets anonymous `?` parameters: sqlx looks each numbered one up by its
/// index, which takes longer the more there are.
fn placeholder(engine: Engine, n: usize) -> String {
    match engine {
        Engine::Sqlite => "?".to_string(),
        Engine::Postgres => format!("${n}"),
    }
}

#[async_trait::async_trait]
impl crate::store::AuditLog for super::SqlStore {
    async fn audit(&self, e: &AuditEntry) -> anyhow::Result<()> {
        self.audit.append(e).await
    }

    async fn audit_queued(&self, e: AuditEntry) -> anyhow::Result<()> {
        self.audit.enqueue(e).await
    }

    async fn flush_audit(&self) -> anyhow::Result<()> {
        self.audit.flush().await
    }

    #[cfg(feature = "test-support")]
    async fn recent_audit(&self, limit: u32) -> anyhow::Result<Vec<AuditEntry>> {
        use anyhow::Context as _;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_split_into_powers_of_two() {
        let mut sizes = Vec::new();
        let mut rest = 100;
        while rest > 0 {
            sizes.push(prev_power_of_two(rest));
            rest -= prev_power_of_two(rest);
        }
        assert_eq!(sizes, [64, 32, 4]);
    }

    #[test]
    fn statements_have_five_placeholders_per_row() {
        let postgres = insert_statement(Engine::Postgres, 4);
        assert!(
            postgres.ends_with("($16, $17, $18, $19, $20)"),
            "{postgres}"
        );
        assert_eq!(
            insert_statement(Engine::Sqlite, 256).matches('?').count(),
            1280
        );
        assert_eq!(
            insert_statement(Engine::Sqlite, 1),
            "INSERT INTO audit_log (team_id, user_id, channel_id, action, at) VALUES (?, ?, ?, ?, ?)"
        );
    }
}
