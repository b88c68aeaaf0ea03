use serde_json::Value;

use super::testing::{UPDATED_AT, finding_arn, finding_event};
use super::*;
use crate::scan::events::{ScanEvent, parse_event};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/events/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

fn parse(message: &str) -> FindingEvent {
    match parse_event(message) {
        Ok(ScanEvent::Finding(event)) => *event,
        other => panic!("not a finding event: {other:?}"),
    }
}

/// The event's `detail`, edited by `edit`, parsed.
fn edited(name: &str, edit: impl FnOnce(&mut Value)) -> Result<Option<FindingEvent>, String> {
    let mut event: Value = serde_json::from_str(&fixture(name)).unwrap();
    edit(&mut event["detail"]);
    parse_detail(&event["detail"], None).map_err(|e| e.to_string())
}

const DOCS: &str = "inspector2-finding.ecr.inspector-docs.json";

#[test]
fn the_ecr_user_guides_finding_event_reads_in_full() {
    let event = parse(&fixture("inspector2-finding.ecr.awsdocs.json"));
    assert_eq!(
        event.arn,
        "arn:aws:inspector2:us-east-2:123456789012:finding/be674aaddd0f75ac632055EXAMPLE"
    );
    assert_eq!(
        event.image,
        Image {
            repository: "amazon/amazon-ecs-sample".into(),
            digest: "sha256:36c7b282abd0186e01419f2e58743e1bf635808231049bbc9d77e5EXAMPLE".into(),
            tags: vec!["latest".into()],
        },
        "the image comes from details.awsEcrContainerImage, not the resource id"
    );
    assert_eq!(event.registry.as_deref(), Some("123456789012"));
    let state = event.state;
    assert_eq!(state.status, FindingStatus::Active);
    assert_eq!(
        state.updated_at,
        Some(1_638_554_550),
        "Dec 3, 2021, 6:02:30 PM"
    );
    let f = state.finding;
    assert_eq!(
        (f.id.as_str(), f.severity),
        ("CVE-2019-17498", Severity::Medium)
    );
    assert_eq!(
        (f.package.as_deref(), f.version.as_deref(), f.fixed_in),
        (Some("libssh2"), Some("1.4.3"), None)
    );
    assert_eq!(
        f.cvss,
        Some(6.5),
        "inspectorScore, not the highest base score 8.1"
    );
    assert_eq!(
        f.uri.as_deref(),
        Some("https://access.redhat.com/security/cve/CVE-2019-17498")
    );
    assert!(!f.fix_available && !f.exploit_available && f.epss.is_none());
}

#[test]
fn the_inspector_user_guides_finding_event_with_two_packages_and_no_score_reads() {
    let event = parse(&fixture(DOCS));
    assert_eq!(event.image.display_name(), "inspector2:ubuntu_latest");
    assert_eq!(
        event.image.digest,
        "sha256:84f507df33c6864d49c296fb734192696e4cb6f78166ac51ac8b9b118181085d"
    );
    assert_eq!(
        event.state.updated_at,
        Some(1_725_468_938),
        "Wed Sep 04 16:55:38.411 UTC 2024"
    );
    let f = event.state.finding;
    assert_eq!(f.id, "CVE-2024-6119");
    assert_eq!(f.package.as_deref(), Some("libssl3t64, openssl"));
    assert_eq!(f.version.as_deref(), Some("3.0.13"), "named once");
    assert_eq!(f.fixed_in.as_deref(), Some("0:3.0.13-0ubuntu3.4"));
    assert_eq!(f.cvss, None, "cvss: [] and no inspectorScore");
    assert!(f.fix_available && !f.exploit_available);
    assert_eq!(f.epss, Some(0.00045));
}

#[test]
fn the_newer_image_details_stand_in_when_the_ecr_ones_are_missing() {
    let event = edited(DOCS, |detail| {
        let details = detail["resources"][0]["details"].as_object_mut().unwrap();
        details.remove("awsEcrContainerImage");
    })
    .unwrap()
    .unwrap();
    assert_eq!(event.image, parse(&fixture(DOCS)).image);
    assert_eq!(event.registry.as_deref(), Some("123456789012"));
}

#[test]
fn without_image_details_the_resource_arn_names_repository_and_digest() {
    let event = edited(DOCS, |detail| {
        detail["resources"][0]["details"] = Value::Null
    })
    .unwrap()
    .unwrap();
    assert_eq!(event.image.repository, "inspector2");
    assert!(event.image.digest.starts_with("sha256:84f507df"));
    assert!(event.image.tags.is_empty());
}

#[test]
fn a_finding_without_its_arn_or_image_is_refused() {
    let no_arn = edited(DOCS, |detail| {
        detail.as_object_mut().unwrap().remove("findingArn");
    });
    assert!(no_arn.unwrap_err().contains("findingArn"));

    let no_repository = edited(DOCS, |detail| {
        let resource = &mut detail["resources"][0];
        resource["details"] = Value::Null;
        resource["id"] = "arn:aws:ecr:eu-central-1:123456789012:repository".into();
    });
    assert!(no_repository.unwrap_err().contains("repositoryName"));

    let no_resources = edited(DOCS, |d| d["resources"] = Value::Array(vec![]));
    assert!(no_resources.unwrap_err().contains("image"));
}

