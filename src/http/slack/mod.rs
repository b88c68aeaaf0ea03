//! The Slack door: `/slack/*`, every route behind the signature check.

pub mod commands;
pub mod interactions;
pub mod verify;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::post;

use crate::state::AppState;

/// `/slack/commands` and `/slack/interactions`.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/slack/commands", post(commands::handle))
        .route("/slack/interactions", post(interactions::handle))
        .layer(from_fn_with_state(state, verify::require_signature))
}
