//! `POST /slack/events`: Slack's Events API.
//!
//! The signature (and the workspace) was checked by the router's layer. The
//! `url_verification` handshake is answered with its challenge. Each event
//! callback is recorded by its `event_id` before anything runs, so a delivery
//! Slack retries (`X-Slack-Retry-Num`) finds it taken and does nothing again.
//! `app_home_opened` on the Home tab publishes the Home, after the answer: Slack
//! wants one within three seconds.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tracing::Instrument;

use crate::http::error::AppError;
use crate::service;
use crate::state::AppState;

/// The parts of an Events API request ecrscan uses.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Request {
    UrlVerification {
        challenge: String,
    },
    EventCallback {
        event_id: String,
        event: Event,
    },
    #[serde(other)]
    Other,
}

/// The inner event of a callback.
#[derive(Debug, Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    user: Option<String>,
    tab: Option<String>,
}

/// Handles one verified Events API request.
pub async fn handle(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let request: Request = serde_json::from_slice(&body)
        .map_err(|_| AppError::BadRequest("not an Events API request"))?;
    let (event_id, event) = match request {
        Request::UrlVerification { challenge } => {
            return Ok(Json(serde_json::json!({ "challenge": challenge })).into_response());
        }
        Request::EventCallback { event_id, event } => (event_id, event),
        Request::Other => return Ok(StatusCode::OK.into_response()),
    };
    let retry = headers
        .get("x-slack-retry-num")
        .and_then(|v| v.to_str().ok());
    let now = chrono::Utc::now().timestamp();
    if !state.store.accept_event(&event_id, now).await? {
        tracing::info!(event_id, retry, "ignored a repeated Slack event");
        return Ok(StatusCode::OK.into_response());
    }
    match (event.kind.as_str(), event.tab.as_deref(), event.user) {
        ("app_home_opened", Some("home"), Some(user)) => {
            let span = tracing::info_span!("app_home_opened", user = %user, event_id);
            let task = service::home::publish(state.clone(), user, 0);
            state.spawn(task.instrument(span));
        }
        ("app_home_opened", tab, _) => {
            tracing::debug!(
                event_id,
                tab,
                "the App Home opened on a tab that shows nothing of ours"
            );
        }
        (kind, _, _) => tracing::info!(event_id, kind, "ignored a Slack event"),
    }
    Ok(StatusCode::OK.into_response())
}
