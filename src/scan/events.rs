//! EventBridge events that arrive as the `Message` of an SNS notification.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::scan::findings::Severity;
use crate::scan::image::Image;

/// How an ECR basic scan ended (`detail.scan-status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EcrScanStatus {
    Complete,
    Failed,
}

/// What an SNS notification told us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanEvent {
    /// `aws.ecr` / `ECR Image Scan`: a basic scan finished.
    EcrScan {
        repository: String,
        /// `sha256:...`
        digest: String,
        tags: Vec<String>,
        status: EcrScanStatus,
        /// Findings per severity, most severe first, zeros left out.
        counts: Vec<(Severity, usize)>,
        time: DateTime<Utc>,
    },
    /// `aws.inspector2` / `Inspector2 Scan`: an enhanced scan finished.
    InspectorScan {
        /// The repository name, taken from the ARN the event carries.
        repository: String,
        digest: String,
        tags: Vec<String>,
        /// Findings per severity, most severe first, zeros and `TOTAL` left out.
        counts: Vec<(Severity, usize)>,
        time: DateTime<Utc>,
    },
    /// Any other EventBridge event: logged, nothing posted.
    Other { source: String, detail_type: String },
}

impl ScanEvent {
    /// The image a scan event is about; `None` for other events.
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
            ScanEvent::Other { .. } => None,
        }
    }
}

/// Why a message is not an event we can act on.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// Not JSON, or JSON without `source` and `detail-type` (e.g. a plain SNS publish).
    #[error("not an EventBridge event: {0}")]
    NotAnEvent(serde_json::Error),
    /// A scan event whose `detail` lacks what it should hold.
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
    time: Option<DateTime<Utc>>,
    #[serde(default)]
    detail: serde_json::Value,
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
    finding_severity_counts: HashMap<String, usize>,
}

/// Parses the EventBridge event in an SNS `Message`.
pub fn parse_event(message: &str) -> Result<ScanEvent, EventError> {
    let envelope: Envelope = serde_json::from_str(message).map_err(EventError::NotAnEvent)?;
    let kind = (envelope.source.as_str(), envelope.detail_type.as_str());
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
    let time = envelope.time.ok_or_else(|| {
        bad(<serde_json::Error as serde::de::Error>::missing_field(
            "time",
        ))
    })?;
    let counts = counts(&detail.finding_severity_counts);
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

/// `arn:aws:ecr:us-east-2:123456789012:repository/amazon/sample` -> `amazon/sample`;
/// a plain name stays as it is.
pub fn repository_from_arn(arn: &str) -> &str {
    match arn.split_once(":repository/") {
        Some((prefix, name)) if prefix.starts_with("arn:") => name,
        _ => arn,
    }
}

fn counts(raw: &HashMap<String, usize>) -> Vec<(Severity, usize)> {
    let mut counts: Vec<(Severity, usize)> = raw
        .iter()
        .filter(|(_, n)| **n > 0)
        .filter_map(|(name, n)| Some((name.parse::<Severity>().ok()?, *n)))
        .collect();
    counts.sort();
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/events/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
    }

    fn other(source: &str, detail_type: &str) -> ScanEvent {
        ScanEvent::Other {
            source: source.into(),
            detail_type: detail_type.into(),
        }
    }

    #[test]
    fn an_ecr_image_scan_event_gives_image_status_and_counts() {
        let event = parse_event(&fixture("ecr-image-scan.basic.awsdocs.json")).unwrap();
        assert_eq!(
            event,
            ScanEvent::EcrScan {
                repository: "my-repository-name".into(),
                digest: "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234"
                    .into(),
                tags: vec![],
                status: EcrScanStatus::Complete,
                counts: vec![(Severity::Critical, 10), (Severity::Medium, 9)],
                time: "2019-10-29T02:36:48Z".parse().unwrap(),
            }
        );
    }

    #[test]
    fn an_inspector_scan_event_names_the_repository_from_its_arn_and_drops_total() {
        let event = parse_event(&fixture("inspector2-scan.ecr.awsdocs.json")).unwrap();
        assert_eq!(
            event,
            ScanEvent::InspectorScan {
                repository: "amazon/amazon-ecs-sample".into(),
                digest: "sha256:36c7b282abd0186e01419f2e58743e1bf635808231049bbc9d77e5EXAMPLE"
                    .into(),
                tags: vec!["latest".into()],
                counts: vec![
                    (Severity::Critical, 7),
                    (Severity::High, 61),
                    (Severity::Medium, 62)
                ],
                time: "2021-12-03T18:03:16Z".parse().unwrap(),
            }
        );
        assert_eq!(
            event.image().unwrap().display_name(),
            "amazon/amazon-ecs-sample:latest"
        );
    }

    #[test]
    fn other_ecr_and_inspector_events_are_other() {
        let cases = [
            (
                "ecr-image-action.push.awsdocs.json",
                other("aws.ecr", "ECR Image Action"),
            ),
            (
                "ecr-scan-resource-change.awsdocs.json",
                other("aws.ecr", "ECR Scan Resource Change"),
            ),
            (
                "inspector2-finding.ecr.awsdocs.json",
                other("aws.inspector2", "Inspector2 Finding"),
            ),
        ];
        for (name, expected) in cases {
            assert_eq!(parse_event(&fixture(name)).unwrap(), expected, "{name}");
        }
    }

    #[test]
    fn a_failed_scan_without_counts_parses() {
        let message = fixture("ecr-image-scan.basic.awsdocs.json")
            .replace("COMPLETE", "FAILED")
            .replace(r#""CRITICAL": 10,"#, "")
            .replace(r#""MEDIUM": 9"#, "");
        let ScanEvent::EcrScan { status, counts, .. } = parse_event(&message).unwrap() else {
            panic!("not an ECR scan event");
        };
        assert_eq!((status, counts), (EcrScanStatus::Failed, vec![]));
    }

    #[test]
    fn a_plain_message_is_not_an_event() {
        for message in ["Hello from SNS", r#"{"hello":"world"}"#, ""] {
            assert!(
                matches!(parse_event(message), Err(EventError::NotAnEvent(_))),
                "{message}"
            );
        }
    }

    #[test]
    fn a_scan_event_without_a_digest_is_malformed() {
        let message = fixture("ecr-image-scan.basic.awsdocs.json").replace("image-digest", "x");
        assert!(matches!(
            parse_event(&message),
            Err(EventError::BadDetail { .. })
        ));
    }

    #[test]
    fn an_unknown_ecr_scan_status_is_refused() {
        let message = fixture("ecr-image-scan.basic.awsdocs.json").replace("COMPLETE", "PENDING");
        assert!(
            matches!(parse_event(&message), Err(EventError::UnknownStatus(s)) if s == "PENDING")
        );
    }

    #[test]
    fn a_plain_repository_name_is_kept_as_it_is() {
        assert_eq!(repository_from_arn("example"), "example");
        assert_eq!(
            repository_from_arn("arn:aws-cn:ecr:cn-north-1:1:repository/team/web"),
            "team/web"
        );
    }
}
