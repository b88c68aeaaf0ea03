//! `spawn_app()` and friends: a real ecrscan on port 0, a fresh SQLite file,
//! the Slack stand-in, and signed requests exactly as Slack sends them.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ecrscan::aws::Ports;
use ecrscan::aws::{Ecr, SdkEcr, SdkEcs, SdkScheduler};
use ecrscan::config::Settings;
use ecrscan::http::slack::verify::sign;
use ecrscan::startup::Application;

use crate::moto;
use crate::slack_stub::SlackStub;

pub const SECRET: &str = "test-signing-secret";
pub const TOKEN: &str = "xoxb-test-token";
pub const TEAM: &str = "T0001";
pub const CHANNEL: &str = "C0001";
pub const USER: &str = "U0001";

/// A running ecrscan with its stand-ins.
pub struct TestApp {
    pub address: String,
    pub slack: SlackStub,
    pub http: reqwest::Client,
    pub database_url: String,
    /// The running service's state, for driving a use-case directly (a faked clock).
    pub state: ecrscan::state::AppState,
    _database: Arc<crate::databases::TestDatabase>,
}

/// ecrscan against moto, with `ECRSCAN_REPOSITORY=repository`.
pub async fn spawn_app(repository: &str) -> TestApp {
    let ecr = Arc::new(SdkEcr::new(moto::ecr_client()));
    spawn_app_with(ecr, &[("ECRSCAN_REPOSITORY", repository)]).await
}

/// ecrscan with the given ECR port, Scheduler and ECS on moto, and extra settings.
pub async fn spawn_app_with(ecr: Arc<dyn Ecr>, extra: &[(&str, &str)]) -> TestApp {
    let scheduler = Arc::new(SdkScheduler::new(moto::scheduler_client()));
    let ecs = Arc::new(SdkEcs::new(moto::ecs_client()));
    spawn_app_with_ports(Ports::single(ecr, scheduler, ecs), extra).await
}

/// ecrscan with the given AWS ports and extra settings.
pub async fn spawn_app_with_ports(ports: Ports, extra: &[(&str, &str)]) -> TestApp {
    spawn_app_on(
        SlackStub::start(TOKEN).await,
        crate::databases::sqlite(),
        ports,
        extra,
    )
    .await
}

