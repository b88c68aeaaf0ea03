//! The error type at the HTTP edge: each variant is one status code.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// What a request can fail with. Bodies are short and generic; details go to the log once.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Missing, wrong or stale signature.
    #[error("unauthorized")]
    Unauthorized,
    /// Signed, but from a workspace or topic this service does not serve.
    #[error("forbidden")]
    Forbidden,
    #[error("payload too large")]
    PayloadTooLarge,
    /// A dependency we need before answering is down; the sender should retry.
    #[error("service unavailable")]
    Unavailable,
    /// Verified, but not a request this route understands.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let body = match &self {
            AppError::BadRequest(reason) => reason,
            _ => status.canonical_reason().unwrap_or("error"),
        };
        (status, body.to_string()).into_response()
    }
}
