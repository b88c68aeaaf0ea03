//! `ecrscan preview`, run as a user runs it: the built binary, no settings at all.

use std::process::Command;

use ecrscan::aws::{Ecr, report_from_json};
use ecrscan::scan::image::Image;

use crate::ecr_mock;

fn fixture(path: &str) -> String {
    format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn preview(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ecrscan"))
        .arg("preview")
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        // No .env file may fill in settings from the working directory.
        .current_dir(std::env::temp_dir())
        .output()
        .expect("the binary runs")
}

/// The basic sample event, counting what the basic sample answer lists (one MEDIUM
/// finding), saved in a file of its own.
fn basic_event_counting_the_sample_answer() -> std::path::PathBuf {
    let event = std::fs::read_to_string(fixture("events/ecr-image-scan.basic.awsdocs.json"));
    let mut event: serde_json::Value = serde_json::from_str(&event.unwrap()).unwrap();
    event["detail"]["finding-severity-counts"] = serde_json::json!({ "MEDIUM": 1 });
    let path = std::env::temp_dir().join(format!("ecrscan-preview-{}.json", std::process::id()));
    std::fs::write(&path, event.to_string()).unwrap();
    path
}

#[test]
fn preview_renders_the_messages_of_a_scan_with_no_settings_at_all() {
    let event = basic_event_counting_the_sample_answer();
    let output = preview(&[
        event.to_str().unwrap(),
        "--findings",
        &fixture("ecr/describe-image-scan-findings.basic.awsdocs.json"),
    ]);

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "stderr: {stderr}");
    assert!(stdout.contains("CVE-2019-5188"), "{stdout}");
    assert!(
        stdout.contains("Message 2 of 2: a reply in the thread"),
        "{stdout}"
    );
    let links = stdout
        .matches("https://app.slack.com/block-kit-builder/#%7B")
        .count();
    assert_eq!(links, 2, "{stdout}");
    std::fs::remove_file(event).unwrap();
}

#[test]
fn preview_of_an_inspector_scan_ecr_does_not_list_yet_shows_the_events_counts() {
    let output = preview(&[
        &fixture("events/inspector2-scan.ecr.awsdocs.json"),
        "--findings",
        &fixture("ecr/describe-image-scan-findings.enhanced-active.aws-cli-6759.json"),
    ]);

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with("Message 1 of 1: the summary"),
        "{stdout}"
    );
    assert!(stdout.contains("*130 findings*"), "{stdout}");
    assert!(stdout.contains("Details not available yet"), "{stdout}");
    assert!(!stdout.to_lowercase().contains("no findings"), "{stdout}");
}

#[test]
fn preview_without_findings_shows_the_events_counts() {
    let output = preview(&[&fixture("events/inspector2-scan.ecr.awsdocs.json")]);

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("130 findings"), "{stdout}");
    assert!(stdout.contains("Findings not fetched"), "{stdout}");
}

#[test]
fn preview_of_a_missing_file_or_another_event_fails_and_says_why() {
    let output = preview(&["/nonexistent/event.json"]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("cannot read /nonexistent/event.json")
    );

    let output = preview(&[&fixture("events/ecr-image-action.push.awsdocs.json")]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a scan result"));
}

/// A saved findings file becomes the same report as ECR's answer through the SDK.
#[tokio::test]
async fn a_saved_findings_file_reads_as_the_sdk_reads_the_same_answer() {
    for name in [
        "describe-image-scan-findings.basic.awsdocs.json",
        "describe-image-scan-findings.enhanced.awsdocs.json",
    ] {
        let image = Image {
            repository: "sample-repo".into(),
            digest: ecr_mock::DIGEST.into(),
            tags: vec!["latest".into()],
        };
        let ecr = ecr_mock::ecr(&[&ecr_mock::findings_fixture(name)]);
        let live = ecr.findings(&image).await.unwrap();

        let saved = std::fs::read_to_string(fixture(&format!("ecr/{name}"))).unwrap();
        let mut offline = report_from_json(image, &saved).unwrap();
        // On the wire a time is a float of seconds: the SDK's may be off by nanoseconds.
        let (a, b) = (offline.completed_at.unwrap(), live.completed_at.unwrap());
        assert!((a - b).num_milliseconds().abs() < 1, "{a} vs {b}");
        offline.completed_at = live.completed_at;
        assert_eq!(offline, live, "{name}");
        assert!(!offline.findings.is_empty(), "{name}");
    }
}

#[tokio::test]
async fn preview_home_prints_the_app_home_from_the_local_database() {
    use ecrscan::scan::findings::{Finding, ScanKind, Severity};
    use ecrscan::store::{Jobs, ScanRecord, Threads, connect};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/ecrscan.db", dir.path().display());
    let missing = Command::new(env!("CARGO_BIN_EXE_ecrscan"))
        .args(["preview", "--home"])
        .env_clear()
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!missing.status.success());
    let said = String::from_utf8_lossy(&missing.stderr);
    assert!(said.contains("names no database yet"), "{said}");

    let store = connect(&url).await.unwrap();
    let record = ScanRecord {
        repository: "example".into(),
        image_key: "tag:web-latest".into(),
        digest: "sha256:1a2b3c4d5e6f".into(),
        scanned_at: 1_795_000_000,
        changed_at: 1_795_000_000,
        kind: ScanKind::Basic,
        findings: vec![Finding::new("CVE-2026-0001", Severity::Critical)],
    };
    store.save_plan(0, "{}", Some(&record)).await.unwrap();
    store
        .save_image_thread(
            "example",
            "tag:web-latest",
            "C0RESULTS",
            "1700000000.000001",
        )
        .await
        .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_ecrscan"))
        .args(["preview", "--home"])
        .env_clear()
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("\"type\": \"home\""), "{stdout}");
    assert!(stdout.contains("example:web-latest"), "{stdout}");
    assert!(stdout.contains("1 critical"), "{stdout}");
    assert!(
        stdout.contains("Block Kit Builder: https://app.slack.com/block-kit-builder/#"),
        "{stdout}"
    );
}
