//! `subscribe`, `unsubscribe`, `subscriptions`, and results routed by them.

use aws_sdk_ecr::types::FindingSeverity;
use ecrscan::store::Subscriptions;

use crate::ecr_mock::cve;
use crate::helpers::{CHANNEL, TestApp, spawn_app, spawn_app_with, unique_repository};
use crate::moto;
use crate::sns::{RESULTS, deliver, event, settled_posts, setup};

#[tokio::test]
async fn subscribing_is_announced_and_listed_and_unsubscribing_too() {
    let app = spawn_app(&unique_repository("subs")).await;
    let answer = TestApp::answer(app.command("subscribe example:web-* min=high").await).await;
    assert!(answer.to_string().contains("Subscribed"), "{answer}");
    let posts = app.slack.wait_for("chat.postMessage", 1).await;
    assert_eq!(posts[0].body["channel"], CHANNEL);
    assert!(
        posts[0].text().contains("example:web-*") && posts[0].text().contains("HIGH and above")
    );

    let list = TestApp::answer(app.command("subscriptions").await)
        .await
        .to_string();
    assert!(
        list.contains("example:web-*") && list.contains("HIGH and above"),
        "{list}"
    );

    let missing = TestApp::answer(app.command("unsubscribe example:proxy").await)
        .await
        .to_string();
    assert!(
        missing.contains("no subscription") && missing.contains("example:web-*"),
        "{missing}"
    );

    TestApp::answer(app.command("unsubscribe example:web-*").await).await;
    let posts = app.slack.wait_for("chat.postMessage", 2).await;
    assert!(
        posts[1].text().contains("unsubscribed"),
        "{}",
        posts[1].text()
    );
    let list = TestApp::answer(app.command("subscriptions").await)
        .await
        .to_string();
    assert!(list.contains("no subscriptions"), "{list}");
}

#[tokio::test]
async fn only_admins_may_subscribe_when_admins_are_named() {
    let ecr = std::sync::Arc::new(ecrscan::aws::SdkEcr::new(moto::ecr_client()));
    let app = spawn_app_with(ecr, &[("ECRSCAN_ADMINS", "U0ADMIN")]).await;
    let answer = TestApp::answer(app.command("subscribe example").await)
        .await
        .to_string();
    assert!(
        answer.contains("<@U0ADMIN>"),
        "the refusal says who may: {answer}"
    );
    let store = ecrscan::store::connect(&app.database_url).await.unwrap();
    assert!(store.subscriptions(None).await.unwrap().is_empty());
    assert!(app.slack.calls().is_empty());
}

#[tokio::test]
async fn results_go_to_subscribed_channels_from_their_minimum_severity() {
    let s = setup(2).await;
    s.findings
        .lock()
        .unwrap()
        .push(cve(777, FindingSeverity::Low));
    TestApp::answer(s.app.command("subscribe example:web-* min=high").await).await;
    s.app.slack.wait_for("chat.postMessage", 1).await;

    deliver(
        &s.app,
        "Notification",
        crate::sns_harness::body(&s.sns.notification("routed", &event())),
    )
    .await;
    let posts = settled_posts(&s.app, 3).await;
    let results = &posts[1..];
    assert!(
        results.iter().all(|p| p.body["channel"] == CHANNEL),
        "only the subscribed channel"
    );
    assert!(!results.iter().any(|p| p.body["channel"] == RESULTS));
    let all: String = results.iter().map(|p| p.everything()).collect();
    assert!(all.contains("CVE-2026-00001"), "{all}");
    assert!(
        !all.contains("CVE-2026-00777"),
        "LOW is below the channel's minimum"
    );
}
