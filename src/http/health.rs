//! `GET /healthz`, `GET /readyz` and `GET /metrics`: for the platform, not for users.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::metrics::{CONTENT_TYPE_OPENMETRICS, Outbox, metrics};
use crate::state::AppState;

/// The health and metrics routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(serve_metrics))
}

/// 200 when the database answers.
async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(error = format!("{error:#}"), "database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// The registry; the outbox gauges are read from the store at scrape time.
async fn serve_metrics(State(state): State<AppState>) -> Response {
    let outbox = match state.store.queue_stats().await {
        Ok((depth, oldest)) => Some(Outbox::at(chrono::Utc::now().timestamp(), depth, oldest)),
        Err(error) => {
            tracing::warn!(
                error = format!("{error:#}"),
                "cannot read the job queue for /metrics"
            );
            None
        }
    };
    (
        [(CONTENT_TYPE, CONTENT_TYPE_OPENMETRICS)],
        metrics().render(outbox),
    )
        .into_response()
}
