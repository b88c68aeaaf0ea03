//! A signed Slack request sent again within its five minutes: a command or a
//! click that changes something runs once; the repeat is told so.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_ecr::types::FindingSeverity;
use ecrscan::slack::blocks::{ALL_FINDINGS_ACTION, ButtonTarget, RESCAN_ACTION};
use ecrscan::store::{AuditLog, Subscriptions};

use crate::ecr_mock::{DIGEST, cve, ecr, findings_pages, image};
use crate::helpers::{
    SECRET, TEAM, TestApp, now, push_images, spawn_app, spawn_app_with, unique_repository,
};

/// POSTs `body` to `path` twice, signed once: the same bytes, the same headers.
async fn twice(app: &TestApp, path: &str, body: &str) -> (reqwest::Response, reqwest::Response) {
    let at = now();
    let first = app
        .post_signed(path, body.as_bytes().to_vec(), at, SECRET)
        .await;
    let again = app
        .post_signed(path, body.as_bytes().to_vec(), at, SECRET)
        .await;
    (first, again)
}

/// Waits for background work to finish, then returns how many Slack calls were made.
async fn settled_calls(app: &TestApp) -> usize {
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.slack.calls().len()
}

async fn says_it_was_a_repeat(response: reqwest::Response) {
    let answer = TestApp::answer(response).await.to_string();
    assert!(answer.contains("repeat"), "{answer}");
}

async fn store(app: &TestApp) -> ecrscan::store::SqlStore {
    ecrscan::store::connect(&app.database_url).await.unwrap()
}

