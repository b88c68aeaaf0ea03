//! The audit log, written in groups: every command adds a row, and each caller
//! still waits until its row is committed, but the rows that arrive while one
//! group is being written go in together as the next group, in one statement
//! (group commit). Under load this turns a commit per command (each one taking
//! SQLite's write lock, and waiting in its busy handler when another connection
//! holds it) into a commit per group; alone, a command is written at once.

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use super::Engine;
use crate::store::AuditEntry;

/// The most rows one group writes (5 parameters each: well within both engines' limits).
const MAX_GROUP: usize = 64;

type Written = oneshot::Sender<Result<(), String>>;

/// Hands audit rows to the task that writes them.
#[derive(Debug, Clone)]
pub(super) struct AuditWriter {
    queue: mpsc::UnboundedSender<(AuditEntry, Written)>,
}

impl AuditWriter {
    /// Starts the writing task on the current Tokio runtime.
    pub(super) fn spawn(pool: AnyPool, engine: Engine) -> Self {
        let (queue, rows) = mpsc::unbounded_channel();
        tokio::spawn(write_groups(pool, engine, rows));
        AuditWriter { queue }
    }

    /// Appends `entry`, returning once its group is committed.
    pub(super) async fn append(&self, entry: &AuditEntry) -> anyhow::Result<()> {
        let (written, done) = oneshot::channel();
        self.queue
            .send((entry.clone(), written))
            .map_err(|_| anyhow::anyhow!("the audit log writer has stopped"))?;
        done.await
            .map_err(|_| anyhow::anyhow!("the audit log writer has stopped"))?
            .map_err(|error| anyhow::anyhow!("cannot write the audit log: {error}"))
    }
}

async fn write_groups(
    pool: AnyPool,
    engine: Engine,
    mut rows: mpsc::UnboundedReceiver<(AuditEntry, Written)>,
) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while rows.recv_many(&mut group, MAX_GROUP).await > 0 {
        let entries: Vec<&AuditEntry> = group.iter().map(|(entry, _)| entry).collect();
        let result = insert(&pool, engine, &entries)
            .await
            .map_err(|error| error.to_string());
        for (_, written) in group.drain(..) {
            let _ = written.send(result.clone());
        }
    }
}

/// One `INSERT` of every row of a group. SQLite gets anonymous `?` parameters:
/// sqlx looks each named one up by its index, which takes longer the more there are.
async fn insert(
    pool: &AnyPool,
    engine: Engine,
    entries: &[&AuditEntry],
) -> Result<(), sqlx::Error> {
    let values: Vec<String> = (0..entries.len())
        .map(|i| match engine {
            Engine::Sqlite => "(?, ?, ?, ?, ?)".to_string(),
            Engine::Postgres => {
                let n = i * 5;
                format!(
                    "(${}, ${}, ${}, ${}, ${})",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5
                )
            }
        })
        .collect();
    let sql = format!(
        "INSERT INTO audit_log (team_id, user_id, channel_id, action, at) VALUES {}",
        values.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for e in entries {
        query = query
            .bind(&e.team_id)
            .bind(&e.user_id)
            .bind(&e.channel_id)
            .bind(&e.action)
            .bind(e.at);
    }
    query.execute(pool).await?;
    Ok(())
}
