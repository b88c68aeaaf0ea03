//! SNS notifications in, threaded Block Kit out: verified, deduplicated, durable.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_ecr::types::FindingSeverity;
use serde_json::Value;

use crate::ecr_mock::{DIGEST, cve, ecr, findings_pages, image};
use crate::helpers::{TestApp, spawn_app_with};
use crate::sns_harness::{SnsOrigin, TOPIC, body, scan_event};

pub const RESULTS: &str = "C0RESULTS";

pub struct Setup {
    pub app: TestApp,
    pub sns: SnsOrigin,
    pub findings: Arc<Mutex<Vec<aws_sdk_ecr::types::ImageScanFinding>>>,
}

/// ecrscan trusting our SNS origin, with ECR answering `count` HIGH findings.
pub async fn setup(count: usize) -> Setup {
    setup_with(count, &[]).await
}

/// [`setup`] with extra settings.
pub async fn setup_with(count: usize, extra: &[(&str, &str)]) -> Setup {
    let sns = SnsOrigin::start().await;
    let findings = Arc::new(Mutex::new(
        (0..count).map(|n| cve(n, FindingSeverity::High)).collect(),
    ));
    let rules = [image(), findings_pages(findings.clone())];
    let origin = sns.origin.as_str().trim_end_matches('/').to_string();
    let mut settings = vec![
        ("ECRSCAN_REPOSITORY", "example"),
        ("ECRSCAN_CHANNEL", RESULTS),
        ("ECRSCAN_SNS_TOPIC_ARNS", TOPIC),
        ("ECRSCAN_INSECURE_SNS_CERT_ORIGIN", &origin),
    ];
    settings.extend_from_slice(extra);
    let app = spawn_app_with(ecr(&[&rules[0], &rules[1]]), &settings).await;
    Setup { app, sns, findings }
}

pub async fn deliver(app: &TestApp, message_type: &str, body: String) -> reqwest::Response {
    app.http
        .post(format!("{}/sns", app.address))
        .header("x-amz-sns-message-type", message_type)
        .header("content-type", "text/plain; charset=UTF-8")
        .body(body)
        .send()
        .await
        .unwrap()
}

pub fn event() -> Value {
    scan_event("example", DIGEST, &["web-latest"], "COMPLETE")
}

/// Waits until the posts stop coming (the worker is done), then returns them.
pub async fn settled_posts(app: &TestApp, at_least: usize) -> Vec<crate::slack_stub::Call> {
    app.slack.wait_for("chat.postMessage", at_least).await;
    let mut seen = 0;
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let posts = app.slack.calls_to("chat.postMessage");
        if posts.len() == seen {
            return posts;
        }
        seen = posts.len();
    }
}

