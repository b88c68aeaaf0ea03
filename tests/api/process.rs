//! The real binary: start-up errors, SIGTERM, and SIGKILL in the middle of work.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ecrscan::store::AuditLog;

use crate::helpers::{TOKEN, push_images, unique_repository};
use crate::moto;
use crate::slack_stub::SlackStub;
use crate::sns_harness::{SnsOrigin, TOPIC, body, scan_event};

const BINARY: &str = env!("CARGO_BIN_EXE_ecrscan");
const RESULTS: &str = "C0RESULTS";

/// `ecrscan serve` with exactly `env` (plus PATH), its log appended to `log`.
pub fn serve(env: &HashMap<&str, String>, log: &std::path::Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    Command::new(BINARY)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

/// Waits until the `n`-th instance logging to `log` says it serves and answers
/// `/readyz`; returns its port (each instance binds port 0).
pub async fn wait_ready(http: &reqwest::Client, n: usize, log: &std::path::Path) -> u16 {
    for _ in 0..600 {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let port = text
            .lines()
            .filter(|line| line.contains("ecrscan is serving"))
            .nth(n)
            .and_then(|line| line.split("port=").nth(1))
            .and_then(|port| port.trim().parse::<u16>().ok());
        if let Some(port) = port
            && let Ok(r) = http
                .get(format!("http://127.0.0.1:{port}/readyz"))
                .send()
                .await
            && r.status() == 200
        {
            return port;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = std::fs::read_to_string(log).unwrap_or_default();
    panic!("ecrscan did not become ready within 30 s:\n{log}");
}

pub fn environment(
    slack: &SlackStub,
    sns: &SnsOrigin,
    database_url: &str,
) -> HashMap<&'static str, String> {
    HashMap::from([
        ("SLACK_SIGNING_SECRET", "secret".to_string()),
        ("SLACK_BOT_TOKEN", TOKEN.to_string()),
        ("SLACK_API_URL", slack.api_url()),
        ("ECRSCAN_CHANNEL", RESULTS.to_string()),
        ("ECRSCAN_SNS_TOPIC_ARNS", TOPIC.to_string()),
        (
            "ECRSCAN_INSECURE_SNS_CERT_ORIGIN",
            sns.origin.as_str().trim_end_matches('/').to_string(),
        ),
        ("DATABASE_URL", database_url.to_string()),
        ("AWS_ENDPOINT_URL", moto::url().to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_ACCESS_KEY_ID", "testing".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
        ("RUST_LOG", "info".to_string()),
        ("PORT", "0".to_string()),
        // Each result in its own thread here; digests have their own test.
        ("ECRSCAN_DIGEST_THRESHOLD", "1000000".to_string()),
        ("ECRSCAN_POSTS_PER_SECOND", "1000".to_string()),
    ])
}

#[test]
fn a_missing_setting_stops_start_up_with_one_line_naming_it() {
    let output = Command::new(BINARY)
        .arg("serve")
        .env_clear()
        .env("SLACK_BOT_TOKEN", "xoxb-1")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("SLACK_SIGNING_SECRET"), "{stderr}");
    assert!(!stderr.contains("xoxb-1"), "no secret in the output");
}

#[tokio::test]
async fn sigterm_stops_the_service_cleanly() {
    let (slack, sns) = (SlackStub::start(TOKEN).await, SnsOrigin::start().await);
    let dir = tempfile::tempdir().unwrap();
    let env = environment(
        &slack,
        &sns,
        &format!("sqlite://{}/e.db", dir.path().display()),
    );
    let log = dir.path().join("ecrscan.log");
    let mut child = serve(&env, &log);
    wait_ready(&reqwest::Client::new(), 0, &log).await;
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    for _ in 0..100 {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    panic!("ecrscan did not stop within 5 s of SIGTERM");
}

#[tokio::test]
async fn every_answered_command_is_in_the_audit_log_after_sigterm() {
    let (slack, sns) = (SlackStub::start(TOKEN).await, SnsOrigin::start().await);
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}/e.db", dir.path().display());
    let env = environment(&slack, &sns, &database_url);
    let log = dir.path().join("ecrscan.log");
    let mut child = serve(&env, &log);
    let http = reqwest::Client::new();
    let port = wait_ready(&http, 0, &log).await;

    // Eight users subscribe over and over; SIGTERM arrives in the middle.
    let mut users = tokio::task::JoinSet::new();
    for n in 0..8 {
        let http = http.clone();
        users.spawn(async move {
            let mut answered = Vec::new();
            for i in 0.. {
                let user = format!("U{n}X{i}");
                let body = serde_urlencoded::to_string([
                    ("team_id", "T1"),
                    ("channel_id", "C1"),
                    ("user_id", user.as_str()),
                    ("command", "/ecrscan"),
                    ("text", "subscribe example:web-*"),
                    ("response_url", "http://127.0.0.1:9/r"),
                ])
                .unwrap();
                let timestamp = chrono::Utc::now().timestamp().to_string();
                let signature =
                    ecrscan::http::slack::verify::sign("secret", &timestamp, body.as_bytes());
                let sent = http
                    .post(format!("http://127.0.0.1:{port}/slack/commands"))
                    .header("x-slack-request-timestamp", timestamp)
                    .header("x-slack-signature", signature)
                    .body(body)
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == 200 => answered.push(user),
                    _ => return answered,
                }
            }
            answered
        });
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let answered: Vec<String> = users.join_all().await.concat();
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "{status}");
    assert!(answered.len() > 8, "commands were answered before the stop");

    let store = ecrscan::store::connect(&database_url).await.unwrap();
    let logged: std::collections::HashSet<String> = store
        .recent_audit(u32::MAX)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.user_id)
        .collect();
    let missing: Vec<&String> = answered.iter().filter(|u| !logged.contains(*u)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} answered commands are not in the audit log: {missing:?}",
        missing.len(),
        answered.len()
    );
}

