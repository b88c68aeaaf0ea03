//! The head of a channel's digest, refreshed a few seconds after results join
//! it: one `chat.update` for all of them, not one each.

use std::time::Duration;

use crate::jobs::{DigestRefresh, Failure, JobKind};
use crate::scan::burst::Tally;
use crate::slack::blocks;
use crate::slack::client::PostError;
use crate::state::AppState;
use crate::store::Job;

/// How long after a result joins a digest its head is refreshed.
pub const REFRESH_AFTER_SECS: i64 = 2;

/// Asks for the head of digest `id` to be refreshed soon (once, however many ask).
pub(super) async fn ask_refresh(state: &AppState, id: i64) -> anyhow::Result<()> {
    let at = chrono::Utc::now().timestamp() + REFRESH_AFTER_SECS;
    let kind = JobKind::DigestRefresh.as_str();
    state.store.request_digest_refresh(id, kind, at).await?;
    Ok(())
}

/// Runs a [`JobKind::DigestRefresh`] job: the head, as the digest's results
/// now tally, replaces the posted one.
pub async fn refresh_digest(state: &AppState, job: &Job) -> Result<(), Failure> {
    let refresh: DigestRefresh = serde_json::from_str(&job.payload)
        .map_err(|error| Failure::Permanent(error.to_string()))?;
    let Some(digest) = state.store.digest_to_refresh(refresh.digest).await? else {
        return Ok(());
    };
    let Some(ts) = digest.ts else {
        // Not posted: nothing in it was worth a message yet.
        return Ok(());
    };
    let tally = Tally::of(&state.store.digest_entries(digest.id).await?);
    let head = blocks::digest(&tally, state.settings.digest_window.as_secs());
    match state.slack.update(&digest.channel, &ts, head).await {
        Ok(()) => Ok(()),
        Err(PostError::RateLimited(after)) => Err(Failure::Retry {
            after: after.unwrap_or(Duration::from_secs(1)),
            error: "Slack rate limit".into(),
        }),
        Err(PostError::Unavailable(error)) => Err(Failure::retry(error)),
        Err(error) => {
            tracing::warn!(%error, digest = digest.id, "could not refresh a digest's head");
            Ok(())
        }
    }
}
