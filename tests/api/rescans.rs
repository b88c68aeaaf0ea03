//! Quiet rescans: a rescan posts what changed, nothing when nothing did; a
//! registry-wide rescan gives the channel a few messages that name what
//! matters; posts to one channel keep Slack's pace without holding others.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_ecr::types::{FindingSeverity, ImageScanFinding};
use ecrscan::scan::findings::{Finding, Severity};
use ecrscan::store::{Jobs, ScanRecord, Subscription, Subscriptions, Threads, connect};

use crate::ecr_mock::{cve, ecr, findings_by_digest, image};
use crate::helpers::{TestApp, spawn_app_with};
use crate::slack_stub::{Call, as_updated, visible};
use crate::sns::{RESULTS, deliver, event, settled_posts, setup};
use crate::sns_harness::{SnsOrigin, TOPIC, body, scan_event};

type ByDigest = Arc<Mutex<HashMap<String, Vec<ImageScanFinding>>>>;

fn digest_of(i: usize) -> String {
    format!("sha256:{i:064x}")
}

/// The findings every image of the registry has: three HIGH ones (as ECR
/// answers them, and as the scan history keeps them).
fn base() -> Vec<ImageScanFinding> {
    (0..3).map(|n| cve(n, FindingSeverity::High)).collect()
}

/// ecrscan with ECR answering each digest with its own findings.
async fn registry(extra: &[(&str, &str)]) -> (TestApp, SnsOrigin, ByDigest) {
    let sns = SnsOrigin::start().await;
    let by_digest: ByDigest = Arc::default();
    let rules = [image(), findings_by_digest(by_digest.clone())];
    let origin = sns.origin.as_str().trim_end_matches('/').to_string();
    let mut settings = vec![
        ("ECRSCAN_REPOSITORY", "example"),
        ("ECRSCAN_CHANNEL", RESULTS),
        ("ECRSCAN_SNS_TOPIC_ARNS", TOPIC),
        ("ECRSCAN_INSECURE_SNS_CERT_ORIGIN", origin.as_str()),
    ];
    settings.extend_from_slice(extra);
    let app = spawn_app_with(ecr(&[&rules[0], &rules[1]]), &settings).await;
    (app, sns, by_digest)
}

/// Records what an earlier scan of `example:reg-NNN` left behind: its thread
/// in the results channel, and its findings in the scan history.
async fn scanned_before(app: &TestApp, images: usize) {
    let store = connect(&app.database_url).await.unwrap();
    let findings: Vec<Finding> = (0..3)
        .map(|n| Finding {
            package: Some(format!("pkg{n}")),
            version: Some("1.0.0".into()),
            cvss: Some(7.5),
            ..Finding::new(format!("CVE-2026-{n:05}"), Severity::High)
        })
        .collect();
    for i in 0..images {
        let key = format!("tag:reg-{i:03}");
        let ts = format!("1600000000.{i:06}");
        store
            .save_image_thread("example", &key, RESULTS, &ts)
            .await
            .unwrap();
        let record = ScanRecord {
            repository: "example".into(),
            image_key: key,
            digest: digest_of(i),
            scanned_at: 1_790_000_000,
            changed_at: 1_780_000_000,
            kind: ecrscan::scan::findings::ScanKind::Basic,
            findings: findings.clone(),
        };
        store.save_plan(0, "{}", Some(&record)).await.unwrap();
    }
}

/// Scan results for `example:reg-000` and on, one per image.
async fn scan_results(app: &TestApp, sns: &SnsOrigin, images: usize) {
    for i in 0..images {
        let tag = format!("reg-{i:03}");
        let event = scan_event("example", &digest_of(i), &[&tag], "COMPLETE");
        let notification = sns.notification(&format!("rescan-{i}"), &event);
        let response = deliver(app, "Notification", body(&notification)).await;
        assert_eq!(response.status(), 200);
    }
}

/// Waits until `updates` summaries were refreshed and nothing moved for longer
/// than a digest's head waits to be refreshed.
async fn settled(app: &TestApp, updates: usize) -> (Vec<Call>, Vec<Call>) {
    app.slack.wait_for("chat.update", updates).await;
    let mut seen = 0;
    loop {
        tokio::time::sleep(Duration::from_millis(3500)).await;
        let calls = app.slack.calls().len();
        if calls == seen {
            break;
        }
        seen = calls;
    }
    (
        app.slack.calls_to("chat.postMessage"),
        app.slack.calls_to("chat.update"),
    )
}