#[tokio::test]
async fn a_scan_with_1500_findings_posts_a_summary_and_every_finding_in_its_thread() {
    let s = setup(1500).await;
    let msg = s.sns.notification("msg-1", &event());
    assert_eq!(
        deliver(&s.app, "Notification", body(&msg)).await.status(),
        200
    );

    let posts = settled_posts(&s.app, 2).await;
    let parent = &posts[0];
    assert_eq!(parent.body["channel"], RESULTS);
    assert!(
        parent.body.get("thread_ts").is_none(),
        "the summary opens the thread"
    );
    let summary = parent.everything();
    assert!(
        summary.contains("example:web-latest") && summary.contains("1500"),
        "{summary}"
    );
    let details = &posts[1..];
    assert!(!details.is_empty());
    for reply in details {
        assert_eq!(
            reply.body["thread_ts"], "1700000000.000001",
            "threaded under the summary"
        );
    }
    // Every finding appears once, in order, across the replies.
    let all: String = details.iter().map(|c| c.everything()).collect();
    let mut last = 0;
    for n in 0..1500 {
        let id = format!("CVE-2026-{n:05}");
        let at = all.find(&id).unwrap_or_else(|| panic!("{id} missing"));
        assert!(at >= last, "{id} out of order");
        last = at;
    }
    s.app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn the_same_notification_delivered_three_times_posts_once() {
    let s = setup(3).await;
    let msg = s.sns.notification("msg-dup", &event());
    for _ in 0..3 {
        assert_eq!(
            deliver(&s.app, "Notification", body(&msg)).await.status(),
            200
        );
    }
    let posts = settled_posts(&s.app, 2).await;
    assert_eq!(
        posts.len(),
        2,
        "one summary and one page of details: {posts:?}"
    );
}

#[tokio::test]
async fn a_later_scan_replies_in_the_thread_with_what_changed_and_refreshes_the_summary() {
    let s = setup(5).await;
    deliver(
        &s.app,
        "Notification",
        body(&s.sns.notification("scan-1", &event())),
    )
    .await;
    let first = settled_posts(&s.app, 2).await;
    assert_eq!(first.len(), 2);

    {
        let mut findings = s.findings.lock().unwrap();
        findings.remove(0); // fixed
        findings.push(cve(9001, FindingSeverity::Critical)); // new
    }
    deliver(
        &s.app,
        "Notification",
        body(&s.sns.notification("scan-2", &event())),
    )
    .await;
    let posts = settled_posts(&s.app, 3).await;
    assert_eq!(posts.len(), 3, "one reply with what changed");
    let later = &posts[2..];
    assert!(
        later
            .iter()
            .all(|p| p.body["thread_ts"] == "1700000000.000001"),
        "{later:?}"
    );
    let summary = later[0].everything();
    assert!(
        summary.contains("CVE-2026-09001"),
        "the new finding is listed: {summary}"
    );
    assert!(
        summary.contains("CVE-2026-00000"),
        "the fixed one is listed: {summary}"
    );
    assert_eq!(
        later[0].body["reply_broadcast"], true,
        "a new CRITICAL is broadcast"
    );
    let updates = s.app.slack.calls_to("chat.update");
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].body["ts"], "1700000000.000001");
    s.app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn a_scan_started_from_slack_is_threaded_under_its_started_message() {
    let s = setup(2).await;
    // moto-free: the mocked registry is basic, and StartImageScan is not mocked, so
    // record the "scan started" message the way `now` does.
    let store = ecrscan::store::connect(&s.app.database_url).await.unwrap();
    use ecrscan::store::Threads;
    store
        .save_scan_request(&ecrscan::store::ScanRequest {
            repository: "example".into(),
            digest: DIGEST.into(),
            channel: "C0STARTED".into(),
            ts: "1699999999.000042".into(),
            user_id: "U0001".into(),
            requested_at: 0,
        })
        .await
        .unwrap();
    deliver(
        &s.app,
        "Notification",
        body(&s.sns.notification("started", &event())),
    )
    .await;
    let posts = settled_posts(&s.app, 2).await;
    assert!(posts.iter().all(|p| p.body["channel"] == "C0STARTED" && p.body["thread_ts"] == "1699999999.000042"));
    let updates = s.app.slack.wait_for("chat.update", 1).await;
    assert_eq!(
        updates[0].body["ts"], "1699999999.000042",
        "the started message becomes the summary"
    );
}

#[tokio::test]
async fn forged_and_altered_messages_get_403_and_post_nothing() {
    let s = setup(1).await;
    let good = s.sns.notification("forged", &event());

    let mut altered = good.clone();
    altered.message = altered.message.replace("web-latest", "web-latesu");
    assert_eq!(
        deliver(&s.app, "Notification", body(&altered))
            .await
            .status(),
        403
    );

    let mut wrong_topic = good.clone();
    wrong_topic.topic_arn = "arn:aws:sns:us-east-1:123456789012:other".into();
    assert_eq!(
        deliver(&s.app, "Notification", body(&wrong_topic))
            .await
            .status(),
        403
    );

    assert_eq!(
        deliver(&s.app, "SubscriptionConfirmation", body(&good))
            .await
            .status(),
        403
    );

    let mut foreign_cert = good.clone();
    foreign_cert.signing_cert_url =
        "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem".into();
    assert_eq!(
        deliver(&s.app, "Notification", body(&foreign_cert))
            .await
            .status(),
        403
    );

    let mut unknown_version = good.clone();
    unknown_version.signature_version = "3".into();
    assert_eq!(
        deliver(&s.app, "Notification", body(&unknown_version))
            .await
            .status(),
        403
    );

    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(s.app.slack.calls().is_empty(), "nothing posted");
    assert_eq!(
        s.sns.cert_hits.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "only our origin was asked, once"
    );
}