#[test]
fn findings_about_other_resources_are_not_image_findings() {
    for kind in ["AWS_EC2_INSTANCE", "AWS_LAMBDA_FUNCTION", "CODE_REPOSITORY"] {
        let other = edited(DOCS, |detail| detail["resources"][0]["type"] = kind.into());
        assert_eq!(other, Ok(None), "{kind}");
    }
}

#[test]
fn irregular_fields_never_fail_an_event_and_unreadable_times_are_none() {
    let event = edited(DOCS, |detail| {
        detail["severity"] = "UNTRIAGED".into();
        detail["inspectorScore"] = "not a number".into();
        detail["updatedAt"] = "sometime".into();
        detail["lastObservedAt"] = 42.into();
        detail["epss"] = "high".into();
        detail["status"] = "REOPENED".into();
        detail["packageVulnerabilityDetails"]["vulnerablePackages"] = "none".into();
        detail["strayKey"] = serde_json::json!({"a": [1]});
    })
    .unwrap()
    .unwrap();
    let state = event.state;
    assert_eq!(state.updated_at, Some(42), "lastObservedAt, in seconds");
    assert_eq!(state.status, FindingStatus::Active, "an unknown status");
    let f = state.finding;
    assert_eq!(f.severity, Severity::Untriaged);
    assert_eq!((f.cvss, f.epss, f.package), (None, None, None));

    let timeless = edited(DOCS, |detail| {
        detail["updatedAt"] = "sometime".into();
        detail["lastObservedAt"] = Value::Null;
    });
    assert_eq!(timeless.unwrap().unwrap().state.updated_at, None);
}

#[test]
fn without_its_own_times_a_finding_takes_the_events_time() {
    let message = fixture(DOCS).replace(UPDATED_AT, "unreadable");
    let event = parse(&message);
    assert_eq!(
        event.state.updated_at,
        Some(1_725_468_938),
        "2024-09-04T16:55:38Z"
    );
}

#[test]
fn inspector_times_in_every_known_format_are_read_as_utc() {
    for (text, expected) in [
        ("Dec 3, 2021, 6:02:30 PM", Some(1_638_554_550)),
        ("Dec 03, 2021, 06:02:30 PM", Some(1_638_554_550)),
        ("Wed Sep 04 16:55:38.411 UTC 2024", Some(1_725_468_938)),
        ("Wed Sep 04 16:55:38 UTC 2024", Some(1_725_468_938)),
        ("2024-09-04T16:55:38Z", Some(1_725_468_938)),
        ("2024-09-04T18:55:38.411+02:00", Some(1_725_468_938)),
        ("2024-09-04 16:55:38", Some(1_725_468_938)),
        ("Sep 4, 2024", None),
        ("", None),
    ] {
        assert_eq!(parse_time(text), expected, "{text}");
    }
}

#[test]
fn a_state_is_stored_as_json_and_read_back_and_an_unknown_status_is_active() {
    let state = parse(&fixture(DOCS)).state;
    let json = serde_json::to_string(&state).unwrap();
    assert!(json.contains(r#""status":"ACTIVE""#), "{json}");
    assert_eq!(serde_json::from_str::<FindingState>(&json).unwrap(), state);
    let reopened = json.replace(r#""status":"ACTIVE""#, r#""status":"REOPENED""#);
    let read: FindingState = serde_json::from_str(&reopened).unwrap();
    assert_eq!(read.status, FindingStatus::Active);
    for status in [FindingStatus::Suppressed, FindingStatus::Closed] {
        assert_eq!(FindingStatus::parse(status.as_str()), status);
    }
}

#[test]
fn made_events_read_back_as_the_finding_they_describe() {
    let message = finding_event(
        "team/web",
        "sha256:1a2b3c",
        "v1",
        "CVE-2024-0001",
        Severity::Critical,
        FindingStatus::Closed,
        true,
    );
    let event = parse(&message);
    assert_eq!(
        event.arn,
        finding_arn("team/web", "sha256:1a2b3c", "CVE-2024-0001")
    );
    assert_eq!(event.image.display_name(), "team/web:v1");
    assert_eq!(event.state.status, FindingStatus::Closed);
    let f = &event.state.finding;
    assert_eq!(
        (f.id.as_str(), f.severity),
        ("CVE-2024-0001", Severity::Critical)
    );
    assert!(f.exploit_available && f.fix_available);
    assert_eq!(f.cvss, Some(9.8));

    let untriaged = finding_event(
        "team/web",
        "sha256:1a2b3c",
        "",
        "CVE-2024-0002",
        Severity::Untriaged,
        FindingStatus::Active,
        false,
    );
    let event = parse(&untriaged);
    assert!(
        event.image.tags.is_empty(),
        "an empty tag is an untagged image"
    );
    assert_eq!(
        (event.state.finding.severity, event.state.finding.cvss),
        (Severity::Untriaged, None)
    );
    assert_ne!(
        event.arn,
        finding_arn("team/web", "sha256:1a2b3c", "CVE-2024-0001")
    );
}