#[tokio::test]
async fn an_unchanged_rescan_of_a_tag_posts_nothing_and_refreshes_its_summary() {
    let s = setup(5).await;
    let first = s.sns.notification("scan-1", &event());
    deliver(&s.app, "Notification", body(&first)).await;
    let opened = settled_posts(&s.app, 2).await;
    assert_eq!(opened.len(), 2, "a summary and the details");

    let again = s.sns.notification("scan-2", &event());
    deliver(&s.app, "Notification", body(&again)).await;
    let updates = s.app.slack.wait_for("chat.update", 1).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    assert_eq!(
        s.app.slack.calls_to("chat.postMessage").len(),
        2,
        "no new message"
    );
    let updates: Vec<&Call> = updates.iter().collect();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].body["ts"], opened[0].ts.as_str());
    let summary = updates[0].everything();
    assert!(summary.contains("*unchanged since*"), "{summary}");
    assert!(
        summary.contains("unchanged since the previous scan"),
        "{summary}"
    );
    s.app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn a_rescan_of_200_images_with_2_new_criticals_gives_at_most_3_visible_messages() {
    let (app, sns, by_digest) = registry(&[]).await;
    scanned_before(&app, 200).await;
    {
        let mut by_digest = by_digest.lock().unwrap();
        for i in 0..200 {
            by_digest.insert(digest_of(i), base());
        }
        for (i, n) in [(17, 9017), (123, 9123)] {
            let findings = by_digest.get_mut(&digest_of(i)).unwrap();
            findings.push(cve(n, FindingSeverity::Critical));
        }
    }

    scan_results(&app, &sns, 200).await;
    let (posts, updates) = settled(&app, 200).await;

    let visible = visible(&posts);
    assert!(
        visible.len() <= 3,
        "{} visible: {visible:#?}",
        visible.len()
    );
    // What each visible message says now: its last update, if it had any.
    let said = as_updated(&visible, &updates);
    for (image, cve) in [
        ("example:reg-017", "CVE-2026-09017"),
        ("example:reg-123", "CVE-2026-09123"),
    ] {
        assert!(
            said.contains(cve) && said.contains(image),
            "{cve} of {image} is named"
        );
    }
    for post in &posts {
        let everything = post.everything();
        for n in 0..3 {
            let unchanged = format!("CVE-2026-{n:05}");
            assert!(
                !everything.contains(&unchanged),
                "no message lists an unchanged finding again: {everything}"
            );
        }
    }
    let replies: Vec<&Call> = posts
        .iter()
        .filter(|p| p.body.get("thread_ts").is_some())
        .collect();
    assert_eq!(
        replies.len(),
        2,
        "one reply in each changed image's thread: {replies:#?}"
    );
    assert_eq!(replies[0].body["thread_ts"], "1600000000.000017");
    assert_eq!(replies[1].body["thread_ts"], "1600000000.000123");
    let summaries: std::collections::HashSet<&str> = (updates.iter())
        .filter_map(|u| u.body["ts"].as_str())
        .filter(|ts| ts.starts_with("1600000000."))
        .collect();
    assert_eq!(summaries.len(), 200, "every image's summary is refreshed");
    let head = visible.iter().find(|p| p.body.get("thread_ts").is_none());
    let head = head.expect("the digest's head");
    let refreshed: Vec<&Call> = updates
        .iter()
        .filter(|u| u.body["ts"] == head.ts.as_str())
        .collect();
    let last = refreshed.last().map_or(head.text(), |u| u.text());
    assert!(
        last.contains("195 images"),
        "the head counts the burst: {last}"
    );
    app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn posts_keep_slacks_pace_in_a_busy_channel_and_another_channel_is_not_held() {
    let slacks_pace = [
        ("ECRSCAN_DIGEST_THRESHOLD", "100"),
        ("ECRSCAN_POSTS_PER_SECOND", "1"),
    ];
    let (app, sns, by_digest) = registry(&slacks_pace).await;
    app.slack.enforce_pace();
    let many: Vec<ImageScanFinding> = (0..400).map(|n| cve(n, FindingSeverity::Medium)).collect();
    for i in 0..4 {
        by_digest.lock().unwrap().insert(digest_of(i), many.clone());
    }
    let store = connect(&app.database_url).await.unwrap();
    let other = Subscription {
        channel: "C0OTHER".into(),
        pattern: "example:other".into(),
        min_severity: Severity::Undefined,
        created_by: "U1".into(),
    };
    store.subscribe(&other).await.unwrap();
    // Three first scans for the results channel: a summary and two replies each.
    scan_results(&app, &sns, 3).await;
    app.slack.wait_for("chat.postMessage", 3).await;
    // Then one for another channel.
    let event = scan_event("example", &digest_of(3), &["other"], "COMPLETE");
    deliver(
        &app,
        "Notification",
        body(&sns.notification("other-1", &event)),
    )
    .await;

    let posts = settled_posts(&app, 12).await;
    let to = |channel: &str| -> Vec<&Call> {
        posts
            .iter()
            .filter(|p| p.body["channel"] == channel)
            .collect()
    };
    assert_eq!(
        app.slack.rate_limited(),
        0,
        "no post went faster than the pace"
    );
    let busy = to(RESULTS);
    let quiet = to("C0OTHER");
    assert_eq!(busy.len(), 9, "{busy:#?}");
    assert_eq!(quiet.len(), 3, "{quiet:#?}");
    let order = |call: &Call| posts.iter().position(|p| p.ts == call.ts).unwrap();
    assert!(
        order(quiet[2]) < order(busy[busy.len() - 3]),
        "the other channel did not wait for the busy channel's backlog"
    );
}
