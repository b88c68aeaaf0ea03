//! `POST /slack/interactions`: the buttons on scan summaries.
//!
//! "Rescan" runs `/ecrscan now` for the image; "All findings" posts every finding
//! in the message's thread. The signature was checked by the router's layer.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tracing::Instrument;

use crate::app::AppState;
use crate::error::AppError;
use crate::scan::image::{Image, ImageId};
use crate::slack::blocks::{self, ALL_FINDINGS_ACTION, ButtonTarget, RESCAN_ACTION};
use crate::slack::client::Post;
use crate::slack::commands::{Requester, explain, respond, start_scans};

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
    if state
        .settings
        .team_id
        .as_ref()
        .is_some_and(|team| *team != payload.team.id)
    {
        return Err(AppError::Forbidden);
    }
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
                tokio::spawn(start_scans(state.clone(), who.clone(), images).instrument(span));
            }
            ALL_FINDINGS_ACTION => {
                let task = all_findings(state.clone(), who.clone(), target, thread_ts.clone());
                tokio::spawn(task.instrument(span));
            }
            other => tracing::info!(action = other, "ignored an unknown action"),
        }
    }
    Ok(StatusCode::OK)
}

/// Posts every finding of the image in the thread the button belongs to.
async fn all_findings(
    state: AppState,
    who: Requester,
    target: ButtonTarget,
    thread_ts: Option<String>,
) {
    let image = Image {
        repository: target.repository,
        digest: target.digest,
        tags: target.tag.into_iter().collect(),
    };
    let report = match state.ecr.findings(&image).await {
        Ok(report) => report,
        Err(error) => {
            return respond(
                &state,
                &who,
                blocks::text(&explain::explain(&error, &image.display_name())),
            )
            .await;
        }
    };
    for content in blocks::details(&report) {
        let post = Post {
            channel: who.channel_id.clone(),
            content,
            thread_ts: thread_ts.clone(),
            broadcast: false,
        };
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
