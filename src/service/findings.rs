//! `/ecrscan findings IMAGE`: the latest findings, without scanning.

use slack_morphism::prelude::SlackMessageContent;
use tracing::Instrument;

use super::explain::explain;
use super::{Requester, names, resolve_all, respond};
use crate::scan::image::{Image, ImageId, ImageRef};
use crate::slack::blocks;
use crate::slack::client::Post;
use crate::state::AppState;

/// Resolves the image and looks its findings up in the background.
pub fn start(
    state: &AppState,
    who: Requester,
    image: &ImageRef,
    span: tracing::Span,
) -> SlackMessageContent {
    let image = match resolve_all(state, "findings", std::slice::from_ref(image)) {
        Ok(mut images) => images.remove(0),
        Err(problem) => return blocks::text(&problem),
    };
    let name = names(std::slice::from_ref(&image));
    state.spawn(run(state.clone(), who, image).instrument(span));
    blocks::text(&format!(":mag: Looking up the findings of {name}…"))
}

/// Looks the image up and answers with its findings (ephemeral).
async fn run(state: AppState, who: Requester, (repository, id): (String, ImageId)) {
    let Some(image) = super::scans::find_image(&state, &who, &repository, &id).await else {
        return;
    };
    let content = match state.ecr.findings(&image).await {
        Ok(report) => {
            let (report, hidden) = super::ignores::apart(&state, report).await;
            blocks::findings(&report, &hidden)
        }
        Err(error) => blocks::text(&explain(&error, &image.display_name())),
    };
    respond(&state, &who, content).await;
}

/// Posts every finding of the image in the thread the button belongs to.
pub async fn post_all(state: AppState, who: Requester, image: Image, thread_ts: Option<String>) {
    let report = match state.ecr.findings(&image).await {
        Ok(report) => report,
        Err(error) => {
            return respond(
                &state,
                &who,
                blocks::text(&explain(&error, &image.display_name())),
            )
            .await;
        }
    };
    for content in blocks::details(&report) {
        let post = Post::in_thread(&who.channel_id, thread_ts.clone(), content);
        if let Err(error) = state.slack.post(&post).await {
            tracing::warn!(%error, "could not post all findings");
            let text = format!(
                ":warning: Slack did not take the list of findings ({}).",
                blocks::escape(&error.to_string())
            );
            return respond(&state, &who, blocks::text(&text)).await;
        }
    }
}
