//! The Events API door and the App Home: the handshake, `app_home_opened`,
//! retried deliveries, and the buttons in the Home.

use ecrscan::scan::findings::{Finding, ScanKind, Severity};
use ecrscan::slack::blocks::{ButtonTarget, HOME_FINDINGS_ACTION, HOME_PAGE_ACTION, RESCAN_ACTION};
use ecrscan::store::{Jobs, ScanRecord, Threads, connect};
use serde_json::{Value, json};

use crate::helpers::{SECRET, TEAM, TestApp, USER, now, push_images, spawn_app, unique_repository};

async fn post_event(app: &TestApp, event: &Value, retry: Option<&str>, secret: &str) -> u16 {
    let body = event.to_string().into_bytes();
    let timestamp = now().to_string();
    let signature = ecrscan::http::slack::verify::sign(secret, &timestamp, &body);
    let mut request = app
        .http
        .post(format!("{}/slack/events", app.address))
        .header("content-type", "application/json")
        .header("x-slack-request-timestamp", timestamp)
        .header("x-slack-signature", signature);
    if let Some(n) = retry {
        request = request
            .header("x-slack-retry-num", n)
            .header("x-slack-retry-reason", "http_timeout");
    }
    request.body(body).send().await.unwrap().status().as_u16()
}

fn home_opened(event_id: &str, tab: &str) -> Value {
    json!({
        "token": "deprecated", "team_id": TEAM, "api_app_id": "A0001", "type": "event_callback",
        "event_id": event_id, "event_time": now(),
        "event": { "type": "app_home_opened", "user": USER, "channel": "D0001", "tab": tab,
                   "event_ts": "1700000000.000100" }
    })
}

/// Scans of `example:web-latest` (7 HIGH, then 2 CRITICAL and 2 HIGH) and of
/// `example:api-latest` (1 LOW), in the app's database.
async fn seed(app: &TestApp) {
    let store = connect(&app.database_url).await.unwrap();
    let findings = |counts: &[(Severity, usize)]| -> Vec<Finding> {
        (counts.iter())
            .flat_map(|(s, n)| (0..*n).map(move |i| Finding::new(format!("CVE-{s}-{i}"), *s)))
            .collect()
    };
    let scans = [
        ("web-latest", findings(&[(Severity::High, 7)])),
        ("api-latest", findings(&[(Severity::Low, 1)])),
        (
            "web-latest",
            findings(&[(Severity::Critical, 2), (Severity::High, 2)]),
        ),
    ];
    for (n, (tag, findings)) in scans.into_iter().enumerate() {
        let record = ScanRecord {
            repository: "example".into(),
            image_key: format!("tag:{tag}"),
            digest: format!("sha256:{n:0>64}"),
            scanned_at: 1_790_000_000 + n as i64,
            changed_at: 1_790_000_000 + n as i64,
            kind: ScanKind::Basic,
            findings,
        };
        store.save_plan(0, "{}", Some(&record)).await.unwrap();
    }
    (store.save_image_thread("example", "tag:web-latest", "C0001", "1700000000.000009"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_signed_url_verification_gets_its_challenge_and_a_forged_one_401() {
    let app = spawn_app(&unique_repository("events")).await;
    let handshake = json!({ "token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification" });
    let body = handshake.to_string().into_bytes();
    let answer = app
        .post_signed("/slack/events", body.clone(), now(), SECRET)
        .await;
    assert_eq!(answer.status(), 200);
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(
        answer["challenge"],
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );
    let forged = app.post_signed("/slack/events", body, now(), "wrong").await;
    assert_eq!(forged.status(), 401);
}

#[tokio::test]
async fn opening_the_home_publishes_one_view_worst_first_and_a_retry_publishes_nothing_more() {
    let app = spawn_app(&unique_repository("home")).await;
    seed(&app).await;
    assert_eq!(
        post_event(&app, &home_opened("Ev01", "home"), None, SECRET).await,
        200
    );
    let published = app.slack.wait_for("views.publish", 1).await;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].body["user_id"], USER);
    let view = published[0].body["view"].to_string();
    let web = view
        .find("`example:web-latest`")
        .expect("web-latest is listed");
    let api = view
        .find("`example:api-latest`")
        .expect("api-latest is listed");
    assert!(web < api, "worst first: {view}");
    assert!(view.contains(":red_circle: 2 critical · :large_orange_circle: 2 high"));
    assert!(view.contains("↑ 2 critical, ↓ 5 high"), "{view}");
    assert!(view.contains(":large_blue_circle: 1 low"));
    assert!(view.contains("archives/C0001/p1700000000000009|thread"));

    assert_eq!(
        post_event(&app, &home_opened("Ev01", "home"), Some("1"), SECRET).await,
        200
    );
    assert_eq!(
        post_event(&app, &home_opened("Ev02", "messages"), None, SECRET).await,
        200
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.slack.calls_to("views.publish").len(), 1);
    assert!(app.slack.calls_to("chat.postMessage").is_empty());
    app.slack.assert_all_within_limits();
    assert_eq!(
        post_event(&app, &home_opened("Ev03", "home"), None, "wrong").await,
        401
    );
}

/// A click in the App Home: a `view` container, no channel, no `response_url`.
fn home_click(action_id: &str, value: &str) -> String {
    let payload = json!({
        "type": "block_actions",
        "team": { "id": TEAM, "domain": "example" },
        "user": { "id": USER, "username": "alice", "team_id": TEAM },
        "api_app_id": "A0001",
        "container": { "type": "view", "view_id": "V0001" },
        "trigger_id": "1234.5678.abcd",
        "view": { "id": "V0001", "type": "home" },
        "actions": [{ "action_id": action_id, "block_id": "b", "type": "button",
                      "value": value, "action_ts": "1700000001.000001" }],
    });
    serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap()
}

#[tokio::test]
async fn findings_in_the_home_opens_the_stored_findings_in_a_modal() {
    let app = spawn_app(&unique_repository("home-findings")).await;
    seed(&app).await;
    let target = ButtonTarget {
        repository: "example".into(),
        digest: format!("sha256:{:0>64}", 2),
        tag: Some("web-latest".into()),
    };
    let body = home_click(HOME_FINDINGS_ACTION, &target.to_value().unwrap());
    let answer = app
        .post_signed("/slack/interactions", body.into_bytes(), now(), SECRET)
        .await;
    assert_eq!(answer.status(), 200);
    let opened = app.slack.wait_for("views.open", 1).await;
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].body["trigger_id"], "1234.5678.abcd");
    assert_eq!(opened[0].body["view"]["type"], "modal");
    assert!(
        opened[0].body["view"]
            .to_string()
            .contains("CVE-CRITICAL-0")
    );
    app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn rescan_in_the_home_starts_a_scan_and_tells_the_user_in_the_messages_tab() {
    let repository = unique_repository("home-rescan");
    let digests = push_images(&repository, &["web-latest"]).await;
    let app = spawn_app(&repository).await;
    let target = ButtonTarget {
        repository: repository.clone(),
        digest: digests[0].clone(),
        tag: Some("web-latest".into()),
    };
    let body = home_click(RESCAN_ACTION, &target.to_value().unwrap());
    let timestamp = now();
    let answer = app
        .post_signed(
            "/slack/interactions",
            body.clone().into_bytes(),
            timestamp,
            SECRET,
        )
        .await;
    assert_eq!(answer.status(), 200);
    let posts = app.slack.wait_for("chat.postMessage", 1).await;
    assert_eq!(posts[0].body["channel"], USER, "the user's Messages tab");
    assert!(
        posts[0]
            .everything()
            .contains(&format!("{repository}:web-latest"))
    );
    assert!(crate::helpers::was_scanned(&repository, "web-latest").await);
    // Its result is threaded in that direct message, by the id Slack gave it
    // (which `chat.update` needs), not by the user's id.
    let store = connect(&app.database_url).await.unwrap();
    let request = store.scan_request(&repository, &digests[0]).await.unwrap();
    let request = request.expect("the scan's thread is recorded");
    assert_eq!(request.channel, format!("D{}", &USER[1..]));
    assert_eq!(request.ts, posts[0].ts);
    // The same signed click again runs nothing, as for the summary's buttons.
    let again = app
        .post_signed("/slack/interactions", body.into_bytes(), timestamp, SECRET)
        .await;
    assert_eq!(again.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.slack.calls_to("chat.postMessage").len(), 1);
}

