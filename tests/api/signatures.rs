//! Every Slack request is verified before anything else happens.

use ecrscan::store::AuditLog;

use crate::helpers::{
    SECRET, TEAM, TestApp, now, push_images, spawn_app, spawn_app_with, unique_repository,
    was_scanned,
};
use crate::moto;

async fn app() -> TestApp {
    spawn_app(&unique_repository("sig")).await
}

#[tokio::test]
async fn a_signed_help_command_is_answered_at_once() {
    let app = app().await;
    let body = TestApp::answer(app.command("help").await).await;
    let text = body.to_string();
    assert!(text.contains("/ecrscan now"), "{text}");
}

#[tokio::test]
async fn a_tampered_body_gets_401() {
    let app = app().await;
    let body = app.command_body("help", TEAM);
    let timestamp = now().to_string();
    let signature = ecrscan::http::slack::verify::sign(SECRET, &timestamp, body.as_bytes());
    let tampered = body.replace("text=help", "text=now+web-latest");
    let response = app
        .http
        .post(format!("{}/slack/commands", app.address))
        .header("x-slack-request-timestamp", timestamp)
        .header("x-slack-signature", signature)
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_wrong_secret_gets_401() {
    let app = app().await;
    let body = app.command_body("help", TEAM).into_bytes();
    let response = app
        .post_signed("/slack/commands", body, now(), "not-the-secret")
        .await;
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn stale_and_future_timestamps_get_401() {
    let app = app().await;
    for skew in [-301, 301, -86_400] {
        let body = app.command_body("help", TEAM).into_bytes();
        let response = app
            .post_signed("/slack/commands", body, now() + skew, SECRET)
            .await;
        assert_eq!(response.status(), 401, "skew {skew}");
    }
}

#[tokio::test]
async fn missing_signature_headers_get_401() {
    let app = app().await;
    let body = app.command_body("help", TEAM);
    let url = format!("{}/slack/commands", app.address);
    let no_headers = app.http.post(&url).body(body.clone()).send().await.unwrap();
    assert_eq!(no_headers.status(), 401);
    let only_timestamp = app
        .http
        .post(&url)
        .header("x-slack-request-timestamp", now().to_string())
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(only_timestamp.status(), 401);
}

#[tokio::test]
async fn another_workspace_gets_403_when_a_team_is_set() {
    let ecr = std::sync::Arc::new(ecrscan::aws::SdkEcr::new(moto::ecr_client()));
    let app = spawn_app_with(ecr, &[("SLACK_TEAM_ID", TEAM)]).await;
    let body = app.command_body("help", "T0OTHER").into_bytes();
    let response = app
        .post_signed("/slack/commands", body, now(), SECRET)
        .await;
    assert_eq!(response.status(), 403);
    let ours = app.command_body("help", TEAM).into_bytes();
    assert_eq!(
        app.post_signed("/slack/commands", ours, now(), SECRET)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn bodies_over_one_mebibyte_get_413() {
    let app = app().await;
    let body = vec![b'a'; 1024 * 1024 + 1];
    let response = app
        .post_signed("/slack/commands", body, now(), SECRET)
        .await;
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn a_forged_scan_command_changes_nothing() {
    let repository = unique_repository("forged");
    push_images(&repository, &["web-latest"]).await;
    let app = spawn_app(&repository).await;
    let body = app.command_body("now web-latest", TEAM).into_bytes();
    let response = app
        .post_signed("/slack/commands", body, now(), "forged")
        .await;
    assert_eq!(response.status(), 401);

    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(app.slack.calls().is_empty(), "nothing is posted");
    let store = ecrscan::store::connect(&app.database_url).await.unwrap();
    assert!(
        store.recent_audit(10).await.unwrap().is_empty(),
        "nothing is audited"
    );
    assert!(
        !was_scanned(&repository, "web-latest").await,
        "no scan was started"
    );
}
