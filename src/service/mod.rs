//! The use-cases: what ecrscan does when asked (start a scan, show findings,
//! schedule, route results) and when a scan result arrives (publish it). No HTTP
//! here: the doors in `http/` decode and authorise, then call these.

pub mod changes;
pub mod explain;
pub mod findings;
pub mod home;
pub mod ignores;
pub mod keep_running;
pub mod manage;
pub mod publish;
pub mod running;
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
    /// Where announcements and "scan started" go: the channel of the command or
    /// button, or the user's id for a click in the App Home (its Messages tab).
    pub channel_id: String,
    /// Where answers go; `None` for a click in the App Home, which has none:
    /// answers are then posted in the app's Messages tab for the user.
    pub response_url: Option<String>,
}

impl Requester {
    /// A click in the App Home of `user_id`: every answer goes to the user's
    /// Messages tab with the app.
    pub fn in_home(team_id: String, user_id: String) -> Self {
        Requester {
            team_id,
            channel_id: user_id.clone(),
            user_id,
            response_url: None,
        }
    }
}

/// Fills in the default repository and, with registries configured, the
/// registry (see [`Registries::qualify`](crate::registry::Registries::qualify)),
/// or explains how to name them (with an example of `command`, e.g. `now`).
pub fn resolve_all(
    state: &AppState,
    command: &str,
    images: &[ImageRef],
) -> Result<Vec<(String, ImageId)>, String> {
    let default = state.settings.repository.as_deref();
    images
        .iter()
        .map(|image| {
            let (repository, id) = image.in_repository(default).ok_or_else(|| {
                format!(
                    ":warning: {} names no repository and no default is set. \
                     Write it as `REPO:TAG` (e.g. {}), or set ECRSCAN_REPOSITORY.",
                    blocks::code(&image.to_string(), 300),
                    blocks::code(&format!("/ecrscan {command} example:{image}"), 400),
                )
            })?;
            let repository = (state.settings.registries.qualify(&repository))
                .map_err(|problem| format!(":warning: {}", blocks::escape(&problem)))?;
            Ok((repository, id))
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

/// Answers through `response_url` (or, for a click in the App Home, in the
/// user's Messages tab), logging (not failing) when Slack does not take it.
pub async fn respond(state: &AppState, who: &Requester, content: SlackMessageContent) {
    match &who.response_url {
        Some(url) => {
            if let Err(error) = state.slack.respond(url, content).await {
                tracing::warn!(%error, "could not answer through response_url");
            }
        }
        None => {
            let post = crate::slack::client::Post::message(&who.user_id, content);
            if let Err(error) = state.slack.post(&post).await {
                tracing::warn!(%error, "could not answer in the user's Messages tab");
            }
        }
    }
}
