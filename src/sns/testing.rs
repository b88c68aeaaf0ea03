//! Test helpers (unit tests, and integration tests through the `test-support`
//! feature): the genuine AWS-signed fixtures, our own test signer, and a
//! local origin that serves a certificate.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use url::Url;
use x509_cert::der::pem;

use crate::sns::message::{MessageType, SnsMessage};
use crate::sns::verify::Certificate;

/// The five genuine AWS-signed messages in `tests/fixtures/sns`.
pub const AWS_MESSAGES: [&str; 5] = [
    "test-subscription-confirmation.json",
    "test-notification-no-subject.json",
    "test-notification-with-subject.json",
    "test-notification-signature-v2.json",
    "test-unsubscribe-confirmation.json",
];

/// The certificate those messages name.
pub const AWS_CERT: &str = "SimpleNotificationService-7506a1e35b36ef5a444dd1a8e7cc3ed8.pem";

/// A file of `tests/fixtures/sns`.
pub fn aws_fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/sns/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// A genuine AWS-signed message.
pub fn aws_message(name: &str) -> SnsMessage {
    SnsMessage::from_json(&aws_fixture(name)).unwrap()
}

/// The AWS signing certificate of the fixtures.
pub fn aws_cert() -> Certificate {
    Certificate::from_pem(&aws_fixture(AWS_CERT)).unwrap()
}

/// The instant a message was sent (its certificate was valid then).
pub fn sent_at(msg: &SnsMessage) -> DateTime<Utc> {
    msg.timestamp().unwrap()
}

/// A file of `tests/fixtures/sns` (our own test signer).
pub fn own_fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/sns/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// Signs `msg` (as SignatureVersion 2) with a PKCS#8 PEM key of `tests/fixtures/sns`.
pub fn sign(msg: &mut SnsMessage, key_file: &str) {
    let (_, der) = pem::decode_vec(&own_fixture(key_file)).unwrap();
    let key = RsaKeyPair::from_pkcs8(&der).unwrap();
    msg.signature_version = "2".into();
    let mut signature = vec![0; key.public().modulus_len()];
    let sts = msg.string_to_sign().unwrap();
    key.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        sts.as_bytes(),
        &mut signature,
    )
    .unwrap();
    msg.signature = BASE64.encode(signature);
}

/// A notification of our own, signed with `signing-key.pem`, whose certificate
/// URL is `cert_url`.
pub fn own_notification(topic: &str, cert_url: &str) -> SnsMessage {
    let mut msg = SnsMessage {
        kind: MessageType::Notification,
        message_id: "5f8e1b52-0000-4000-8000-000000000001".into(),
        token: None,
        topic_arn: topic.into(),
        subject: None,
        message: r#"{"source":"aws.ecr"}"#.into(),
        subscribe_url: None,
        unsubscribe_url: None,
        timestamp: "2026-03-06T20:00:00.000Z".into(),
        signature_version: "2".into(),
        signature: String::new(),
        signing_cert_url: cert_url.into(),
    };
    sign(&mut msg, "signing-key.pem");
    msg
}

/// A local origin serving `body` at every path, and a count of the requests it got.
pub async fn serve(body: Vec<u8>) -> (Url, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let body = body.clone();
        counter.fetch_add(1, Ordering::SeqCst);
        async move { body }
    });
    (serve_app(app).await, hits)
}

/// A local origin serving `app`.
pub async fn serve_app(app: axum::Router) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Url::parse(&format!("http://{addr}")).unwrap()
}
