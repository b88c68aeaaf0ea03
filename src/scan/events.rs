//! EventBridge events that arrive as the `Message` of an SNS notification.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::scan::findings::{ScanKind, ScanReport, ScanStatus, Severity, total};
use crate::scan::image::Image;
use crate::scan::inspector::{self, FindingEvent};

/// How an ECR basic scan ended (`detail.scan-status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EcrScanStatus {
    Complete,
    Failed,
}

/// What an SNS notification told us.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanEvent {
    /// `aws.ecr` / `ECR Image Scan`: a basic scan finished.
    EcrScan {
        repository: String,
        /// `sha256:...`
        digest: String,
        tags: Vec<String>,
        status: EcrScanStatus,
        /// Findings per severity, most severe first, zeros left out; `None` when the
        /// event carries no `finding-severity-counts` (older events have none).
        counts: Option<Vec<(Severity, usize)>>,
        time: DateTime<Utc>,
    },
    /// `aws.inspector2` / `Inspector2 Scan`: an enhanced scan finished.
    InspectorScan {
        /// The repository name, taken from the ARN the event carries.
        repository: String,
        digest: String,
        tags: Vec<String>,
        /// Findings per severity, most severe first, zeros and `TOTAL` left out;
        /// `None` when the event carries no `finding-severity-counts`.
        counts: Option<Vec<(Severity, usize)>>,
        time: DateTime<Utc>,
    },
    /// `aws.inspector2` / `Inspector2 Finding` about an ECR image: one finding
    /// created, updated or closed (findings about other resources are `Other`).
    Finding(Box<FindingEvent>),
    /// Any other EventBridge event: logged, nothing posted.
    Other { source: String, detail_type: String },
}

impl ScanEvent {
    /// The image a scan or finding event is about; `None` for other events.
    pub fn image(&self) -> Option<Image> {
        match self {
            ScanEvent::EcrScan {
                repository,
                digest,
                tags,
                ..
            }
            | ScanEvent::InspectorScan {
                repository,
                digest,
                tags,
                ..
            } => Some(Image {
                repository: repository.clone(),
                digest: digest.clone(),
                tags: tags.clone(),
            }),
            ScanEvent::Finding(event) => Some(event.image.clone()),
            ScanEvent::Other { .. } => None,
        }
    }

    /// The event's findings per severity; `None` when it carries no counts (or is
    /// not a scan event).
    pub fn counts(&self) -> Option<&[(Severity, usize)]> {
        match self {
            ScanEvent::EcrScan { counts, .. } | ScanEvent::InspectorScan { counts, .. } => {
                counts.as_deref()
            }
            ScanEvent::Finding(_) | ScanEvent::Other { .. } => None,
        }
    }

    /// When the scan finished, as the event says.
    pub fn time(&self) -> Option<DateTime<Utc>> {
        match self {
            ScanEvent::EcrScan { time, .. } | ScanEvent::InspectorScan { time, .. } => Some(*time),
            ScanEvent::Finding(_) | ScanEvent::Other { .. } => None,
        }
    }

    /// Whether the event says the scan failed.
    pub fn failed(&self) -> bool {
        matches!(
            self,
            ScanEvent::EcrScan {
                status: EcrScanStatus::Failed,
                ..
            }
        )
    }
}

/// ECR's answer about a scan, corrected by what the scan's event says:
/// - a scan the event says failed is failed, whatever the answer's status;
/// - an `Inspector2 Scan` is an enhanced scan;
/// - when the answer lists fewer findings than the event counts (Inspector has not
///   handed them to ECR yet), the event's counts stand in for them
///   ([`ScanStatus::FindingsPending`]): never "no findings" for a scan that found some;
/// - an answer without a time takes the event's.
pub fn as_reported(event: &ScanEvent, report: ScanReport) -> ScanReport {
    let mut report = report;
    if matches!(event, ScanEvent::InspectorScan { .. }) {
        report.kind = ScanKind::Enhanced;
    }
    report.completed_at = report.completed_at.or(event.time());
    match (&report.status, event.counts()) {
        (ScanStatus::Failed(_), _) => {}
        _ if event.failed() => {
            report.status = ScanStatus::Failed("ECR reported the scan as failed".into());
        }
        (ScanStatus::Complete, Some(counts)) if total(counts) > report.findings.len() => {
            report.status = ScanStatus::FindingsPending(counts.to_vec());
        }
        _ => {}
    }
    report
}

/// Why a message is not an event we can act on.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// Not JSON, or JSON without `source` and `detail-type` (e.g. a plain SNS publish).
    #[error("not an EventBridge event: {0}")]
    NotAnEvent(serde_json::Error),
    /// A scan or finding event whose `detail` lacks what it should hold.
    #[error("malformed {detail_type} event: {error}")]
    BadDetail {
        detail_type: String,
        error: serde_json::Error,
    },
    /// An `ECR Image Scan` with a `scan-status` other than COMPLETE or FAILED.
    #[error("unknown ECR scan status {0}")]
    UnknownStatus(String),
}

