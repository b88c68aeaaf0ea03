//! The buttons on scan summaries: "Rescan" and "All findings".

use std::sync::{Arc, Mutex};

use aws_sdk_ecr::types::FindingSeverity;
use ecrscan::slack::blocks::{ALL_FINDINGS_ACTION, ButtonTarget, RESCAN_ACTION};

use crate::ecr_mock::{DIGEST, cve, ecr, findings_pages, image};
use crate::helpers::{
    CHANNEL, SECRET, now, push_images, spawn_app, spawn_app_with, unique_repository,
};

fn target(repository: &str, digest: &str, tag: &str) -> String {
    let target = ButtonTarget {
        repository: repository.into(),
        digest: digest.into(),
        tag: Some(tag.into()),
    };
    target.to_value().unwrap()
}

#[tokio::test]
async fn all_findings_posts_every_finding_in_the_buttons_thread() {
    let findings = Arc::new(Mutex::new(
        (0..3).map(|n| cve(n, FindingSeverity::Medium)).collect(),
    ));
    let rules = [image(), findings_pages(findings)];
    let app = spawn_app_with(ecr(&[&rules[0], &rules[1]]), &[]).await;
    let value = target("example", DIGEST, "web-latest");
    let response = app
        .click(ALL_FINDINGS_ACTION, &value, "1700000000.000009")
        .await;
    assert_eq!(response.status(), 200);
    let posts = app.slack.wait_for("chat.postMessage", 1).await;
    assert_eq!(posts[0].body["channel"], CHANNEL);
    assert_eq!(posts[0].body["thread_ts"], "1700000000.000009");
    for n in 0..3 {
        assert!(posts[0].everything().contains(&format!("CVE-2026-{n:05}")));
    }
    app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn rescan_starts_a_scan_of_the_image() {
    let repository = unique_repository("rescan");
    let digests = push_images(&repository, &["web-latest"]).await;
    let app = spawn_app(&repository).await;
    let value = target(&repository, &digests[0], "web-latest");
    assert_eq!(
        app.click(RESCAN_ACTION, &value, "1700000000.000009")
            .await
            .status(),
        200
    );
    let posts = app.slack.wait_for("chat.postMessage", 1).await;
    assert!(
        posts[0]
            .everything()
            .contains(&format!("{repository}:web-latest")),
        "{:?}",
        posts[0]
    );
}

#[tokio::test]
async fn a_forged_click_gets_401_and_does_nothing() {
    let app = spawn_app(&unique_repository("forged-click")).await;
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/slack/slack-block-actions.form-body.txt"
    ))
    .unwrap();
    let forged = app
        .post_signed("/slack/interactions", body.clone(), now(), "wrong")
        .await;
    assert_eq!(forged.status(), 401);
    // The same real payload, properly signed: understood, and its unknown action ignored.
    let signed = app
        .post_signed("/slack/interactions", body, now(), SECRET)
        .await;
    assert_eq!(signed.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(app.slack.calls().is_empty());
}
