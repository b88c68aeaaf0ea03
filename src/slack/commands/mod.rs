//! `POST /slack/commands`: the `/ecrscan` slash command.
//!
//! The signature was checked by the router's layer. Here: parse, authorize, answer
//! within Slack's 3 seconds, and leave the AWS work to a background task that
//! reports through `response_url` and `chat.postMessage`.

mod changes;
pub(crate) mod explain;
mod findings;
mod manage;
mod now;
mod schedule;
mod schedules;
mod subscriptions;

pub(crate) use now::run as start_scans;

use std::sync::LazyLock;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use slack_morphism::prelude::SlackMessageContent;

use crate::app::AppState;
use crate::error::AppError;
use crate::scan::image::{ImageId, ImageRef};
use crate::slack::blocks;
use crate::slack::command::{self, Command};
use crate::store::AuditEntry;
use manage::Change;

/// The form fields of a slash command that ecrscan uses.
#[derive(Debug, Clone, Deserialize)]
pub struct SlashCommand {
    pub team_id: String,
    pub channel_id: String,
    pub user_id: String,
    #[serde(default)]
    pub command: String,
    #[serde(default)]
    pub text: String,
    pub response_url: String,
}

/// Who asked, and where to answer.
#[derive(Debug, Clone)]
pub struct Requester {
    pub team_id: String,
    pub user_id: String,
    pub channel_id: String,
    pub response_url: String,
}

/// Handles one verified slash command.
pub async fn handle(State(state): State<AppState>, body: Bytes) -> Result<Response, AppError> {
    let form: SlashCommand = serde_urlencoded::from_bytes(&body)
        .map_err(|_| AppError::BadRequest("not a slash command"))?;
    if state
        .settings
        .team_id
        .as_ref()
        .is_some_and(|team| *team != form.team_id)
    {
        tracing::warn!(team = %form.team_id, "refused a command from another workspace");
        return Err(AppError::Forbidden);
    }
    let text = form.text.trim();
    // Not awaited until committed: what a command changes is audited, durably,
    // by the command itself (see `changes::audit`).
    state
        .store
        .audit_queued(AuditEntry {
            team_id: form.team_id.clone(),
            user_id: form.user_id.clone(),
            channel_id: form.channel_id.clone(),
            action: format!("{} {}", form.command, text).trim().to_string(),
            at: chrono::Utc::now().timestamp(),
        })
        .await?;
    let who = Requester {
        team_id: form.team_id,
        user_id: form.user_id,
        channel_id: form.channel_id,
        response_url: form.response_url,
    };
    let reply = match command::parse(text) {
        Ok(Command::Help) => return Ok(help()),
        Ok(command) => {
            let span = tracing::info_span!("command", user = %who.user_id, channel = %who.channel_id, text);
            dispatch(&state, who, command, span).await
        }
        Err(error) => blocks::text(&format!(
            ":warning: {}\nUsage: {}",
            error.problem, error.usage
        )),
    };
    Ok(ephemeral(&reply).into_response())
}

/// Starts the command's work and returns the immediate answer.
async fn dispatch(
    state: &AppState,
    who: Requester,
    command: Command,
    span: tracing::Span,
) -> SlackMessageContent {
    match command {
        Command::Help => blocks::help(),
        Command::Now(images) => now::start(state, who, &images, span),
        Command::Findings(image) => findings::start(state, who, &image, span),
        Command::Schedule { when, images } => schedule::start(state, who, when, &images, span),
        Command::Schedules => schedules::start(state, who, span),
        Command::Unschedule(image) => manage::start(state, who, Change::Unschedule, &image, span),
        Command::Pause(image) => manage::start(state, who, Change::Pause, &image, span),
        Command::Resume(image) => manage::start(state, who, Change::Resume, &image, span),
        Command::Subscribe { pattern, min } => {
            subscriptions::subscribe(state, &who, pattern, min).await
        }
        Command::Unsubscribe(pattern) => subscriptions::unsubscribe(state, &who, pattern).await,
        Command::Subscriptions => subscriptions::list(state, &who).await,
    }
}

/// Fills in the default repository, or explains how to name one (with an example
/// of `command`, e.g. `now`).
fn resolve_all(
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
                    ":warning: `{image}` names no repository and no default is set. \
                     Write it as `REPO:TAG` (e.g. `/ecrscan {command} example:{image}`), \
                     or set ECRSCAN_REPOSITORY."
                )
            })
        })
        .collect()
}

fn names(images: &[(String, ImageId)]) -> String {
    images
        .iter()
        .map(|(repository, id)| format!("`{}`", display(repository, id)))
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

/// An immediate ephemeral answer: the message with `"response_type": "ephemeral"`.
#[derive(Serialize)]
struct Ephemeral<'a> {
    #[serde(flatten)]
    content: &'a SlackMessageContent,
    response_type: &'static str,
}

fn ephemeral(content: &SlackMessageContent) -> Json<Ephemeral<'_>> {
    Json(Ephemeral {
        content,
        response_type: "ephemeral",
    })
}

/// The answer to `help`, the same every time: rendered once.
fn help() -> Response {
    static HELP: LazyLock<Bytes> = LazyLock::new(|| {
        serde_json::to_vec(&ephemeral(&blocks::help()).0)
            .map(Bytes::from)
            .unwrap_or_default()
    });
    ([(CONTENT_TYPE, "application/json")], HELP.clone()).into_response()
}

/// Answers through `response_url`, logging (not failing) when Slack does not take it.
pub(crate) async fn respond(state: &AppState, who: &Requester, content: SlackMessageContent) {
    if let Err(error) = state.slack.respond(&who.response_url, content).await {
        tracing::warn!(%error, "could not answer through response_url");
    }
}
