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
            digest: "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234".into(),
            tags: vec![],
            status: EcrScanStatus::Complete,
            counts: Some(vec![(Severity::Critical, 10), (Severity::Medium, 9)]),
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
            digest: "sha256:36c7b282abd0186e01419f2e58743e1bf635808231049bbc9d77e5EXAMPLE".into(),
            tags: vec!["latest".into()],
            counts: Some(vec![
                (Severity::Critical, 7),
                (Severity::High, 61),
                (Severity::Medium, 62)
            ]),
            time: "2021-12-03T18:03:16Z".parse().unwrap(),
        }
    );
    assert_eq!(
        event.image().unwrap().display_name(),
        "amazon/amazon-ecs-sample:latest"
    );
}

#[test]
fn other_ecr_and_inspector_events_and_findings_of_other_resources_are_other() {
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
            "inspector2-finding.lambda.inspector-docs.json",
            other("aws.inspector2", "Inspector2 Finding"),
        ),
    ];
    for (name, expected) in cases {
        assert_eq!(parse_event(&fixture(name)).unwrap(), expected, "{name}");
    }
}

#[test]
fn a_failed_scan_with_empty_counts_parses_as_counts_of_zero() {
    let message = fixture("ecr-image-scan.basic.awsdocs.json")
        .replace("COMPLETE", "FAILED")
        .replace(r#""CRITICAL": 10,"#, "")
        .replace(r#""MEDIUM": 9"#, "");
    let ScanEvent::EcrScan { status, counts, .. } = parse_event(&message).unwrap() else {
        panic!("not an ECR scan event");
    };
    assert_eq!((status, counts), (EcrScanStatus::Failed, Some(vec![])));
}

#[test]
fn an_event_without_severity_counts_has_none_which_is_not_zero() {
    let event = parse_event(&fixture("ecr-image-scan.no-counts.hayao-k.json")).unwrap();

    assert_eq!(event.counts(), None);
    assert_eq!(
        event.image().unwrap().display_name(),
        "my-repo@sha256:7f5b2640fe6f"
    );
}

#[test]
fn counts_of_one_severity_add_up_saturating_instead_of_overflowing() {
    let message = fixture("ecr-image-scan.basic.awsdocs.json")
        .replace(r#""CRITICAL": 10"#, r#""CRITICAL": 18446744073709551615"#)
        .replace(r#""MEDIUM": 9"#, r#""critical": 9"#);
    let event = parse_event(&message).unwrap();

    assert_eq!(
        event.counts(),
        Some(&[(Severity::Critical, usize::MAX)][..])
    );
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
    assert!(matches!(parse_event(&message), Err(EventError::UnknownStatus(s)) if s == "PENDING"));
}

#[test]
fn a_plain_repository_name_is_kept_as_it_is() {
    assert_eq!(repository_from_arn("example"), "example");
    assert_eq!(
        repository_from_arn("arn:aws-cn:ecr:cn-north-1:1:repository/team/web"),
        "team/web"
    );
}

/// aws/aws-cli#6759: what an enhanced registry answered before Inspector handed ECR
/// the findings (status ACTIVE, no findings at all).
fn active_without_findings(image: Image) -> ScanReport {
    let path = format!(
        "{}/tests/fixtures/ecr/describe-image-scan-findings.enhanced-active.aws-cli-6759.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let json = std::fs::read_to_string(path).unwrap();
    crate::aws::report_from_json(image, &json).unwrap()
}

#[test]
fn an_answer_listing_fewer_findings_than_the_event_counts_takes_the_events_counts() {
    let event = parse_event(&fixture("inspector2-scan.ecr.awsdocs.json")).unwrap();
    let answer = active_without_findings(event.image().unwrap());
    let report = as_reported(&event, answer);

    assert_eq!(
        report.status,
        ScanStatus::FindingsPending(vec![
            (Severity::Critical, 7),
            (Severity::High, 61),
            (Severity::Medium, 62)
        ])
    );
    assert_eq!(report.kind, ScanKind::Enhanced);
    assert_eq!(report.completed_at, event.time(), "the answer has no time");
}

#[test]
fn an_event_without_counts_or_a_failed_one_leaves_no_findings_pending() {
    let event = parse_event(&fixture("ecr-image-scan.no-counts.hayao-k.json")).unwrap();
    let answer = active_without_findings(event.image().unwrap());
    assert_eq!(
        as_reported(&event, answer.clone()).status,
        ScanStatus::Complete
    );

    let failed = fixture("ecr-image-scan.basic.awsdocs.json").replace("COMPLETE", "FAILED");
    let report = as_reported(&parse_event(&failed).unwrap(), answer);
    assert!(matches!(report.status, ScanStatus::Failed(_)), "{report:?}");
}

#[test]
fn a_finding_event_about_an_ecr_image_names_the_image() {
    for (name, expected) in [
        (
            "inspector2-finding.ecr.awsdocs.json",
            "amazon/amazon-ecs-sample:latest",
        ),
        (
            "inspector2-finding.ecr.inspector-docs.json",
            "inspector2:ubuntu_latest",
        ),
    ] {
        let event = parse_event(&fixture(name)).unwrap();
        assert!(matches!(event, ScanEvent::Finding(_)), "{name}");
        assert_eq!(event.image().unwrap().display_name(), expected, "{name}");
    }
}

#[test]
fn a_finding_event_without_its_arn_is_malformed_and_says_what_is_missing() {
    let message = fixture("inspector2-finding.ecr.inspector-docs.json").replace("findingArn", "x");
    let Err(EventError::BadDetail { detail_type, error }) = parse_event(&message) else {
        panic!("not refused as malformed");
    };
    assert_eq!(detail_type, "Inspector2 Finding");
    assert!(error.to_string().contains("findingArn"), "{error}");
}

#[test]
fn an_unreadable_event_time_fails_a_scan_event_but_not_a_finding_event() {
    let scan =
        fixture("ecr-image-scan.basic.awsdocs.json").replace("2019-10-29T02:36:48Z", "yesterday");
    assert!(matches!(
        parse_event(&scan),
        Err(EventError::BadDetail { .. })
    ));
    let finding = fixture("inspector2-finding.ecr.inspector-docs.json")
        .replace("2024-09-04T16:55:38Z", "yesterday");
    assert!(matches!(parse_event(&finding), Ok(ScanEvent::Finding(_))));
}
