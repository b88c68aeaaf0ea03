//! `POST /sns`: the SNS HTTPS subscription endpoint.
//!
//! Every message is verified (signature, certificate origin, topic, type header)
//! before it is acted on. A notification is stored durably, deduplicated by its
//! `MessageId`, and only then acknowledged; the worker does the rest.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

use super::{MessageType, SnsMessage, Verifier, VerifyError};
use crate::http::MAX_BODY_BYTES;
use crate::http::error::AppError;
use crate::jobs::JobKind;
use crate::metrics::metrics;
use crate::state::AppState;
use crate::store::AuditEntry;

/// What `/sns` needs besides the shared state.
#[derive(Clone)]
struct SnsDoor {
    app: AppState,
    /// Verifies SNS messages (certificates cached).
    verifier: Arc<Verifier>,
    /// For confirming SNS subscriptions: no redirects followed.
    http: reqwest::Client,
}

impl Deref for SnsDoor {
    type Target = AppState;

    fn deref(&self) -> &AppState {
        &self.app
    }
}

/// `/sns`, with its verifier built from the settings.
pub fn router<S>(app: AppState) -> anyhow::Result<Router<S>> {
    let settings = &app.settings;
    if let Some(origin) = &settings.insecure_sns_cert_origin {
        tracing::warn!(%origin, "ECRSCAN_INSECURE_SNS_CERT_ORIGIN is set: SNS certificates from this origin are trusted (tests only)");
    }
    let verifier = Verifier::new(
        settings.sns_topic_arns.clone(),
        settings.sns_cert_dir.clone(),
        settings.insecure_sns_cert_origin.clone(),
    )?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let door = SnsDoor {
        app,
        verifier: Arc::new(verifier),
        http,
    };
    Ok(Router::new()
        .route("/sns", post(receive))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(door))
}

async fn receive(
    State(state): State<SnsDoor>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, AppError> {
    let type_header = headers
        .get("x-amz-sns-message-type")
        .and_then(|v| v.to_str().ok());
    let msg = match state
        .verifier
        .verify(type_header, &body, chrono::Utc::now())
        .await
        .inspect_err(|error| metrics().signature_failure("sns", error.reason()))
    {
        Ok(msg) => msg,
        Err(VerifyError::CertUnavailable(error)) => {
            tracing::warn!(%error, "SNS signing certificate unavailable; SNS will retry");
            return Err(AppError::Unavailable);
        }
        Err(error) => {
            tracing::warn!(reason = error.reason(), %error, "refused an SNS message");
            return Err(AppError::Forbidden);
        }
    };
    match msg.kind {
        MessageType::Notification => {
            let payload = serde_json::to_string(&msg).map_err(anyhow::Error::from)?;
            let store = state.store.as_ref();
            let kind = JobKind::ScanResult;
            if !state
                .outbox
                .accept(store, &msg.message_id, kind, &payload)
                .await?
            {
                tracing::info!(message_id = %msg.message_id, "duplicate SNS delivery ignored");
            }
            Ok(StatusCode::OK)
        }
        MessageType::SubscriptionConfirmation => confirm(&state, &msg).await,
        MessageType::UnsubscribeConfirmation => {
            audit(&state, &msg, "sns:UnsubscribeConfirmation").await?;
            Ok(StatusCode::OK)
        }
    }
}

/// GETs the `SubscribeURL`, which must be on the SNS host that signed the message.
async fn confirm(state: &SnsDoor, msg: &SnsMessage) -> Result<StatusCode, AppError> {
    let url = state.verifier.subscribe_url(msg).map_err(|error| {
        metrics().signature_failure("sns", error.reason());
        tracing::warn!(%error, "refused a SubscribeURL");
        AppError::Forbidden
    })?;
    let answer = state
        .http
        .get(url)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .and_then(|response| response.error_for_status());
    match answer {
        Ok(_) => {
            audit(state, msg, "sns:SubscriptionConfirmation").await?;
            tracing::info!(topic = %msg.topic_arn, "confirmed the SNS subscription");
            Ok(StatusCode::OK)
        }
        Err(error) => {
            tracing::warn!(%error, "could not confirm the SNS subscription; SNS will retry");
            Err(AppError::Unavailable)
        }
    }
}

async fn audit(state: &AppState, msg: &SnsMessage, action: &str) -> Result<(), AppError> {
    let entry = AuditEntry {
        team_id: String::new(),
        user_id: "sns".into(),
        channel_id: String::new(),
        action: format!("{action} {}", msg.topic_arn),
        at: chrono::Utc::now().timestamp(),
    };
    Ok(state.store.audit(&entry).await?)
}