/// ecrscan talking to an existing Slack stand-in and database (several instances share them).
pub async fn spawn_app_on(
    slack: SlackStub,
    database: crate::databases::TestDatabase,
    ports: Ports,
    extra: &[(&str, &str)],
) -> TestApp {
    let database_url = database.url.clone();
    let mut env: HashMap<String, String> = [
        ("SLACK_SIGNING_SECRET", SECRET.to_string()),
        ("SLACK_BOT_TOKEN", TOKEN.to_string()),
        ("SLACK_API_URL", slack.api_url()),
        ("DATABASE_URL", database_url.clone()),
        ("PORT", "0".to_string()),
        // The stand-in takes posts as fast as they come unless told to keep
        // Slack's pace (`SlackStub::enforce_pace`); the tests of pacing set
        // Slack's own pace of one a second.
        ("ECRSCAN_POSTS_PER_SECOND", "1000".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let settings = Settings::from_lookup(|name| env.get(name).cloned()).unwrap();
    let app = Application::build(settings, ports).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        slack,
        http: reqwest::Client::new(),
        database_url,
        state,
        _database: Arc::new(database),
    }
}

impl TestApp {
    /// The form body Slack sends for `/ecrscan <text>`. Like Slack's, each one
    /// differs from every other (by its `trigger_id`), so two commands sent
    /// within one second are two requests, not a repeat.
    pub fn command_body(&self, text: &str, team: &str) -> String {
        serde_urlencoded::to_string([
            ("token", "deprecated-verification-token"),
            ("team_id", team),
            ("team_domain", "example"),
            ("channel_id", CHANNEL),
            ("channel_name", "security"),
            ("user_id", USER),
            ("user_name", "alice"),
            ("command", "/ecrscan"),
            ("text", text),
            ("api_app_id", "A0001"),
            ("response_url", &self.slack.response_url()),
            ("trigger_id", &trigger_id()),
        ])
        .unwrap()
    }

    /// `/ecrscan <text>`, signed now with the right secret.
    pub async fn command(&self, text: &str) -> reqwest::Response {
        let body = self.command_body(text, TEAM);
        self.post_signed("/slack/commands", body.into_bytes(), now(), SECRET)
            .await
    }

    /// A `block_actions` click on `action_id` with `value`, on message `message_ts`, signed.
    pub async fn click(&self, action_id: &str, value: &str, message_ts: &str) -> reqwest::Response {
        let body = self.click_body(action_id, value, message_ts);
        self.post_signed("/slack/interactions", body.into_bytes(), now(), SECRET)
            .await
    }

    /// The form body Slack sends for a click on `action_id` with `value`.
    pub fn click_body(&self, action_id: &str, value: &str, message_ts: &str) -> String {
        let action = serde_json::json!({ "action_id": action_id, "block_id": "b", "type": "button",
                                         "value": value, "action_ts": "1700000001.000001" });
        self.actions_body(&[action], message_ts)
    }

    /// The form body of a `block_actions` payload carrying `actions`.
    pub fn actions_body(&self, actions: &[serde_json::Value], message_ts: &str) -> String {
        let payload = serde_json::json!({
            "type": "block_actions",
            "team": { "id": TEAM, "domain": "example" },
            "user": { "id": USER, "username": "alice", "team_id": TEAM },
            "api_app_id": "A0001",
            "container": { "type": "message", "message_ts": message_ts, "channel_id": CHANNEL },
            "trigger_id": trigger_id(),
            "channel": { "id": CHANNEL, "name": "security" },
            "response_url": self.slack.response_url(),
            "actions": actions,
        });
        serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap()
    }

    /// POSTs `body` signed with `secret` at `timestamp`.
    pub async fn post_signed(
        &self,
        path: &str,
        body: Vec<u8>,
        timestamp: i64,
        secret: &str,
    ) -> reqwest::Response {
        let timestamp = timestamp.to_string();
        let signature = sign(secret, &timestamp, &body);
        self.http
            .post(format!("{}{path}", self.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", timestamp)
            .header("x-slack-signature", signature)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// The ephemeral text of an immediate answer.
    pub async fn answer(response: reqwest::Response) -> serde_json::Value {
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["response_type"], "ephemeral", "{body}");
        body
    }
}

/// A `trigger_id` no other request of this run has.
fn trigger_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}.{}.3",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A repository name no other test uses.
pub fn unique_repository(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = chrono::Utc::now().timestamp_subsec_nanos();
    format!("{prefix}-{}-{nanos}-{n}", std::process::id())
}

/// Creates `repository` in moto with one image per tag; returns their digests.
pub async fn push_images(repository: &str, tags: &[&str]) -> Vec<String> {
    push_images_to(&moto::ecr_client(), repository, tags).await
}

/// [`push_images`] with `ecr` (another account or region of moto's).
pub async fn push_images_to(
    ecr: &aws_sdk_ecr::Client,
    repository: &str,
    tags: &[&str],
) -> Vec<String> {
    ecr.create_repository()
        .repository_name(repository)
        .send()
        .await
        .unwrap();
    let mut digests = Vec::new();
    for tag in tags {
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 7023,
                "digest": format!("sha256:{}", sha256_hex(&format!("{repository}{tag}"))),
            },
            "layers": [],
        });
        let output = ecr
            .put_image()
            .repository_name(repository)
            .image_tag(*tag)
            .image_manifest(manifest.to_string())
            .send()
            .await
            .unwrap();
        digests.push(
            output
                .image()
                .unwrap()
                .image_id()
                .unwrap()
                .image_digest()
                .unwrap()
                .to_string(),
        );
    }
    digests
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// Whether moto has scan findings for `repository:tag`, i.e. whether a scan was started.
pub async fn was_scanned(repository: &str, tag: &str) -> bool {
    let id = aws_sdk_ecr::types::ImageIdentifier::builder()
        .image_tag(tag)
        .build();
    moto::ecr_client()
        .describe_image_scan_findings()
        .repository_name(repository)
        .image_id(id)
        .send()
        .await
        .is_ok()
}
