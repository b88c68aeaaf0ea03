//! `POST /slack/interactions`: the buttons on scan summaries.
//!
//! "Rescan" runs the scan use-case for the image; "All findings" posts every
//! finding in the message's thread. The signature (and the workspace) was checked
//! by the router's layer.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tracing::Instrument;

use crate::http::error::AppError;
use crate::scan::image::{Image, ImageId};
use crate::service::{self, Requester};
use crate::slack::blocks::{ALL_FINDINGS_ACTION, ButtonTarget, RESCAN_ACTION};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
struct Form {
    payload: String,
}

#[derive(Debug, Deserialize)]
struct Id {
    id: String,
}

#[derive(Debug, Default, Deserialize)]
struct Container {
    message_ts: Option<String>,
    thread_ts: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Action {
    action_id: String,
    value: Option<String>,
}

/// The parts of a `block_actions` payload ecrscan uses.
#[derive(Debug, Deserialize)]
struct Payload {
    #[serde(rename = "type")]
    kind: String,
    team: Id,
    user: Id,
    channel: Option<Id>,
    response_url: Option<String>,
    #[serde(default)]
    container: Container,
    #[serde(default)]
    actions: Vec<Action>,
}

/// Handles one verified interaction; Slack gets its 200 at once.
pub async fn handle(State(state): State<AppState>, body: Bytes) -> Result<StatusCode, AppError> {
    let form: Form =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::BadRequest("no payload"))?;
    let payload: Payload = serde_json::from_str(&form.payload)
        .map_err(|_| AppError::BadRequest("not an interaction payload"))?;
    let (Some(channel), Some(response_url)) = (payload.channel, payload.response_url) else {
        return Ok(StatusCode::OK);
    };
    let who = Requester {
        team_id: payload.team.id,
        user_id: payload.user.id,
        channel_id: channel.id,
        response_url,
    };
    let thread_ts = payload.container.thread_ts.or(payload.container.message_ts);
    for action in payload
        .actions
        .into_iter()
        .filter(|_| payload.kind == "block_actions")
    {
        let Some(target) = action
            .value
            .as_deref()
            .and_then(|v| ButtonTarget::from_value(v).ok())
        else {
            continue;
        };
        let span =
            tracing::info_span!("interaction", user = %who.user_id, action = %action.action_id);
        match action.action_id.as_str() {
            RESCAN_ACTION => {
                let id = target
                    .tag
                    .map_or(ImageId::Digest(target.digest), ImageId::Tag);
                let images = vec![(target.repository, id)];
                let task = service::scans::run(state.clone(), who.clone(), images);
                state.spawn(task.instrument(span));
            }
            ALL_FINDINGS_ACTION => {
                let image = Image {
                    repository: target.repository,
                    digest: target.digest,
                    tags: target.tag.into_iter().collect(),
                };
                let thread_ts = thread_ts.clone();
                let task =
                    service::findings::post_all(state.clone(), who.clone(), image, thread_ts);
                state.spawn(task.instrument(span));
            }
            other => tracing::info!(action = other, "ignored an unknown action"),
        }
    }
    Ok(StatusCode::OK)
}
