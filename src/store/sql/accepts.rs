//! SNS messages accepted in groups (group commit): the messages that arrive
//! while one group is being committed go in together as the next group, in
//! one transaction. A burst then costs one commit (one `fsync` of SQLite's
//! write-ahead log) per group instead of one per message, and one wait for
//! SQLite's single writer. A message that arrives alone is written at once,
//! and every caller is answered only after its own message is committed.

use anyhow::Context;
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use super::jobs::{insert_job, now};

/// The most messages in one group.
const GROUP: usize = 64;

/// One message waiting for its group's commit.
struct Request {
    message_id: String,
    kind: String,
    payload: String,
    /// Whether the message was new, or why its group failed.
    answer: oneshot::Sender<Result<bool, String>>,
}

/// The queue of the task that writes the groups.
#[derive(Debug, Clone)]
pub(super) struct Accepts {
    queue: mpsc::Sender<Request>,
}

impl Accepts {
    /// Starts the writer on `pool`; it stops when the last clone is dropped.
    pub(super) fn start(pool: AnyPool) -> Accepts {
        let (queue, requests) = mpsc::channel(GROUP);
        tokio::spawn(write(pool, requests));
        Accepts { queue }
    }

    /// Records an SNS message and its job, committed with the group it joins;
    /// `false` when the message id was seen before (nothing is stored then).
    pub(super) async fn accept(
        &self,
        message_id: &str,
        kind: &str,
        payload: &str,
    ) -> anyhow::Result<bool> {
        let (answer, answered) = oneshot::channel();
        let request = Request {
            message_id: message_id.to_string(),
            kind: kind.to_string(),
            payload: payload.to_string(),
            answer,
        };
        let stopped = || anyhow::anyhow!("the writer of SNS messages stopped");
        self.queue.send(request).await.map_err(|_| stopped())?;
        let answer = answered.await.map_err(|_| stopped())?;
        answer.map_err(anyhow::Error::msg)
    }
}

async fn write(pool: AnyPool, mut requests: mpsc::Receiver<Request>) {
    let mut group = Vec::with_capacity(GROUP);
    while requests.recv_many(&mut group, GROUP).await > 0 {
        match commit(&pool, &group).await {
            Ok(stored) => {
                for (request, stored) in group.drain(..).zip(stored) {
                    let _ = request.answer.send(Ok(stored));
                }
            }
            Err(error) => {
                let error = format!("{error:#}");
                for request in group.drain(..) {
                    let _ = request.answer.send(Err(error.clone()));
                }
            }
        }
    }
}

/// Writes `group` in one transaction; for each message, whether it was new.
async fn commit(pool: &AnyPool, group: &[Request]) -> anyhow::Result<Vec<bool>> {
    let mut tx = pool
        .begin()
        .await
        .context("cannot begin accepting an SNS message")?;
    let mut stored = Vec::with_capacity(group.len());
    for request in group {
        let inserted = sqlx::query(
            "INSERT INTO sns_messages (message_id, received_at) VALUES ($1, $2)
             ON CONFLICT (message_id) DO NOTHING",
        )
        .bind(&request.message_id)
        .bind(now())
        .execute(&mut *tx)
        .await
        .context("cannot record an SNS message id")?
        .rows_affected();
        if inserted > 0 {
            insert_job(&mut tx, &request.kind, &request.payload, now())
                .await
                .context("cannot store the job of an SNS message")?;
        }
        stored.push(inserted > 0);
    }
    tx.commit()
        .await
        .context("cannot commit an accepted SNS message")?;
    Ok(stored)
}