#[tokio::test]
async fn schedule_weekly_in_the_home_creates_the_schedule_and_republishes_the_home() {
    let (app, group) = crate::schedules::spawn(&[]).await;
    seed(&app).await;
    let target = ButtonTarget {
        repository: "example".into(),
        digest: format!("sha256:{:0>64}", 2),
        tag: Some("web-latest".into()),
    };
    let body = home_click(
        ecrscan::slack::blocks::SCHEDULE_WEEKLY_ACTION,
        &target.to_value().unwrap(),
    );

    let answer = app
        .post_signed("/slack/interactions", body.into_bytes(), now(), SECRET)
        .await;

    assert_eq!(answer.status(), 200);
    let published = app.slack.wait_for("views.publish", 1).await;
    assert_eq!(published.len(), 1, "the Home is republished");
    assert_eq!(published[0].body["user_id"], USER);
    let names = crate::schedules::names_in(&group).await;
    assert_eq!(
        names,
        [ecrscan::schedule::schedule_name("example", "web-latest")],
        "one weekly schedule for the image"
    );
    let view = published[0].body["view"].to_string();
    assert!(view.contains("example:web-latest"), "{view}");
}

#[tokio::test]
async fn show_more_in_the_home_publishes_the_page_it_names() {
    let app = spawn_app("example").await;
    seed(&app).await;
    let body = home_click(&format!("{HOME_PAGE_ACTION}_1"), "1");

    let answer = app
        .post_signed("/slack/interactions", body.into_bytes(), now(), SECRET)
        .await;

    assert_eq!(answer.status(), 200);
    let published = app.slack.wait_for("views.publish", 1).await;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].body["user_id"], USER);
    // Two images fit one page: page 1 is past the end, so the last page shows.
    let view = published[0].body["view"].to_string();
    assert!(
        view.contains("example:web-latest") && view.contains("example:api-latest"),
        "{view}"
    );
}
