//! The Slack door: `/slack/*`, every route behind the signature check.

pub mod commands;
pub mod events;
pub mod interactions;
pub mod submissions;
pub mod verify;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::post;

use crate::state::AppState;

/// `/slack/commands`, `/slack/interactions` and `/slack/events`.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/slack/commands", post(commands::handle))
        .route("/slack/interactions", post(interactions::handle))
        .route("/slack/events", post(events::handle))
        .layer(from_fn_with_state(state, verify::require_signature))
}
