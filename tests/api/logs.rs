//! The real binary's text log: values from outside cannot forge a line.

use std::time::Duration;

use crate::helpers::TOKEN;
use crate::process::{environment, serve, wait_ready};
use crate::slack_stub::SlackStub;
use crate::sns_harness::{SnsOrigin, TOPIC, body};

/// A value that, written raw, would end its line and start a forged one in red.
const FORGED: &str = "\n2026-01-01T00:00:00Z  INFO forged\x1b[31m";

#[tokio::test]
async fn newlines_and_escapes_from_sns_and_slack_stay_inside_their_log_line() {
    let (slack, sns) = (SlackStub::start(TOKEN).await, SnsOrigin::start().await);
    let dir = tempfile::tempdir().unwrap();
    let env = environment(
        &slack,
        &sns,
        &format!("sqlite://{}/e.db", dir.path().display()),
    );
    let log = dir.path().join("ecrscan.log");
    let mut child = serve(&env, &log);
    let http = reqwest::Client::new();
    let port = wait_ready(&http, 0, &log).await;
    let url = |path: &str| format!("http://127.0.0.1:{port}{path}");

    // A topic that is not accepted (refused before anything else), and a signed
    // notification whose MessageId is logged when it turns out not to be a scan.
    let mut refused = sns.notification("m-1", &serde_json::json!({}));
    refused.topic_arn = format!("{TOPIC}{FORGED}");
    let not_a_scan = sns.notification(&format!("m-2{FORGED}"), &serde_json::json!({}));
    for msg in [refused, not_a_scan] {
        http.post(url("/sns"))
            .header("x-amz-sns-message-type", "Notification")
            .body(body(&msg))
            .send()
            .await
            .unwrap();
    }
    // A command whose response_url (not Slack's) is refused, and logged.
    let command = serde_urlencoded::to_string([
        ("team_id", "T1"),
        ("channel_id", "C1"),
        ("user_id", &format!("U1{FORGED}")),
        ("command", "/ecrscan"),
        ("text", "schedules"),
        ("response_url", &format!("http://127.0.0.1:9/r{FORGED}")),
    ])
    .unwrap();
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let signature = ecrscan::http::slack::verify::sign("secret", &timestamp, command.as_bytes());
    http.post(url("/slack/commands"))
        .header("x-slack-request-timestamp", timestamp)
        .header("x-slack-signature", signature)
        .body(command)
        .send()
        .await
        .unwrap();

    let expected = [
        "refused an SNS message",
        "not a scan event",
        "could not answer through response_url",
    ];
    let mut text = String::new();
    for _ in 0..200 {
        text = std::fs::read_to_string(&log).unwrap_or_default();
        if expected.iter().all(|e| text.contains(e)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();

    for e in expected {
        let line = text.lines().find(|l| l.contains(e));
        let line = line.unwrap_or_else(|| panic!("no {e:?} in the log:\n{text}"));
        assert!(
            line.contains(r"\n2026-01-01T00:00:00Z  INFO forged\u{1b}[31m"),
            "the value is in its line, escaped: {line}"
        );
    }
    assert!(
        !text.lines().any(|l| l.starts_with("2026-01-01T00:00:00Z")),
        "a forged line:\n{text}"
    );
    assert!(!text.contains('\x1b'), "a raw ESC:\n{text:?}");
}