/// Delivers like SNS: again and again until a 2xx.
pub async fn deliver_until_accepted(
    http: &reqwest::Client,
    ports: &std::sync::Mutex<u16>,
    payload: &str,
) {
    loop {
        let port = *ports.lock().unwrap();
        let sent = http
            .post(format!("http://127.0.0.1:{port}/sns"))
            .header("x-amz-sns-message-type", "Notification")
            .body(payload.to_string())
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        if sent.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn sigkill_midway_through_500_notifications_loses_nothing_and_posts_nothing_twice() {
    const COUNT: usize = 500;
    let repository = unique_repository("crash");
    let digest = push_images(&repository, &["base"]).await.remove(0);
    moto::ecr_client()
        .start_image_scan()
        .repository_name(&repository)
        .image_id(
            aws_sdk_ecr::types::ImageIdentifier::builder()
                .image_digest(&digest)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let (slack, sns) = (SlackStub::start(TOKEN).await, SnsOrigin::start().await);
    let dir = tempfile::tempdir().unwrap();
    let env = environment(
        &slack,
        &sns,
        &format!("sqlite://{}/e.db", dir.path().display()),
    );
    let http = reqwest::Client::new();
    let log = dir.path().join("ecrscan.log");
    let mut first = serve(&env, &log);
    let port = std::sync::Mutex::new(wait_ready(&http, 0, &log).await);

    let payloads: Vec<String> = (0..COUNT)
        .map(|n| {
            let tag = format!("t{n}");
            body(&sns.notification(
                &format!("crash-{n}"),
                &scan_event(&repository, &digest, &[&tag], "COMPLETE"),
            ))
        })
        .collect();
    for payload in &payloads[..COUNT / 2] {
        deliver_until_accepted(&http, &port, payload).await;
    }
    // Kill while the worker is busy posting, then start again on the same database.
    while slack.calls_to("chat.postMessage").len() < 50 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let mut second = serve(&env, &log);
    let second_port = wait_ready(&http, 1, &log).await;
    *port.lock().unwrap() = second_port;
    for payload in &payloads[COUNT / 2 - 5..] {
        deliver_until_accepted(&http, &port, payload).await; // five redelivered, as SNS would
    }

    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while slack.calls_to("chat.postMessage").len() < COUNT * 2
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    second.kill().unwrap();
    second.wait().unwrap();

    let posts = slack.calls_to("chat.postMessage");
    let mut parents: HashMap<String, usize> = HashMap::new();
    for post in posts.iter().filter(|p| p.body.get("thread_ts").is_none()) {
        *parents
            .entry(post.body["blocks"][0]["text"]["text"].to_string())
            .or_default() += 1;
    }
    let twice: Vec<_> = parents.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "posted twice: {twice:?}");
    assert_eq!(parents.len(), COUNT, "every result posted");
    assert_eq!(
        posts.len(),
        COUNT * 2,
        "one summary and one detail reply each"
    );
}