#[derive(Deserialize)]
struct Envelope {
    source: String,
    #[serde(rename = "detail-type")]
    detail_type: String,
    /// Read leniently: an unreadable time must not make a finding event fail.
    #[serde(default)]
    time: serde_json::Value,
    #[serde(default)]
    detail: serde_json::Value,
    #[serde(default)]
    account: String,
    #[serde(default)]
    region: String,
}

/// Where an event comes from: the account and region of its image's registry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub account: String,
    pub region: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct ScanDetail {
    scan_status: String,
    repository_name: String,
    image_digest: String,
    #[serde(default)]
    image_tags: Vec<String>,
    #[serde(default)]
    finding_severity_counts: Option<HashMap<String, usize>>,
}

/// Parses the EventBridge event in an SNS `Message`.
pub fn parse_event(message: &str) -> Result<ScanEvent, EventError> {
    parse_with_origin(message).map(|(event, _)| event)
}

/// [`parse_event`], with the account and region the event names.
pub fn parse_with_origin(message: &str) -> Result<(ScanEvent, Origin), EventError> {
    let mut envelope: Envelope = serde_json::from_str(message).map_err(EventError::NotAnEvent)?;
    let origin = Origin {
        account: std::mem::take(&mut envelope.account),
        region: std::mem::take(&mut envelope.region),
    };
    parse_envelope(envelope).map(|event| (event, origin))
}

fn parse_envelope(envelope: Envelope) -> Result<ScanEvent, EventError> {
    let kind = (envelope.source.as_str(), envelope.detail_type.as_str());
    let time: Option<DateTime<Utc>> = envelope.time.as_str().and_then(|t| t.parse().ok());
    if kind == ("aws.inspector2", "Inspector2 Finding") {
        return finding(envelope, time.map(|t| t.timestamp()));
    }
    if !matches!(
        kind,
        ("aws.ecr", "ECR Image Scan") | ("aws.inspector2", "Inspector2 Scan")
    ) {
        return Ok(ScanEvent::Other {
            source: envelope.source,
            detail_type: envelope.detail_type,
        });
    }
    let bad = |error| EventError::BadDetail {
        detail_type: envelope.detail_type.clone(),
        error,
    };
    let detail: ScanDetail = serde_json::from_value(envelope.detail.clone()).map_err(bad)?;
    let time = time.ok_or_else(|| {
        bad(<serde_json::Error as serde::de::Error>::missing_field(
            "time",
        ))
    })?;
    let counts = detail.finding_severity_counts.as_ref().map(counts);
    if kind.0 == "aws.inspector2" {
        return Ok(ScanEvent::InspectorScan {
            repository: repository_from_arn(&detail.repository_name).to_string(),
            digest: detail.image_digest,
            tags: detail.image_tags,
            counts,
            time,
        });
    }
    let status = match detail.scan_status.as_str() {
        "COMPLETE" => EcrScanStatus::Complete,
        "FAILED" => EcrScanStatus::Failed,
        other => return Err(EventError::UnknownStatus(other.to_string())),
    };
    Ok(ScanEvent::EcrScan {
        repository: detail.repository_name,
        digest: detail.image_digest,
        tags: detail.image_tags,
        status,
        counts,
        time,
    })
}

/// An `Inspector2 Finding`: [`ScanEvent::Finding`] for an ECR image, `Other` for
/// any other resource.
fn finding(envelope: Envelope, time: Option<i64>) -> Result<ScanEvent, EventError> {
    match inspector::parse_detail(&envelope.detail, time) {
        Ok(Some(event)) => Ok(ScanEvent::Finding(Box::new(event))),
        Ok(None) => Ok(ScanEvent::Other {
            source: envelope.source,
            detail_type: envelope.detail_type,
        }),
        Err(error) => Err(EventError::BadDetail {
            detail_type: envelope.detail_type,
            error,
        }),
    }
}

/// `arn:aws:ecr:us-east-2:123456789012:repository/amazon/sample` -> `amazon/sample`;
/// a plain name stays as it is.
pub fn repository_from_arn(arn: &str) -> &str {
    match arn.split_once(":repository/") {
        Some((prefix, name)) if prefix.starts_with("arn:") => name,
        _ => arn,
    }
}

/// Per severity, most severe first, zeros and unknown names (`TOTAL`) left out.
/// Names of one severity (`HIGH`, `high`) are added up, saturating.
fn counts(raw: &HashMap<String, usize>) -> Vec<(Severity, usize)> {
    let mut counts = [0usize; Severity::ALL.len()];
    for (name, n) in raw {
        if let Ok(severity) = name.parse::<Severity>() {
            let i = Severity::ALL.iter().position(|s| *s == severity);
            let i = i.expect("every severity is in ALL");
            counts[i] = counts[i].saturating_add(*n);
        }
    }
    (Severity::ALL.iter().zip(counts))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| (*s, n))
        .collect()
}

#[cfg(test)]
mod tests;
