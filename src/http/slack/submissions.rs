//! `view_submission` on `POST /slack/interactions`: the Ignore… modal, submitted.
//!
//! Verified like every Slack request (the router's layer), audited with its
//! signature so that a repeat stores nothing, and answered as Slack asks of a
//! modal: an empty 200 closes it; `response_action: errors` names, by input,
//! what is wrong, and keeps it open.

use std::collections::HashMap;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::http::slack::verify::SlackSignature;
use crate::service::Requester;
use crate::service::ignores::{ModalContext, ModalForm, submit_modal};
use crate::slack::blocks::{
    DATE_INPUT, DURATION_INPUT, FINDING_INPUT, IGNORE_CALLBACK, REASON_INPUT,
};
use crate::state::AppState;
use crate::store::AuditEntry;

/// The parts of a submitted view ecrscan reads.
#[derive(Debug, Deserialize)]
pub struct SubmittedView {
    #[serde(default)]
    callback_id: String,
    #[serde(default)]
    private_metadata: String,
    #[serde(default)]
    state: ViewState,
}

#[derive(Debug, Default, Deserialize)]
struct ViewState {
    /// Block id → action id → the element's state.
    #[serde(default)]
    values: HashMap<String, HashMap<String, Value>>,
}

impl ViewState {
    fn element(&self, id: &str) -> Option<&Value> {
        self.values.get(id)?.get(id)
    }

    fn form(&self) -> ModalForm {
        let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_string);
        ModalForm {
            finding: text(
                self.element(FINDING_INPUT)
                    .and_then(|e| e.pointer("/selected_option/value")),
            ),
            duration: text(
                self.element(DURATION_INPUT)
                    .and_then(|e| e.pointer("/selected_option/value")),
            ),
            date: text(
                self.element(DATE_INPUT)
                    .and_then(|e| e.get("selected_date")),
            ),
            reason: text(self.element(REASON_INPUT).and_then(|e| e.get("value"))),
        }
    }
}

/// Handles one verified `view_submission`.
pub async fn handle(
    state: &AppState,
    signature: &SlackSignature,
    team_id: String,
    user_id: String,
    view: SubmittedView,
) -> Response {
    if view.callback_id != IGNORE_CALLBACK {
        tracing::info!(callback = %view.callback_id, "ignored the submission of an unknown view");
        return StatusCode::OK.into_response();
    }
    let Ok(context) = serde_json::from_str::<ModalContext>(&view.private_metadata) else {
        tracing::warn!("an Ignore… submission without its context");
        return StatusCode::OK.into_response();
    };
    let who = Requester {
        team_id,
        user_id,
        channel_id: context.channel.clone(),
        response_url: None,
    };
    let form = view.state.form();
    let entry = AuditEntry {
        team_id: who.team_id.clone(),
        user_id: who.user_id.clone(),
        channel_id: who.channel_id.clone(),
        action: format!(
            "modal Ignore… {} in {}: {}",
            form.finding.as_deref().unwrap_or("?"),
            context.image.repository,
            form.reason.as_deref().unwrap_or_default()
        ),
        at: chrono::Utc::now().timestamp(),
    };
    match state
        .store
        .audit_request(&entry, &signature.canonical())
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(user = %who.user_id, "refused a repeated submission");
            return StatusCode::OK.into_response();
        }
        Err(error) => {
            tracing::error!(
                error = format!("{error:#}"),
                "could not write the audit log"
            );
            let problem = "I could not record this, so nothing was stored. Try again in a moment.";
            return errors(&[(REASON_INPUT, problem.to_string())]);
        }
    }
    match submit_modal(state, &who, &form, &context).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(problems) => errors(&problems),
    }
}

/// `{"response_action": "errors", "errors": {block_id: message}}`.
fn errors(problems: &[(&str, String)]) -> Response {
    let errors: serde_json::Map<String, Value> = problems
        .iter()
        .map(|(block, message)| (block.to_string(), Value::String(message.clone())))
        .collect();
    Json(json!({ "response_action": "errors", "errors": errors })).into_response()
}
