//! `/ecrscan findings IMAGE`: the latest findings, without scanning.

use super::explain::explain;
use super::{Requester, respond};
use crate::app::AppState;
use crate::scan::image::ImageId;
use crate::slack::blocks;

/// Looks the image up and answers with its findings (ephemeral).
pub async fn run(state: AppState, who: Requester, (repository, id): (String, ImageId)) {
    let Some(image) = super::now::find_image(&state, &who, &repository, &id).await else {
        return;
    };
    let content = match state.ecr.findings(&image).await {
        Ok(report) => blocks::findings(&report),
        Err(error) => blocks::text(&explain(&error, &image.display_name())),
    };
    respond(&state, &who, content).await;
}
