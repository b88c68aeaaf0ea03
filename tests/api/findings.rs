//! `/ecrscan findings`, and `now` where ECR refuses to scan: what the user reads.

use aws_sdk_ecr::Client;
use aws_sdk_ecr::types::ScanType;
use aws_smithy_mocks::{Rule, mock};

use crate::ecr_mock::{aws_error, ecr, findings_fixture, image, registry};
use crate::helpers::{push_images, spawn_app, spawn_app_with, unique_repository};
use crate::slack_stub::Call;

const REPO: [(&str, &str); 1] = [("ECRSCAN_REPOSITORY", "example")];

#[tokio::test]
async fn basic_findings_show_cve_package_version_and_score() {
    let rules = [
        image(),
        findings_fixture("describe-image-scan-findings.basic.awsdocs.json"),
    ];
    let app = spawn_app_with(ecr(&[&rules[0], &rules[1]]), &REPO).await;
    app.command("findings web-latest").await;
    let answers = app.slack.wait_for("response_url", 1).await;
    let text = answers[0].everything();
    for expected in [
        "example:web-latest",
        "CVE-2019-5188",
        "e2fsprogs",
        "1.44.1-1ubuntu1.1",
        "4.6",
    ] {
        assert!(text.contains(expected), "{expected} missing: {text}");
    }
    app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn enhanced_findings_show_the_fixed_in_version_when_known() {
    let rules = [
        image(),
        findings_fixture("describe-image-scan-findings.enhanced.awsdocs.json"),
    ];
    let app = spawn_app_with(ecr(&[&rules[0], &rules[1]]), &REPO).await;
    app.command("findings example:web-latest").await;
    let answers = app.slack.wait_for("response_url", 1).await;
    let text = answers[0].everything();
    assert!(
        text.contains("CVE-2022-49043") && text.contains("libxml2"),
        "{text}"
    );
    app.slack.assert_all_within_limits();
}

/// `/ecrscan now web-latest` on a `scan_type` registry whose StartImageScan
/// fails with `code`: the answers through `response_url`, and the StartImageScan rule.
async fn now_refused(
    scan_type: ScanType,
    code: &str,
    message: &str,
    answers: usize,
) -> (Vec<Call>, Rule) {
    let start = mock!(Client::start_image_scan).then_http_response(aws_error(400, code, message));
    let rules = [
        image(),
        registry(scan_type),
        findings_fixture("describe-image-scan-findings.basic.awsdocs.json"),
    ];
    let app = spawn_app_with(ecr(&[&rules[0], &rules[1], &rules[2], &start]), &REPO).await;
    app.command("now web-latest").await;
    let answers = app.slack.wait_for("response_url", answers).await;
    assert!(
        app.slack.calls_to("chat.postMessage").is_empty(),
        "no 'scan started'"
    );
    (answers, start)
}

#[tokio::test]
async fn now_on_an_enhanced_registry_explains_inspector_and_shows_findings() {
    let (answers, start) = now_refused(ScanType::Enhanced, "ValidationException", "x", 2).await;
    assert!(
        answers[0].text().contains("Amazon Inspector"),
        "{}",
        answers[0].text()
    );
    assert!(
        answers[1].everything().contains("CVE-2019-5188"),
        "the latest findings follow"
    );
    assert_eq!(start.num_calls(), 0, "no scan is attempted");
}

#[tokio::test]
async fn a_scan_refused_as_disabled_is_explained_the_same_way() {
    let (answers, _) = now_refused(
        ScanType::Basic,
        "ValidationException",
        "This feature is disabled.",
        2,
    )
    .await;
    assert!(
        answers[0].text().contains("Amazon Inspector"),
        "{}",
        answers[0].text()
    );
}

#[tokio::test]
async fn the_daily_limit_is_answered_without_retrying() {
    let quota = "The scan quota per image has been exceeded. Wait and try again.";
    let (answers, start) = now_refused(ScanType::Basic, "LimitExceededException", quota, 2).await;
    let text = answers[0].text();
    assert!(
        text.contains("24 hours") && text.contains("2020-01-24"),
        "with the last scan time: {text}"
    );
    assert_eq!(
        start.num_calls(),
        1,
        "LimitExceededException is final, not throttling"
    );
}

#[tokio::test]
async fn an_unsupported_image_and_a_missing_permission_are_explained() {
    let denied =
        "User: arn:aws:iam::123456789012:user/bot is not authorized to perform: ecr:StartImageScan";
    for (code, message, expected) in [
        (
            "UnsupportedImageTypeException",
            "The operating system is not supported",
            "not supported",
        ),
        ("AccessDeniedException", denied, "`ecr:StartImageScan`"),
    ] {
        let (answers, _) = now_refused(ScanType::Basic, code, message, 1).await;
        assert!(
            answers[0].text().contains(expected),
            "{code}: {}",
            answers[0].text()
        );
    }
}

#[tokio::test]
async fn an_image_never_scanned_says_how_to_scan_it() {
    let repository = unique_repository("unscanned");
    push_images(&repository, &["web-latest"]).await;
    let app = spawn_app(&repository).await;
    app.command("findings web-latest").await;
    let answers = app.slack.wait_for("response_url", 1).await;
    let text = answers[0].text();
    assert!(
        text.contains("not been scanned") && text.contains("/ecrscan now"),
        "{text}"
    );
}
