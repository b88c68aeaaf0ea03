//! `/ecrscan now IMAGE...`: start a basic scan and post "scan started" in the channel.

use super::explain::{explain, tag_not_found};
use slack_morphism::prelude::SlackMessageContent;
use tracing::Instrument;

use super::{Requester, display, names, resolve_all, respond};
use crate::aws::AwsError;
use crate::scan::findings::ScanKind;
use crate::scan::image::{Image, ImageId, ImageRef};
use crate::slack::blocks;
use crate::slack::client::{Post, Posted};
use crate::state::AppState;
use crate::store::ScanRequest;

/// Resolves the images and scans them in the background.
pub fn start(
    state: &AppState,
    who: Requester,
    images: &[ImageRef],
    span: tracing::Span,
) -> SlackMessageContent {
    let images = match resolve_all(state, "now", images) {
        Ok(images) => images,
        Err(problem) => return blocks::text(&problem),
    };
    let names = names(&images);
    state.spawn(run(state.clone(), who, images).instrument(span));
    blocks::text(&format!(":mag: Starting a scan of {names}…"))
}

/// Scans each image in turn, reporting every problem to the requester.
pub async fn run(state: AppState, who: Requester, images: Vec<(String, ImageId)>) {
    for (repository, id) in images {
        scan(&state, &who, &repository, &id).await;
    }
}

async fn scan(state: &AppState, who: &Requester, repository: &str, id: &ImageId) {
    let Some(image) = find_image(state, who, repository, id).await else {
        return;
    };
    let name = image.display_name();
    if let Ok(ScanKind::Enhanced) = state.ecr.scan_kind(&image.repository).await {
        return show_latest(state, who, &image, &AwsError::ScanningDisabled).await;
    }
    match state.ecr.start_scan(&image).await {
        Ok(()) => tracing::info!(image = %name, digest = %image.digest, "scan started"),
        Err(error @ (AwsError::LimitExceeded | AwsError::ScanningDisabled)) => {
            return show_latest(state, who, &image, &error).await;
        }
        Err(error) => return respond(state, who, blocks::text(&explain(&error, &name))).await,
    }
    let post = Post::message(&who.channel_id, blocks::scan_started(&image, &who.user_id));
    match state.slack.post_message(&post).await {
        // The conversation Slack names: a direct message's `D…` for a scan
        // started from the App Home, where `who.channel_id` is the user's id.
        Ok(posted) => remember_thread(state, who, &image, posted).await,
        Err(error) if error.is_not_in_channel() => {
            let text = format!(
                ":wave: The scan of {} started, but I cannot post in this channel. \
                 Invite me with `/invite @ecrscan` (in a private channel, open the channel \
                 details → Integrations → Add apps), then results will arrive here.",
                blocks::code(&name, 300)
            );
            respond(state, who, blocks::text(&text)).await;
        }
        Err(error) => {
            tracing::warn!(%error, "could not post the scan-started message");
            let text = format!(
                ":warning: The scan of {} started, but Slack did not take my message ({}).",
                blocks::code(&name, 300),
                blocks::escape(&error.to_string())
            );
            respond(state, who, blocks::text(&text)).await;
        }
    }
}

/// The image a command named, or an answer saying why there is none.
pub async fn find_image(
    state: &AppState,
    who: &Requester,
    repository: &str,
    id: &ImageId,
) -> Option<Image> {
    let shown = display(repository, id);
    match state.ecr.describe_image(repository, id).await {
        Ok(image) => Some(image),
        Err(AwsError::ImageNotFound) => {
            let text = match id {
                ImageId::Tag(tag) => {
                    let existing = state.ecr.list_tags(repository).await.unwrap_or_default();
                    tag_not_found(repository, tag, &existing)
                }
                ImageId::Digest(_) => explain(&AwsError::ImageNotFound, &shown),
            };
            respond(state, who, blocks::text(&text)).await;
            None
        }
        Err(AwsError::RepositoryNotFound) if !state.settings.registries.is_empty() => {
            let text = format!(
                "{} The registries are {}: name one as `ALIAS/REPO:TAG`, e.g. `{}`.",
                explain(&AwsError::RepositoryNotFound, &shown),
                state.settings.registries.aliases(),
                blocks::escape(&display(repository, id)),
            );
            respond(state, who, blocks::text(&text)).await;
            None
        }
        Err(error) => {
            respond(state, who, blocks::text(&explain(&error, &shown))).await;
            None
        }
    }
}

/// Explains why no scan starts (`reason`), then shows the latest findings instead.
async fn show_latest(state: &AppState, who: &Requester, image: &Image, reason: &AwsError) {
    let name = image.display_name();
    let latest = state.ecr.findings(image).await;
    let mut text = explain(reason, &name);
    if let (AwsError::LimitExceeded, Ok(report)) = (reason, &latest)
        && let Some(at) = report.completed_at
    {
        text.push_str(&format!(
            " It was last scanned <!date^{}^{{date_short_pretty}} at {{time}}|{}>.",
            at.timestamp(),
            at.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    text.push_str(" Here are its latest findings.");
    respond(state, who, blocks::text(&text)).await;
    let content = match latest {
        Ok(report) => {
            let (report, hidden) = super::ignores::apart(state, report).await;
            blocks::findings(&report, &hidden)
        }
        Err(error) => blocks::text(&explain(&error, &name)),
    };
    respond(state, who, content).await;
}

async fn remember_thread(state: &AppState, who: &Requester, image: &Image, posted: Posted) {
    let request = ScanRequest {
        repository: image.repository.clone(),
        digest: image.digest.clone(),
        channel: posted.channel,
        ts: posted.ts,
        user_id: who.user_id.clone(),
        requested_at: chrono::Utc::now().timestamp(),
    };
    if let Err(error) = state.store.save_scan_request(&request).await {
        tracing::error!(
            error = format!("{error:#}"),
            "could not record the scan's thread"
        );
    }
}