#[tokio::test]
async fn a_subscription_confirmation_is_confirmed_on_the_sns_host() {
    let s = setup(0).await;
    let mut msg = s.sns.notification("confirm", &event());
    msg.kind = ecrscan::http::sns::MessageType::SubscriptionConfirmation;
    msg.message = "You have chosen to subscribe to the topic.".into();
    msg.token = Some("2336412f37fb687f5d51e6e2425a8a58".into());
    msg.subject = None;
    msg.subscribe_url = Some(format!(
        "{}?Action=ConfirmSubscription&TopicArn={TOPIC}&Token=2336412f37fb687f5d51e6e2425a8a58",
        s.sns.origin
    ));
    ecrscan::http::sns::testing::sign(&mut msg, "signing-key.pem");
    let response = deliver(&s.app, "SubscriptionConfirmation", body(&msg)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        s.sns
            .confirmations
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    use ecrscan::store::AuditLog;
    let store = ecrscan::store::connect(&s.app.database_url).await.unwrap();
    let audit = store.recent_audit(5).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action.starts_with("sns:SubscriptionConfirmation")),
        "{audit:?}"
    );
}

#[tokio::test]
async fn other_events_are_acknowledged_and_post_nothing() {
    let s = setup(1).await;
    let push =
        serde_json::json!({"source": "aws.ecr", "detail-type": "ECR Image Action", "detail": {}});
    let response = deliver(
        &s.app,
        "Notification",
        body(&s.sns.notification("push", &push)),
    )
    .await;
    assert_eq!(response.status(), 200);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(s.app.slack.calls().is_empty());
}

#[tokio::test]
async fn a_burst_beyond_the_threshold_is_folded_into_one_digest() {
    let s = setup_with(
        1,
        &[
            ("ECRSCAN_DIGEST_THRESHOLD", "2"),
            ("ECRSCAN_DIGEST_WINDOW_SECS", "600"),
        ],
    )
    .await;
    for n in 0..6 {
        let tag = format!("web-{n}");
        let event = scan_event("example", DIGEST, &[&tag], "COMPLETE");
        deliver(
            &s.app,
            "Notification",
            body(&s.sns.notification(&format!("burst-{n}"), &event)),
        )
        .await;
    }
    let posts = settled_posts(&s.app, 12).await;
    let parents: Vec<_> = posts
        .iter()
        .filter(|p| p.body.get("thread_ts").is_none())
        .collect();
    assert_eq!(
        parents.len(),
        3,
        "two threads of their own, then one digest: {parents:#?}"
    );
    let digest = parents[2];
    assert!(
        digest.text().starts_with("First scans of 1 image"),
        "{}",
        digest.text()
    );
    let in_digest: Vec<_> = posts
        .iter()
        .filter(|p| p.body["thread_ts"] == digest.ts.as_str())
        .collect();
    for n in 2..6 {
        let name = format!("example:web-{n}");
        assert!(
            in_digest.iter().any(|p| p.everything().contains(&name)),
            "{name} is in the digest"
        );
    }
    // The head is refreshed once for the results that joined after it was posted.
    let updates = s.app.slack.wait_for("chat.update", 1).await;
    let head = updates.last().expect("the digest's head is refreshed");
    assert_eq!(head.body["ts"], digest.ts.as_str());
    assert!(
        head.text().starts_with("First scans of 4 images"),
        "{}",
        head.text()
    );
}
