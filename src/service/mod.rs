//! The use-cases: what ecrscan does when asked (start a scan, show findings,
//! schedule, route results) and when a scan result arrives (publish it). No HTTP
//! here: the doors in `http/` decode and authorise, then call these.

pub mod changes;
pub mod explain;
pub mod findings;
pub mod manage;
pub mod publish;
pub mod scans;
pub mod schedule;
pub mod schedules;
pub mod subscriptions;
pub mod worker;

use slack_morphism::prelude::SlackMessageContent;

use crate::scan::image::{ImageId, ImageRef};
use crate::slack::blocks;
use crate::state::AppState;

/// Who asked, and where to answer.
#[derive(Debug, Clone)]
pub struct Requester {
    pub team_id: String,
    pub user_id: String,
    pub channel_id: String,
    pub response_url: String,
}

/// Fills in the default repository, or explains how to name one (with an example
/// of `command`, e.g. `now`).
pub fn resolve_all(
    state: &AppState,
    command: &str,
    images: &[ImageRef],
) -> Result<Vec<(String, ImageId)>, String> {
    let default = state.settings.repository.as_deref();
    images
        .iter()
        .map(|image| {
            image.in_repository(default).ok_or_else(|| {
                format!(
                    ":warning: {} names no repository and no default is set. \
                     Write it as `REPO:TAG` (e.g. {}), or set ECRSCAN_REPOSITORY.",
                    blocks::code(&image.to_string(), 300),
                    blocks::code(&format!("/ecrscan {command} example:{image}"), 400),
                )
            })
        })
        .collect()
}

pub fn names(images: &[(String, ImageId)]) -> String {
    images
        .iter()
        .map(|(repository, id)| blocks::code(&display(repository, id), 300))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `example:web-latest` or `example@sha256:…`.
pub fn display(repository: &str, id: &ImageId) -> String {
    ImageRef {
        repository: Some(repository.to_string()),
        id: id.clone(),
    }
    .to_string()
}

/// Answers through `response_url`, logging (not failing) when Slack does not take it.
pub async fn respond(state: &AppState, who: &Requester, content: SlackMessageContent) {
    if let Err(error) = state.slack.respond(&who.response_url, content).await {
        tracing::warn!(%error, "could not answer through response_url");
    }
}
