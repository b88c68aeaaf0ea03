//! SNS HTTPS subscription endpoint: verification, messages, handler.

pub mod certs;
pub mod error;
pub mod message;
pub mod verify;

pub mod handler;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use url::Url;

pub use certs::CertStore;
pub use message::{MessageType, SnsMessage};
pub use verify::{
    Certificate, VerifyError, check_cert_url, check_fresh, check_subscribe_url, verify_signature,
};

use verify::SignedParts;

/// Verifies SNS messages as AWS specifies, for a list of accepted topics.
#[derive(Debug)]
pub struct Verifier {
    topics: Vec<String>,
    certs: CertStore,
    insecure_origin: Option<Url>,
}

impl Verifier {
    /// A verifier accepting `topics` (none: every message is refused), caching
    /// certificates in `cert_dir` when given, and also trusting
    /// `insecure_origin` for certificates and `SubscribeURL` (tests only).
    pub fn new(
        topics: Vec<String>,
        cert_dir: Option<PathBuf>,
        insecure_origin: Option<Url>,
    ) -> Result<Self, reqwest::Error> {
        Ok(Verifier {
            topics,
            certs: CertStore::new(cert_dir, insecure_origin.clone())?,
            insecure_origin,
        })
    }

    /// Parses and verifies one message body (already size-capped by the caller),
    /// refusing the cheap way first: JSON, the `x-amz-sns-message-type` header
    /// against `Type`, the topic, the signature version and fields, the
    /// `Timestamp` (sent within the window at `now`), the certificate URL; only then is the certificate fetched (or taken from a
    /// cache) and the signature checked, with the certificate valid at `now`.
    pub async fn verify(
        &self,
        type_header: Option<&str>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<SnsMessage, VerifyError> {
        let msg = SnsMessage::from_json(body)?;
        if type_header.map(str::trim) != Some(msg.kind.as_str()) {
            return Err(VerifyError::TypeMismatch {
                header: type_header.map(String::from),
                body: msg.kind.to_string(),
            });
        }
        if !self.topics.contains(&msg.topic_arn) {
            return Err(VerifyError::TopicNotAllowed(msg.topic_arn));
        }
        let parts = SignedParts::of(&msg)?;
        check_fresh(&msg, now)?;
        let cert_url = check_cert_url(&msg.signing_cert_url, self.insecure_origin.as_ref())?;
        let cert = self.certs.get(&cert_url).await?;
        parts.verify(&cert, now)?;
        Ok(msg)
    }

    /// The `SubscribeURL` of a verified confirmation, once checked to be on
    /// the SNS host of its certificate (or the insecure origin): safe to GET.
    pub fn subscribe_url(&self, msg: &SnsMessage) -> Result<Url, VerifyError> {
        let url = msg
            .subscribe_url
            .as_deref()
            .ok_or(VerifyError::MissingField("SubscribeURL"))?;
        let insecure = self.insecure_origin.as_ref();
        let cert_url = check_cert_url(&msg.signing_cert_url, insecure)?;
        check_subscribe_url(url, &cert_url, insecure)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;
    use crate::http::sns::testing::{
        AWS_CERT, aws_fixture, aws_message, own_fixture, own_notification, sent_at, serve, sign,
    };

    const TOPIC: &str = "arn:aws:sns:us-west-2:131990247566:dongie-standard-topic";

    fn aws_verifier(topics: &[&str]) -> (Verifier, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(AWS_CERT), aws_fixture(AWS_CERT)).unwrap();
        let topics = topics.iter().map(|t| t.to_string()).collect();
        (
            Verifier::new(topics, Some(dir.path().into()), None).unwrap(),
            dir,
        )
    }

    fn body(msg: &SnsMessage) -> Vec<u8> {
        serde_json::to_vec(msg).unwrap()
    }

    #[tokio::test]
    async fn genuine_aws_messages_verify_end_to_end() {
        let (verifier, _dir) = aws_verifier(&[TOPIC]);
        for name in crate::http::sns::testing::AWS_MESSAGES {
            let msg = aws_message(name);
            let raw = aws_fixture(name);
            let got = verifier
                .verify(Some(msg.kind.as_str()), &raw, sent_at(&msg))
                .await;
            assert_eq!(got.as_ref(), Ok(&msg), "{name}");
        }
    }

    #[tokio::test]
    async fn a_wrong_type_header_is_refused() {
        let (verifier, _dir) = aws_verifier(&[TOPIC]);
        let msg = aws_message("test-subscription-confirmation.json");
        for header in [None, Some("Notification"), Some("subscriptionconfirmation")] {
            let err = verifier
                .verify(header, &body(&msg), sent_at(&msg))
                .await
                .unwrap_err();
            assert_eq!(err.reason(), "type_mismatch", "{header:?}");
        }
    }

    #[tokio::test]
    async fn a_topic_not_listed_is_refused_and_an_empty_list_refuses_all() {
        let msg = aws_message("test-notification-no-subject.json");
        for topics in [&["arn:aws:sns:us-west-2:131990247566:other"][..], &[]] {
            let (verifier, _dir) = aws_verifier(topics);
            let err = verifier
                .verify(Some("Notification"), &body(&msg), sent_at(&msg))
                .await
                .unwrap_err();
            assert_eq!(err, VerifyError::TopicNotAllowed(TOPIC.into()));
        }
    }

    #[tokio::test]
    async fn a_message_of_a_disallowed_topic_fetches_nothing() {
        let (origin, hits) = serve(own_fixture("signing-cert.pem")).await;
        let cert_url = origin.join("/Signer-1.pem").unwrap();
        let msg = own_notification("arn:aws:sns:us-east-1:1:evil", cert_url.as_str());
        let verifier = Verifier::new(vec![TOPIC.into()], None, Some(origin)).unwrap();
        let err = verifier
            .verify(Some("Notification"), &body(&msg), sent_at(&msg))
            .await;
        assert!(matches!(err, Err(VerifyError::TopicNotAllowed(_))));
        assert_eq!(hits.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_message_signed_by_our_own_certificate_verifies_from_the_insecure_origin() {
        let (origin, hits) = serve(own_fixture("signing-cert.pem")).await;
        let cert_url = origin.join("/Signer-1.pem").unwrap();
        let msg = own_notification(TOPIC, cert_url.as_str());
        let verifier = Verifier::new(vec![TOPIC.into()], None, Some(origin)).unwrap();
        let got = verifier
            .verify(Some("Notification"), &body(&msg), sent_at(&msg))
            .await;
        assert_eq!(got, Ok(msg));
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_forged_signature_is_refused_even_from_the_insecure_origin() {
        let (origin, _) = serve(own_fixture("signing-cert.pem")).await;
        let cert_url = origin.join("/Signer-1.pem").unwrap();
        let mut msg = own_notification(TOPIC, cert_url.as_str());
        sign(&mut msg, "other-key.pem");
        let verifier = Verifier::new(vec![TOPIC.into()], None, Some(origin)).unwrap();
        let err = verifier
            .verify(Some("Notification"), &body(&msg), sent_at(&msg))
            .await;
        assert_eq!(err, Err(VerifyError::BadSignature));
    }

    #[tokio::test]
    async fn our_own_certificate_is_refused_without_the_insecure_origin() {
        let (origin, hits) = serve(own_fixture("signing-cert.pem")).await;
        let cert_url = origin.join("/Signer-1.pem").unwrap();
        let msg = own_notification(TOPIC, cert_url.as_str());
        let verifier = Verifier::new(vec![TOPIC.into()], None, None).unwrap();
        let err = verifier
            .verify(Some("Notification"), &body(&msg), sent_at(&msg))
            .await;
        assert!(matches!(err, Err(VerifyError::BadCertUrl(_))));
        assert_eq!(hits.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn an_unknown_signature_version_is_refused_before_any_fetch() {
        let (verifier, _dir) = aws_verifier(&[TOPIC]);
        let mut msg = aws_message("test-notification-signature-v2.json");
        msg.signature_version = "3".into();
        let err = verifier
            .verify(Some("Notification"), &body(&msg), sent_at(&msg))
            .await;
        assert_eq!(err, Err(VerifyError::UnsupportedVersion("3".into())));
    }

    #[test]
    fn a_verifier_can_be_shared_across_tasks() {
        fn shared<T: Send + Sync>(_: &T) {}
        fn sendable<F: std::future::Future + Send>(_: F) {}
        let (verifier, _dir) = aws_verifier(&[TOPIC]);
        shared(&verifier);
        sendable(verifier.verify(None, b"", Utc::now()));
    }

    #[test]
    fn the_subscribe_url_of_a_genuine_confirmation_is_safe_to_get() {
        let (verifier, _dir) = aws_verifier(&[TOPIC]);
        let msg = aws_message("test-subscription-confirmation.json");
        let url = verifier.subscribe_url(&msg).unwrap();
        assert_eq!(url.host_str(), Some("sns.us-west-2.amazonaws.com"));
    }
}
