//! SNS for the tests: a local origin serving our test signing certificate (and
//! counting `SubscribeURL` visits), and notifications signed as SNS signs them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::get;
use ecrscan::http::sns::SnsMessage;
use ecrscan::http::sns::testing::{own_fixture, own_notification, serve_app, sign};
use serde_json::json;

pub const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:ecr-scan-results";

/// The insecure origin the app trusts in tests.
pub struct SnsOrigin {
    pub origin: url::Url,
    pub cert_hits: Arc<AtomicUsize>,
    pub confirmations: Arc<AtomicUsize>,
}

impl SnsOrigin {
    pub async fn start() -> SnsOrigin {
        let cert_hits = Arc::new(AtomicUsize::new(0));
        let confirmations = Arc::new(AtomicUsize::new(0));
        let (certs, confirms) = (cert_hits.clone(), confirmations.clone());
        let app = Router::new()
            .route(
                "/SimpleNotificationService-test.pem",
                get(move || {
                    certs.fetch_add(1, Ordering::SeqCst);
                    async { own_fixture("signing-cert.pem") }
                }),
            )
            .route(
                "/",
                get(move || {
                    confirms.fetch_add(1, Ordering::SeqCst);
                    async { "<ConfirmSubscriptionResponse/>" }
                }),
            );
        SnsOrigin {
            origin: serve_app(app).await,
            cert_hits,
            confirmations,
        }
    }

    pub fn cert_url(&self) -> String {
        self.origin
            .join("/SimpleNotificationService-test.pem")
            .unwrap()
            .to_string()
    }

    /// A signed notification carrying `event`.
    pub fn notification(&self, message_id: &str, event: &serde_json::Value) -> SnsMessage {
        let mut msg = own_notification(TOPIC, &self.cert_url());
        msg.message_id = message_id.to_string();
        msg.message = event.to_string();
        msg.timestamp = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        sign(&mut msg, "signing-key.pem");
        msg
    }
}

/// An `ECR Image Scan` event for one image.
pub fn scan_event(
    repository: &str,
    digest: &str,
    tags: &[&str],
    status: &str,
) -> serde_json::Value {
    json!({
        "version": "0",
        "id": "85fc3613-e913-7fc4-a80c-a3753e4aa9ae",
        "detail-type": "ECR Image Scan",
        "source": "aws.ecr",
        "account": "123456789012",
        "time": "2026-11-20T02:36:48Z",
        "region": "us-east-1",
        "resources": [format!("arn:aws:ecr:us-east-1:123456789012:repository/{repository}")],
        "detail": {
            "scan-status": status,
            "repository-name": repository,
            "finding-severity-counts": { "CRITICAL": 1 },
            "image-digest": digest,
            "image-tags": tags,
        }
    })
}

/// The body SNS would POST for `msg`.
pub fn body(msg: &SnsMessage) -> String {
    serde_json::to_string(msg).unwrap()
}
