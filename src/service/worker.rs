//! The worker: claims durable jobs one at a time and runs them, with retries.
//!
//! A job is claimed (`running`), run, then marked `done`, put back with a delay,
//! or `failed` after [`MAX_ATTEMPTS`]. A job left `running` by a crash is put
//! back: at start-up on SQLite (one instance), after [`LEASE_SECS`] on PostgreSQL.
//! A job whose next message must wait for Slack's pace in its channel waits
//! in memory ([`waiting`]) while jobs for other channels run.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::jobs::{Failure, JobKind, RETENTION_SECS};
use crate::service::{ignores, keep_running, publish};
use crate::state::AppState;
use crate::store::Job;

mod waiting;

use waiting::Waiting;

/// Attempts before a job is given up.
pub const MAX_ATTEMPTS: i64 = 12;

/// How long a claimed job may run before another instance may take it over.
pub const LEASE_SECS: i64 = 300;

/// The running worker; [`Worker::stop`] lets it finish the job in hand.
pub struct Worker {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Worker {
    /// Asks the worker to stop after the job in hand and waits up to `grace`.
    /// A job still unfinished then stays claimed; it is resumed at the next
    /// start (SQLite) or by another instance after [`LEASE_SECS`] (PostgreSQL),
    /// from its last recorded step.
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(grace, self.task).await.is_err() {
            tracing::warn!("the job in hand did not finish in time; it resumes after the restart");
        }
    }
}

/// Starts the worker on the runtime.
pub fn spawn(state: AppState) -> Worker {
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        let now = chrono::Utc::now().timestamp();
        let stale_before = if state.store.single_instance() {
            now + 1
        } else {
            now - LEASE_SECS
        };
        match state.store.release_jobs(stale_before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(jobs = n, "resumed jobs interrupted by a stop"),
            Err(error) => tracing::error!(error = format!("{error:#}"), "could not release jobs"),
        }
        expire_ignores(&state).await;
        resync_running(&state);
        run(state, stopped).await;
    });
    Worker { stop, task }
}

async fn run(state: AppState, mut stopped: watch::Receiver<bool>) {
    let mut last_release = tokio::time::Instant::now();
    let mut waiting = Waiting::default();
    while !*stopped.borrow() {
        if let Some(job) = waiting.ready(tokio::time::Instant::now()) {
            process(&state, job, &mut waiting).await;
            continue;
        }
        let claimed = match waiting.has_room() {
            true => state.store.claim_job().await,
            false => Ok(None),
        };
        match claimed {
            Ok(Some(job)) => process(&state, job, &mut waiting).await,
            Ok(None) => {
                let second = tokio::time::Instant::now() + Duration::from_secs(1);
                let wake = waiting.next_ready().map_or(second, |at| at.min(second));
                tokio::select! {
                    _ = state.outbox.stored(), if waiting.has_room() => {}
                    _ = stopped.changed() => {}
                    _ = tokio::time::sleep_until(wake) => {}
                }
            }
            Err(error) => {
                tracing::error!(error = format!("{error:#}"), "could not claim a job");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        if last_release.elapsed() > Duration::from_secs(60) {
            last_release = tokio::time::Instant::now();
            let now = chrono::Utc::now().timestamp();
            // Renewed first: a job waiting for Slack's pace is in hand, not dead.
            if let Err(error) = state.store.renew_claims(&waiting.ids(), now).await {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "could not renew waiting jobs' claims"
                );
            }
            let _ = state.store.release_jobs(now - LEASE_SECS).await;
            state.slack.forget_idle_channels();
            if let Err(error) = state.store.prune(now - RETENTION_SECS).await {
                tracing::warn!(error = format!("{error:#}"), "could not prune old rows");
            }
            expire_ignores(&state).await;
            resync_running(&state);
        }
    }
}

/// Re-syncs the schedules of the running images when the daily re-sync is
/// due, in the background: it may take a while, and jobs go on meanwhile.
fn resync_running(state: &AppState) {
    let state_ = state.clone();
    state.spawn(async move {
        if let Err(error) = keep_running::resync_when_due(&state_, chrono::Utc::now()).await {
            let error = format!("{error:#}");
            tracing::warn!(error, "could not re-sync the running images");
        }
    });
}

/// Ends the ignores whose date passed (at start-up, then every minute).
async fn expire_ignores(state: &AppState) {
    if let Err(error) = ignores::expire(state, chrono::Utc::now()).await {
        tracing::warn!(
            error = format!("{error:#}"),
            "could not end expired ignores"
        );
    }
}

async fn process(state: &AppState, job: Job, waiting: &mut Waiting) {
    let span = tracing::info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempts);
    settle(state, job, waiting).instrument(span).await;
}

async fn settle(state: &AppState, job: Job, waiting: &mut Waiting) {
    let result = match JobKind::parse(&job.kind) {
        Some(JobKind::ScanResult) => publish::run(state, &job).await,
        Some(JobKind::DigestRefresh) => publish::refresh_digest(state, &job).await,
        Some(JobKind::FindingUpdate) => publish::run_update(state, &job).await,
        Some(JobKind::IgnoreEnded) => publish::run_ended(state, &job).await,
        None => Err(Failure::Permanent(format!(
            "unknown job kind `{}`",
            job.kind
        ))),
    };
    let outcome = match result {
        Err(Failure::Paced {
            channel,
            after,
            progress,
        }) => {
            tracing::debug!(%channel, ?after, "waiting for Slack's pace in the channel");
            waiting.park(job, progress, channel, after);
            return;
        }
        Ok(()) => state.store.finish_job(job.id).await,
        Err(Failure::Retry { after, error }) => {
            let give_up = job.attempts >= MAX_ATTEMPTS;
            let delay = if after.is_zero() {
                backoff(job.attempts)
            } else {
                after.as_secs().max(1) as i64
            };
            tracing::warn!(job = job.id, attempt = job.attempts, give_up, %error, "job failed");
            state.store.retry_job(job.id, delay, &error, give_up).await
        }
        Err(Failure::Permanent(error)) => {
            tracing::error!(job = job.id, %error, "job failed for good");
            state.store.retry_job(job.id, 0, &error, true).await
        }
    };
    waiting.done(job.id);
    if let Err(error) = outcome {
        tracing::error!(
            job = job.id,
            error = format!("{error:#}"),
            "could not record a job's outcome"
        );
    }
}

/// 1 s, 2 s, 4 s … up to 5 minutes.
fn backoff(attempt: i64) -> i64 {
    1_i64 << attempt.clamp(1, 9).saturating_sub(1).min(8) as u32
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_and_stays_under_five_minutes() {
        assert_eq!(backoff(1), 1);
        assert_eq!(backoff(2), 2);
        assert_eq!(backoff(5), 16);
        assert!(backoff(100) <= 300);
    }
}
