//! Durable jobs: what kinds there are, how one fails, and the outbox through
//! which a door stores one and wakes the worker.
//!
//! The worker that runs them is a use-case (`service::worker`); the rows live in
//! the store. This module only names the vocabulary both sides share.

use std::time::Duration;

use serde::Deserialize;
use tokio::sync::Notify;

use crate::store::Store;

/// How long finished jobs and seen SNS message ids are kept: far longer than SNS
/// keeps redelivering a message.
pub const RETENTION_SECS: i64 = 14 * 24 * 3600;

/// What a job is about; stored as its [`JobKind::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// A verified SNS notification (a scan result), stored as the SNS message JSON.
    ScanResult,
    /// Refresh the head of a channel's digest once for the results that joined
    /// it since the last refresh ([`DigestRefresh`]).
    DigestRefresh,
    /// Fold the `Inspector2 Finding` events staged for one image into one
    /// update ([`FindingUpdate`]), due when the image's window closes.
    FindingUpdate,
    /// Announce that an ignore ended ([`IgnoreEnded`]) in the threads of the
    /// images whose latest result still has the finding.
    IgnoreEnded,
}

impl JobKind {
    /// The stored name (`sns`, as since the first release).
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::ScanResult => "sns",
            JobKind::DigestRefresh => "digest",
            JobKind::FindingUpdate => "findings",
            JobKind::IgnoreEnded => "ignore_ended",
        }
    }

    /// The kind of a stored job, if ecrscan knows it.
    pub fn parse(stored: &str) -> Option<JobKind> {
        [
            JobKind::ScanResult,
            JobKind::DigestRefresh,
            JobKind::FindingUpdate,
            JobKind::IgnoreEnded,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == stored)
    }
}

/// The payload of a [`JobKind::ScanResult`] job, as the worker reads it: the
/// fields it needs of the stored SNS message (the door stores the whole verified
/// message, so these are its SNS names).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ScanResult {
    /// The SNS `MessageId`, for logs.
    #[serde(rename = "MessageId")]
    pub message_id: String,
    /// The EventBridge event, as JSON.
    #[serde(rename = "Message")]
    pub event: String,
}

/// The payload of a [`JobKind::DigestRefresh`] job.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DigestRefresh {
    pub digest: i64,
}

/// The payload of a [`JobKind::FindingUpdate`] job: the image whose staged
/// events it folds.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FindingUpdate {
    pub repository: String,
    pub digest: String,
}

/// The payload of a [`JobKind::IgnoreEnded`] job.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IgnoreEnded {
    pub ignore: i64,
}

/// Why a job did not finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Worth another attempt after `after` (Slack rate limit, outage, AWS hiccup).
    Retry { after: Duration, error: String },
    /// No attempt will succeed.
    Permanent(String),
    /// Not a failure: Slack's pace for `channel` leaves no room for the next
    /// message now. Resume after `after` from `progress` (the job's progress as
    /// saved); this does not count as an attempt.
    Paced {
        channel: String,
        after: Duration,
        progress: String,
    },
}

impl Failure {
    /// A retry after the default backoff for this attempt.
    pub fn retry(error: impl ToString) -> Self {
        Failure::Retry {
            after: Duration::ZERO,
            error: error.to_string(),
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure::retry(format!("{error:#}"))
    }
}

/// Stores jobs and wakes the worker that waits for them.
#[derive(Debug, Default)]
pub struct Outbox {
    stored: Notify,
}

impl Outbox {
    /// Records a message and its job in one transaction (see
    /// [`Store::accept_message`]) and wakes the worker; `false` when the message
    /// id was seen before, and nothing was stored.
    pub async fn accept(
        &self,
        store: &dyn Store,
        message_id: &str,
        kind: JobKind,
        payload: &str,
    ) -> anyhow::Result<bool> {
        let stored = store
            .accept_message(message_id, kind.as_str(), payload)
            .await?;
        if stored {
            self.stored.notify_one();
        }
        Ok(stored)
    }

    /// Returns when a job was stored since the last wait (or at once if one was).
    pub async fn stored(&self) {
        self.stored.notified().await
    }
}

#[cfg(test)]
mod tests {
    use super::JobKind;

    #[test]
    fn a_scan_result_reads_the_stored_sns_message() {
        let stored = r#"{"Type":"Notification","MessageId":"m-1","TopicArn":"arn:aws:sns:us-east-1:123456789012:t","Message":"{}","Timestamp":"2026-03-06T19:55:38.903Z","SignatureVersion":"2","Signature":"c2ln","SigningCertURL":"https://sns.us-east-1.amazonaws.com/x.pem"}"#;
        let result: super::ScanResult = serde_json::from_str(stored).unwrap();
        assert_eq!(result.message_id, "m-1");
        assert_eq!(result.event, "{}");
    }

    #[test]
    fn a_stored_kind_reads_back_and_an_unknown_one_does_not() {
        assert_eq!(JobKind::parse("sns"), Some(JobKind::ScanResult));
        assert_eq!(JobKind::parse("digest"), Some(JobKind::DigestRefresh));
        assert_eq!(JobKind::parse("findings"), Some(JobKind::FindingUpdate));
        assert_eq!(JobKind::parse("ignore_ended"), Some(JobKind::IgnoreEnded));
        assert_eq!(JobKind::parse("email"), None);
    }
}
