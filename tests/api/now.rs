//! `/ecrscan now`: a scan in AWS, one message in the channel, the thread remembered.

use ecrscan::store::Threads;

use crate::helpers::{CHANNEL, TestApp, USER, push_images, spawn_app, unique_repository};
use crate::moto;

#[tokio::test]
async fn now_starts_a_scan_and_posts_once_in_the_channel() {
    let repository = unique_repository("now");
    let digests = push_images(&repository, &["web-latest", "proxy-latest"]).await;
    let app = spawn_app(&repository).await;

    let body = TestApp::answer(app.command("now web-latest").await)
        .await
        .to_string();
    assert!(body.contains(&format!("{repository}:web-latest")), "{body}");

    let posts = app.slack.wait_for("chat.postMessage", 1).await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].body["channel"], CHANNEL);
    let text = posts[0].everything();
    assert!(text.contains(&format!("{repository}:web-latest")), "{text}");
    assert!(text.contains(&digests[0][..19]), "short digest: {text}");
    assert!(text.contains(&format!("<@{USER}>")), "{text}");

    // The scan is in moto: a second one the same day is refused there.
    let again = moto::ecr_client()
        .start_image_scan()
        .repository_name(&repository)
        .image_id(
            aws_sdk_ecr::types::ImageIdentifier::builder()
                .image_tag("web-latest")
                .build(),
        )
        .send()
        .await;
    assert!(again.is_err(), "the scan was recorded in ECR");

    // The result will be threaded under the message just posted.
    let store = ecrscan::store::connect(&app.database_url).await.unwrap();
    let thread = store
        .scan_request(&repository, &digests[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(thread.channel, CHANNEL);
    assert_eq!(thread.ts, "1700000000.000001");
    assert!(
        app.slack.calls_to("response_url").is_empty(),
        "no error was reported"
    );
    app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn a_second_scan_within_a_day_says_so_and_shows_the_latest_findings() {
    let repository = unique_repository("twice");
    push_images(&repository, &["web-latest"]).await;
    let app = spawn_app(&repository).await;
    app.command("now web-latest").await;
    app.slack.wait_for("chat.postMessage", 1).await;

    app.command("now web-latest").await;
    let answers = app.slack.wait_for("response_url", 2).await;
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert!(
        answers[0].text().contains("24 hours"),
        "{}",
        answers[0].text()
    );
    assert!(
        answers[0].text().contains("last scanned"),
        "{}",
        answers[0].text()
    );
    assert!(
        answers[1].everything().contains("CVE-9999-9999"),
        "{}",
        answers[1].everything()
    );
    assert_eq!(
        app.slack.calls_to("chat.postMessage").len(),
        1,
        "no second 'scan started'"
    );
    app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn an_unknown_tag_is_named_with_the_closest_tags() {
    let repository = unique_repository("typo");
    push_images(&repository, &["web-latest", "proxy-latest", "db-1"]).await;
    let app = spawn_app(&repository).await;
    app.command("now web-latst").await;
    let answers = app.slack.wait_for("response_url", 1).await;
    let text = answers[0].text();
    assert!(text.contains("`web-latst`"), "{text}");
    assert!(text.contains(&format!("{repository}:web-latest")), "{text}");
    assert!(app.slack.calls_to("chat.postMessage").is_empty());
}

#[tokio::test]
async fn an_unknown_repository_is_named() {
    let app = spawn_app("unused").await;
    app.command("now no-such-repository:web-latest").await;
    let answers = app.slack.wait_for("response_url", 1).await;
    assert!(
        answers[0].text().contains("`no-such-repository`"),
        "{}",
        answers[0].text()
    );
}

#[tokio::test]
async fn a_channel_the_bot_is_not_in_gets_an_invitation_hint() {
    let repository = unique_repository("private");
    push_images(&repository, &["web-latest"]).await;
    let app = spawn_app(&repository).await;
    app.slack.refuse_channel(CHANNEL);
    app.command("now web-latest").await;
    let answers = app.slack.wait_for("response_url", 1).await;
    assert!(
        answers[0].text().contains("/invite @ecrscan"),
        "{}",
        answers[0].text()
    );
}
