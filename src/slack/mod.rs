//! Everything Slack: request verification, the command language, handlers, Block Kit, the Web API client.

pub mod blocks;
pub mod client;
pub mod command;
pub mod commands;
pub mod interactions;
pub mod limits;
pub mod verify;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::post;

use crate::app::AppState;

/// `/slack/*`, every route behind the signature check.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/slack/commands", post(commands::handle))
        .route("/slack/interactions", post(interactions::handle))
        .layer(from_fn_with_state(state, verify::require_signature))
}
