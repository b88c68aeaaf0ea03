//! What users see for each command and each mistake, before any AWS work.

use crate::helpers::{
    TestApp, push_images, spawn_app, spawn_app_with, unique_repository, was_scanned,
};
use crate::moto;

#[tokio::test]
async fn help_shows_every_command_with_examples() {
    let app = spawn_app(&unique_repository("help")).await;
    let body = TestApp::answer(app.command("help").await).await.to_string();
    for word in ["now", "findings", "schedule", "subscribe", "help"] {
        assert!(
            body.contains(&format!("/ecrscan {word}")),
            "help lacks {word}: {body}"
        );
    }
}

#[tokio::test]
async fn an_unknown_command_is_named_and_the_closest_suggested() {
    let app = spawn_app(&unique_repository("unknown")).await;
    let body = TestApp::answer(app.command("scna web-latest").await)
        .await
        .to_string();
    assert!(body.contains("scna"), "{body}");
    assert!(body.contains("scan") || body.contains("now"), "{body}");
}

#[tokio::test]
async fn a_malformed_image_gets_the_right_form_and_starts_nothing() {
    let repository = unique_repository("malformed");
    push_images(&repository, &["web-latest"]).await;
    let app = spawn_app(&repository).await;
    for text in ["now", "now Web Latest!", "findings", "now repo@sha256:xyz"] {
        let body = TestApp::answer(app.command(text).await).await.to_string();
        assert!(body.contains(":warning:"), "{text}: {body}");
        assert!(
            body.contains("/ecrscan"),
            "{text} shows the right form: {body}"
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(app.slack.calls().is_empty());
    assert!(
        !was_scanned(&repository, "web-latest").await,
        "no scan was started"
    );
}

#[tokio::test]
async fn a_bare_tag_without_a_default_repository_explains_both_ways_out() {
    let ecr = std::sync::Arc::new(ecrscan::aws::SdkEcr::new(moto::ecr_client()));
    let app = spawn_app_with(ecr, &[]).await;
    let body = TestApp::answer(app.command("now web-latest").await)
        .await
        .to_string();
    assert!(
        body.contains("REPO:TAG") && body.contains("ECRSCAN_REPOSITORY"),
        "{body}"
    );
}

#[tokio::test]
async fn words_a_user_typed_are_echoed_escaped_mentioning_no_one() {
    let app = spawn_app(&unique_repository("echo")).await;
    for text in [
        "<!everyone> now",
        "now <@U0BOSS>",
        "schedule <!subteam^S0TEAM|team> web-latest",
        "subscribe x min=<http://evil.test|click>",
        "ab`c<!here>",
    ] {
        let body = TestApp::answer(app.command(text).await).await.to_string();
        assert!(body.contains(":warning:"), "{text}: {body}");
        assert!(
            !body.contains('<'),
            "{text}: Slack would parse part of {body}"
        );
        assert!(body.contains("&lt;"), "{text}: shown as typed: {body}");
    }
}
