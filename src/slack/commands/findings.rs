//! `/ecrscan findings IMAGE`: the latest findings, without scanning.

use slack_morphism::prelude::SlackMessageContent;
use tracing::Instrument;

use super::explain::explain;
use super::{Requester, names, resolve_all, respond};
use crate::app::AppState;
use crate::scan::image::{ImageId, ImageRef};
use crate::slack::blocks;

/// Resolves the image and looks its findings up in the background.
pub(super) fn start(
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
    tokio::spawn(run(state.clone(), who, image).instrument(span));
    blocks::text(&format!(":mag: Looking up the findings of {name}…"))
}

/// Looks the image up and answers with its findings (ephemeral).
async fn run(state: AppState, who: Requester, (repository, id): (String, ImageId)) {
    let Some(image) = super::now::find_image(&state, &who, &repository, &id).await else {
        return;
    };
    let content = match state.ecr.findings(&image).await {
        Ok(report) => blocks::findings(&report),
        Err(error) => blocks::text(&explain(&error, &image.display_name())),
    };
    respond(&state, &who, content).await;
}