#[tokio::test]
async fn a_replayed_subscribe_does_not_bring_back_a_removed_subscription() {
    let app = spawn_app(&unique_repository("replay-sub")).await;
    let subscribe = app.command_body("subscribe example:web-*", TEAM);
    let at = now();
    let first = app
        .post_signed(
            "/slack/commands",
            subscribe.clone().into_bytes(),
            at,
            SECRET,
        )
        .await;
    assert!(
        TestApp::answer(first)
            .await
            .to_string()
            .contains("Subscribed")
    );
    TestApp::answer(app.command("unsubscribe example:web-*").await).await;
    let announced = settled_calls(&app).await;

    let replay = app
        .post_signed("/slack/commands", subscribe.into_bytes(), at, SECRET)
        .await;
    says_it_was_a_repeat(replay).await;
    assert!(
        store(&app)
            .await
            .subscriptions(None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(settled_calls(&app).await, announced, "nothing announced");
}

#[tokio::test]
async fn a_replayed_unsubscribe_leaves_the_new_subscription_alone() {
    let app = spawn_app(&unique_repository("replay-unsub")).await;
    TestApp::answer(app.command("subscribe example:web-*").await).await;
    let unsubscribe = app.command_body("unsubscribe example:web-*", TEAM);
    let at = now();
    let first = app
        .post_signed(
            "/slack/commands",
            unsubscribe.clone().into_bytes(),
            at,
            SECRET,
        )
        .await;
    TestApp::answer(first).await;
    TestApp::answer(app.command("subscribe example:web-*").await).await;

    let replay = app
        .post_signed("/slack/commands", unsubscribe.into_bytes(), at, SECRET)
        .await;
    says_it_was_a_repeat(replay).await;
    assert_eq!(
        store(&app).await.subscriptions(None).await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn a_replayed_now_starts_no_second_scan() {
    let repository = unique_repository("replay-now");
    push_images(&repository, &["web-latest"]).await;
    let app = spawn_app(&repository).await;
    let body = app.command_body("now web-latest", TEAM);
    let at = now();
    let first = app
        .post_signed("/slack/commands", body.clone().into_bytes(), at, SECRET)
        .await;
    TestApp::answer(first).await;
    app.slack.wait_for("chat.postMessage", 1).await;
    let calls = settled_calls(&app).await;

    let replay = app
        .post_signed("/slack/commands", body.into_bytes(), at, SECRET)
        .await;
    says_it_was_a_repeat(replay).await;
    assert_eq!(settled_calls(&app).await, calls, "no scan, no message");
}

#[tokio::test]
async fn a_replay_with_the_signature_in_capitals_is_still_a_repeat() {
    let app = spawn_app(&unique_repository("replay-case")).await;
    let body = app.command_body("subscribe example:web-*", TEAM);
    let at = now().to_string();
    let signature = ecrscan::http::slack::verify::sign(SECRET, &at, body.as_bytes());
    let mut answers = Vec::new();
    for signature in [
        signature.clone(),
        format!("v0={}", signature[3..].to_uppercase()),
    ] {
        let response = app
            .http
            .post(format!("{}/slack/commands", app.address))
            .header("x-slack-request-timestamp", &at)
            .header("x-slack-signature", signature)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        answers.push(TestApp::answer(response).await.to_string());
    }
    assert!(answers[0].contains("Subscribed"), "{}", answers[0]);
    assert!(answers[1].contains("repeat"), "{}", answers[1]);
}

#[tokio::test]
async fn a_replayed_click_rescans_once_and_the_click_is_audited() {
    let repository = unique_repository("replay-click");
    let digests = push_images(&repository, &["web-latest"]).await;
    let app = spawn_app(&repository).await;
    let target = ButtonTarget {
        repository: repository.clone(),
        digest: digests[0].clone(),
        tag: Some("web-latest".into()),
    };
    let body = app.click_body(
        RESCAN_ACTION,
        &target.to_value().unwrap(),
        "1700000000.000009",
    );
    let (first, replay) = twice(&app, "/slack/interactions", &body).await;
    assert_eq!(first.status(), 200);
    assert_eq!(replay.status(), 200);
    assert!(replay.text().await.unwrap().contains("repeat"));
    app.slack.wait_for("chat.postMessage", 1).await;
    settled_calls(&app).await;
    assert_eq!(
        app.slack.calls_to("chat.postMessage").len(),
        1,
        "one scan started"
    );

    let audit = store(&app).await.recent_audit(10).await.unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert!(
        audit[0].action.contains("Rescan") && audit[0].action.contains(&repository),
        "{audit:?}"
    );
}

#[tokio::test]
async fn one_payload_runs_at_most_five_actions() {
    let findings = (0..3).map(|n| cve(n, FindingSeverity::Medium)).collect();
    let rules = [image(), findings_pages(Arc::new(Mutex::new(findings)))];
    let app = spawn_app_with(ecr(&[&rules[0], &rules[1]]), &[]).await;
    let actions: Vec<serde_json::Value> = (0..20)
        .map(|n| {
            let target = ButtonTarget {
                repository: "example".into(),
                digest: DIGEST.into(),
                tag: Some(format!("web-{n}")),
            };
            serde_json::json!({ "action_id": ALL_FINDINGS_ACTION, "block_id": "b",
                                "type": "button", "value": target.to_value().unwrap(),
                                "action_ts": "1700000001.000001" })
        })
        .collect();
    let body = app.actions_body(&actions, "1700000000.000009");
    let response = app
        .post_signed("/slack/interactions", body.into_bytes(), now(), SECRET)
        .await;
    assert_eq!(response.status(), 200);
    app.slack.wait_for("chat.postMessage", 5).await;
    settled_calls(&app).await;
    assert_eq!(app.slack.calls_to("chat.postMessage").len(), 5);
    let audit = store(&app).await.recent_audit(10).await.unwrap();
    assert!(audit[0].action.contains("15 more ignored"), "{audit:?}");
}

#[tokio::test]
async fn read_only_commands_leave_no_audit_row_and_changes_do() {
    let app = spawn_app(&unique_repository("read-only")).await;
    for text in ["help", "findings web-latest", "schedules", "subscriptions"] {
        TestApp::answer(app.command(text).await).await;
    }
    settled_calls(&app).await;
    let store = store(&app).await;
    assert_eq!(store.recent_audit(10).await.unwrap(), vec![]);

    TestApp::answer(app.command("subscribe example:web-*").await).await;
    let actions: Vec<String> = store
        .recent_audit(10)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    assert!(
        actions.contains(&"/ecrscan subscribe example:web-*".to_string()),
        "{actions:?}"
    );
}
