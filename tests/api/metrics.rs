//! `GET /metrics`: requests by route and status, signature failures, the outbox.

use crate::helpers::{TEAM, TestApp, now, push_images, spawn_app, unique_repository};

/// The value of the first sample line that starts with `name{` and carries every label.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|line| {
            line.starts_with(&format!("{name}{{")) || line.starts_with(&format!("{name} "))
        })
        .find(|line| labels.iter().all(|label| line.contains(label)))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

async fn scrape(app: &TestApp) -> (String, String) {
    let response = app
        .http
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    (content_type, response.text().await.unwrap())
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_signature_failures() {
    let app = spawn_app(&unique_repository("metrics")).await;
    TestApp::answer(app.command("help").await).await;
    let forged = app.command_body("help", TEAM).into_bytes();
    let refused = app
        .post_signed("/slack/commands", forged, now(), "forged")
        .await;
    assert_eq!(refused.status(), 401);
    let health = app
        .http
        .get(format!("{}/healthz", app.address))
        .send()
        .await;
    assert_eq!(health.unwrap().status(), 200);

    let (content_type, text) = scrape(&app).await;
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let requests = "ecrscan_http_requests_total";
    for (route, status) in [
        ("/slack/commands", "200"),
        ("/slack/commands", "401"),
        ("/healthz", "200"),
    ] {
        let labels = [
            &*format!("route=\"{route}\""),
            &*format!("status=\"{status}\""),
        ];
        let count = sample(&text, requests, &labels).unwrap_or_default();
        assert!(count >= 1.0, "{route} {status}: {count} in\n{text}");
    }
    let failures = sample(
        &text,
        "ecrscan_signature_failures_total",
        &["source=\"slack\"", "reason=\"mismatch\""],
    );
    assert!(failures.unwrap_or_default() >= 1.0, "{text}");
    let duration = sample(
        &text,
        "ecrscan_http_request_duration_seconds_count",
        &["route=\"/slack/commands\""],
    );
    assert!(duration.unwrap_or_default() >= 2.0, "{text}");
    assert_eq!(
        sample(&text, "ecrscan_outbox_depth", &[]),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "ecrscan_outbox_oldest_age_seconds", &[]),
        Some(0.0),
        "{text}"
    );
}

#[tokio::test]
async fn metrics_label_unknown_paths_by_no_route_and_never_by_the_raw_path() {
    let app = spawn_app(&unique_repository("metrics")).await;
    let response = app
        .http
        .get(format!("{}/no-such-path-xyzzy", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);

    let (_, text) = scrape(&app).await;
    assert!(!text.contains("xyzzy"), "{text}");
    let unmatched = sample(
        &text,
        "ecrscan_http_requests_total",
        &["route=\"unmatched\"", "status=\"404\""],
    );
    assert!(unmatched.unwrap_or_default() >= 1.0, "{text}");
}

#[tokio::test]
async fn metrics_count_aws_and_slack_calls_by_operation_method_and_outcome() {
    let repository = unique_repository("metrics");
    push_images(&repository, &["web-latest"]).await;
    let app = spawn_app(&repository).await;
    app.command("findings web-latest").await;
    app.slack.wait_for("response_url", 1).await;

    let wanted = [
        (
            "ecrscan_aws_calls_total",
            ["operation=\"ecr:DescribeImages\"", "outcome=\"ok\""],
        ),
        (
            "ecrscan_slack_calls_total",
            ["method=\"response_url\"", "outcome=\"ok\""],
        ),
        (
            "ecrscan_slack_call_duration_seconds_count",
            ["method=\"response_url\"", ""],
        ),
    ];
    // The call is recorded once its answer is read, a moment after the stand-in saw it.
    for _ in 0..50 {
        let (_, text) = scrape(&app).await;
        let seen = |(name, labels): &(&str, [&str; 2])| {
            sample(&text, name, labels).unwrap_or_default() >= 1.0
        };
        if wanted.iter().all(seen) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "AWS and Slack calls were not counted: {}",
        scrape(&app).await.1
    );
}
