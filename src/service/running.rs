//! `/ecrscan running [CLUSTER...]`: the images ECS tasks run now, where they
//! run, and the latest result ecrscan has of each.

use slack_morphism::prelude::SlackMessageContent;
use tracing::Instrument;

use super::explain::explain_ecs;
use super::{Requester, respond};
use crate::registry::Registries;
use crate::running::{OtherImage, Running, RunningImage, running_images};
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
    let found = match running_now(&state, &clusters).await {
        Ok(found) => found,
        Err(text) => return respond(&state, &who, blocks::text(&text)).await,
    };
    let mut latest = Vec::new();
    for image in found.images.iter().take(MAX_RUNNING_SHOWN) {
        latest.push(latest_result(&state, image).await);
    }
    tracing::info!(
        images = found.images.len(),
        others = found.others.len(),
        "read what ECS runs"
    );
    respond(&state, &who, blocks::running(&clusters, &found, &latest)).await;
}

/// What ECS runs now in `clusters` (every cluster when empty), each image of a
/// registry ecrscan serves named as ecrscan names it (`ALIAS/REPO` with
/// registries); images of other registries are among the others. The
/// problem, as an answer, when ECS refuses.
pub async fn running_now(state: &AppState, clusters: &[String]) -> Result<Running, String> {
    let tasks = state.ecs.running(clusters).await.map_err(|error| {
        tracing::info!(%error, "could not read what ECS runs");
        explain_ecs(&error)
    })?;
    tracing::debug!(tasks = tasks.len(), "read the tasks ECS runs");
    Ok(served(&state.settings.registries, running_images(&tasks)))
}

/// `found`, its images named in the registries ecrscan serves; with
/// registries configured, an image of another account or region moves to the
/// others, as not scannable here.
fn served(registries: &Registries, found: Running) -> Running {
    if registries.is_empty() {
        return found;
    }
    let Running { images, mut others } = found;
    let mut served = Vec::new();
    for mut image in images {
        match registries.at(&image.account, &image.region) {
            Some(registry) => {
                image.repository = format!("{}/{}", registry.alias, image.repository);
                served.push(image);
            }
            None => others.push(OtherImage {
                image: format!(
                    "{}.dkr.ecr.{}.amazonaws.com/{}",
                    image.account, image.region, image.repository
                ),
                places: image.places,
            }),
        }
    }
    others.sort_by(|a, b| a.image.cmp(&b.image));
    Running {
        images: served,
        others,
    }
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
