//! `/ecrscan running [CLUSTER...]`: the images ECS tasks run now, where they
//! run, and the latest result ecrscan has of each.

use slack_morphism::prelude::SlackMessageContent;
use tracing::Instrument;

use super::explain::explain_ecs;
use super::{Requester, respond};
use crate::running::{RunningImage, running_images};
use crate::scan::posture::Posture;
use crate::slack::blocks::{self, MAX_RUNNING_SHOWN};
use crate::state::AppState;

/// Looks at ECS in the background; everyone may.
pub fn start(
    state: &AppState,
    who: Requester,
    clusters: Vec<String>,
    span: tracing::Span,
) -> SlackMessageContent {
    let text = match clusters.len() {
        0 => ":mag: Looking at what ECS runs in every cluster…".to_string(),
        1 => ":mag: Looking at what ECS runs in that cluster…".to_string(),
        n => format!(":mag: Looking at what ECS runs in those {n} clusters…"),
    };
    state.spawn(run(state.clone(), who, clusters).instrument(span));
    blocks::text(&text)
}

/// Reads the running tasks, groups them into images, reads the latest stored
/// result of each image shown, and answers (ephemeral).
async fn run(state: AppState, who: Requester, clusters: Vec<String>) {
    let tasks = match state.ecs.running(&clusters).await {
        Ok(tasks) => tasks,
        Err(error) => {
            tracing::info!(%error, "could not read what ECS runs");
            return respond(&state, &who, blocks::text(&explain_ecs(&error))).await;
        }
    };
    let found = running_images(&tasks);
    let mut latest = Vec::new();
    for image in found.images.iter().take(MAX_RUNNING_SHOWN) {
        latest.push(latest_result(&state, image).await);
    }
    tracing::info!(
        tasks = tasks.len(),
        images = found.images.len(),
        others = found.others.len(),
        "read what ECS runs"
    );
    respond(&state, &who, blocks::running(&clusters, &found, &latest)).await;
}

/// The latest stored result of the image's digest; `None` when there is none,
/// the digest is unknown, or the store cannot say (logged: the list still shows).
async fn latest_result(state: &AppState, image: &RunningImage) -> Option<Posture> {
    let digest = image.digest.as_deref()?;
    match state
        .store
        .last_scan_of_digest(&image.repository, digest)
        .await
    {
        Ok(record) => record.map(|r| Posture::new(r.image(), r.kind, r.scanned_at, &r.findings)),
        Err(error) => {
            let error = format!("{error:#}");
            tracing::warn!(error, "could not read the latest result of a running image");
            None
        }
    }
}
