//! Why an SNS message was refused.

use chrono::{DateTime, Utc};

/// Why an SNS message was refused; `reason()` gives a short label for metrics.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("malformed SNS message: {0}")]
    Malformed(String),
    #[error("SNS message lacks {0}")]
    MissingField(&'static str),
    #[error("x-amz-sns-message-type header {header:?} does not match Type {body}")]
    TypeMismatch {
        header: Option<String>,
        body: String,
    },
    #[error("topic {0} is not accepted")]
    TopicNotAllowed(String),
    #[error("unsupported SignatureVersion {0:?}")]
    UnsupportedVersion(String),
    #[error("signing certificate URL refused: {0}")]
    BadCertUrl(&'static str),
    #[error("SubscribeURL refused: {0}")]
    BadSubscribeUrl(&'static str),
    #[error("signing certificate could not be fetched: {0}")]
    CertUnavailable(String),
    #[error("bad signing certificate: {0}")]
    BadCertificate(String),
    #[error("signing certificate is valid from {not_before} to {not_after}, not at {now}")]
    Expired {
        not_before: DateTime<Utc>,
        not_after: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    #[error("signature does not verify")]
    BadSignature,
    #[error("Timestamp {0:?} is not an ISO 8601 time")]
    BadTimestamp(String),
    #[error("sent at {sent}, which is outside the freshness window at {now}")]
    Stale {
        sent: DateTime<Utc>,
        now: DateTime<Utc>,
    },
}

impl VerifyError {
    /// A short, stable label for logs and metrics (`bad_signature`, ...).
    pub fn reason(&self) -> &'static str {
        match self {
            VerifyError::Malformed(_) => "malformed",
            VerifyError::MissingField(_) => "missing_field",
            VerifyError::TypeMismatch { .. } => "type_mismatch",
            VerifyError::TopicNotAllowed(_) => "topic_not_allowed",
            VerifyError::UnsupportedVersion(_) => "unsupported_version",
            VerifyError::BadCertUrl(_) => "bad_cert_url",
            VerifyError::BadSubscribeUrl(_) => "bad_subscribe_url",
            VerifyError::CertUnavailable(_) => "cert_unavailable",
            VerifyError::BadCertificate(_) => "bad_certificate",
            VerifyError::Expired { .. } => "expired",
            VerifyError::BadSignature => "bad_signature",
            VerifyError::BadTimestamp(_) => "bad_timestamp",
            VerifyError::Stale { .. } => "stale",
        }
    }
}
