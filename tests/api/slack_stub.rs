//! A local stand-in for Slack's Web API and `response_url`s. It answers as Slack
//! documents, records every call, and checks every message against Slack's limits.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use slack_morphism::prelude::{SlackMessageContent, SlackView};

/// One call the stand-in received.
#[derive(Debug, Clone)]
pub struct Call {
    /// `chat.postMessage`, `chat.update`, or `response_url`.
    pub method: String,
    pub body: Value,
    /// The `ts` of the message, for posts.
    pub ts: String,
}

/// A failure the stand-in answers the next `chat.postMessage` with.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// This HTTP status; the message is not taken.
    Status(u16),
    /// 429 with `Retry-After` in seconds; the message is not taken.
    RateLimited(u64),
    /// The message is taken, but the answer is this HTTP status (a lost answer).
    TakenThenStatus(u16),
    /// `{"ok": false, "error": code}`; the message is not taken.
    Error(&'static str),
}

/// The messages people see in the channel: top-level ones and broadcast replies.
pub fn visible(posts: &[Call]) -> Vec<&Call> {
    posts
        .iter()
        .filter(|p| p.body.get("thread_ts").is_none() || p.body["reply_broadcast"] == true)
        .collect()
}

/// What `posts` say now, each as its last `chat.update` in `updates` left it.
pub fn as_updated(posts: &[&Call], updates: &[Call]) -> String {
    let now = |post: &Call| {
        let updated = updates
            .iter()
            .rev()
            .find(|u| u.body["ts"] == post.ts.as_str());
        updated.unwrap_or(post).everything()
    };
    posts.iter().map(|post| now(post)).collect()
}

impl Call {
    /// The message's fallback text.
    pub fn text(&self) -> &str {
        self.body["text"].as_str().unwrap_or_default()
    }

    /// The fallback text and every block, as one string to search.
    pub fn everything(&self) -> String {
        format!("{} {}", self.text(), self.body["blocks"])
    }
}

#[derive(Default)]
struct Recorded {
    calls: Vec<Call>,
    violations: Vec<String>,
    next_ts: u64,
    refused_channels: HashSet<String>,
    faults: std::collections::VecDeque<Fault>,
    /// Per channel: the messages it can still take at once, and when that was counted.
    pace: Option<std::collections::HashMap<String, (f64, tokio::time::Instant)>>,
    rate_limited: usize,
}

/// What Slack lets one channel take at once before it answers 429.
const PACE_BURST: f64 = 4.0;

impl Recorded {
    /// Takes one message from `channel`'s bucket when pace is enforced; `false`
    /// when the bucket is empty.
    fn within_pace(&mut self, channel: &str) -> bool {
        let Some(pace) = &mut self.pace else {
            return true;
        };
        let now = tokio::time::Instant::now();
        let (room, counted) = pace.entry(channel.to_string()).or_insert((PACE_BURST, now));
        *room = (*room + (now - *counted).as_secs_f64()).min(PACE_BURST);
        *counted = now;
        if *room < 1.0 {
            return false;
        }
        *room -= 1.0;
        true
    }
}

/// The running stand-in.
#[derive(Clone)]
pub struct SlackStub {
    pub origin: String,
    token: String,
    state: Arc<Mutex<Recorded>>,
}

impl SlackStub {
    /// Starts on a free loopback port; accepts only `token`.
    pub async fn start(token: &str) -> SlackStub {
        let stub = SlackStub {
            origin: String::new(),
            token: token.to_string(),
            state: Arc::default(),
        };
        let app = Router::new()
            .route("/api/{method}", post(web_api).get(read_api))
            .route("/commands/{team}/{id}/{secret}", post(response_url))
            .with_state(stub.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        SlackStub { origin, ..stub }
    }

    /// The Web API base to configure as `SLACK_API_URL`.
    pub fn api_url(&self) -> String {
        format!("{}/api/", self.origin)
    }

    /// A `response_url` served by this stand-in.
    pub fn response_url(&self) -> String {
        format!("{}/commands/T0001/1234/secret", self.origin)
    }

    /// `chat.postMessage` to `channel` will fail with `not_in_channel`.
    pub fn refuse_channel(&self, channel: &str) {
        self.state
            .lock()
            .unwrap()
            .refused_channels
            .insert(channel.to_string());
    }

    /// The next `chat.postMessage` calls fail with `faults`, in order.
    pub fn fail_next(&self, faults: &[Fault]) {
        self.state
            .lock()
            .unwrap()
            .faults
            .extend(faults.iter().copied());
    }

    /// From now on, `chat.postMessage` is held to Slack's pace: about one
    /// message per second per channel, with short bursts (a bucket of
    /// [`PACE_BURST`] refilled at one per second); beyond it, 429 with
    /// `Retry-After: 1`, and the message is not taken.
    pub fn enforce_pace(&self) {
        self.state.lock().unwrap().pace = Some(Default::default());
    }

    /// How many posts were refused with 429 for going faster than the pace.
    pub fn rate_limited(&self) -> usize {
        self.state.lock().unwrap().rate_limited
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }

    /// Calls of one method (`chat.postMessage`, `response_url`...).
    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == method)
            .collect()
    }

    /// Waits until `count` calls of `method` arrived (or 10 s pass), then returns them.
    pub async fn wait_for(&self, method: &str, count: usize) -> Vec<Call> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let calls = self.calls_to(method);
            if calls.len() >= count || tokio::time::Instant::now() > deadline {
                return calls;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Every message received so far fits Slack's limits.
    pub fn assert_all_within_limits(&self) {
        let state = self.state.lock().unwrap();
        assert!(
            state.violations.is_empty(),
            "messages over Slack's limits: {:#?}",
            state.violations
        );
    }

    fn record(&self, method: &str, body: Value, ts: String) {
        let mut state = self.state.lock().unwrap();
        let checked = match method {
            "views.publish" | "views.open" => {
                serde_json::from_value::<SlackView>(body["view"].clone())
                    .map_err(|e| vec![e.to_string()])
                    .and_then(|view| ecrscan::slack::limits::check_view(&view))
            }
            _ => serde_json::from_value::<SlackMessageContent>(body.clone())
                .map_err(|e| vec![e.to_string()])
                .and_then(|content| ecrscan::slack::limits::check(&content)),
        };
        if let Err(problems) = checked {
            state.violations.push(format!("{method}: {problems:?}"));
        }
        state.calls.push(Call {
            method: method.to_string(),
            body,
            ts,
        });
    }
}

async fn web_api(
    State(stub): State<SlackStub>,
    Path(method): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if !authorized(&stub, &headers) {
        return ok_false("not_authed");
    }
    let Ok(body) = serde_json::from_str::<Value>(&body) else {
        return ok_false("invalid_json");
    };
    let channel = body["channel"].as_str().unwrap_or_default().to_string();
    // Slack: "for direct messages, ensure that this value is a DM ID (starts with
    // D) instead of a User ID (starts with either U or W)".
    if method == "chat.update" && channel.starts_with(['U', 'W']) {
        return ok_false("channel_not_found");
    }
    let fault = {
        let mut state = stub.state.lock().unwrap();
        if state.refused_channels.contains(&channel) {
            return ok_false("not_in_channel");
        }
        match method.as_str() {
            "chat.postMessage" if !state.within_pace(&channel) => {
                state.rate_limited += 1;
                Some(Fault::RateLimited(1))
            }
            "chat.postMessage" => state.faults.pop_front(),
            _ => None,
        }
    };
    match fault {
        Some(Fault::Status(status)) => return status_only(status),
        Some(Fault::Error(code)) => return ok_false(code),
        Some(Fault::RateLimited(secs)) => {
            let headers = [("retry-after", secs.to_string())];
            return (
                StatusCode::TOO_MANY_REQUESTS,
                headers,
                axum::Json(json!({"ok": false, "error": "ratelimited"})),
            )
                .into_response();
        }
        _ => {}
    }
    if method == "views.publish" || method == "views.open" {
        return view_answer(&stub, &method, body);
    }
    let ts = match method.as_str() {
        "chat.update" => body["ts"].as_str().unwrap_or_default().to_string(),
        _ => {
            let mut state = stub.state.lock().unwrap();
            state.next_ts += 1;
            format!("1700000000.{:06}", state.next_ts)
        }
    };
    stub.record(&method, body.clone(), ts.clone());
    if let Some(Fault::TakenThenStatus(status)) = fault {
        return status_only(status);
    }
    let mut message = body.clone();
    message["type"] = json!("message");
    message["ts"] = json!(ts);
    message["user"] = json!("U0BOT");
    message["bot_id"] = json!("B0BOT");
    // A post to a user's id lands in the direct message with the app, which
    // Slack names by its own id.
    let conversation = match channel.strip_prefix(['U', 'W']) {
        Some(rest) => format!("D{rest}"),
        None => channel,
    };
    axum::Json(json!({ "ok": true, "channel": conversation, "ts": ts, "message": message }))
        .into_response()
}

/// `conversations.history` and `conversations.replies`, from the posts received;
/// `auth.test`, as the bot user `U0BOT` of workspace [`crate::helpers::TEAM`].
async fn read_api(
    State(stub): State<SlackStub>,
    Path(method): Path<String>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    if !authorized(&stub, &headers) {
        return ok_false("not_authed");
    }
    if method == "auth.test" {
        let identity = json!({ "ok": true, "url": "https://example.slack.com/", "team": "Example",
            "user": "ecrscan", "team_id": crate::helpers::TEAM, "user_id": "U0BOT", "bot_id": "B0BOT" });
        return axum::Json(identity).into_response();
    }
    let channel = query.get("channel").cloned().unwrap_or_default();
    let thread = query.get("ts").cloned();
    let with_metadata = query
        .get("include_all_metadata")
        .is_some_and(|v| v == "true");
    let wanted = |call: &Call| match (method.as_str(), &thread) {
        ("conversations.history", _) => call.body.get("thread_ts").is_none(),
        ("conversations.replies", Some(ts)) => {
            call.ts == *ts || call.body["thread_ts"] == json!(ts)
        }
        _ => false,
    };
    let messages: Vec<Value> = stub
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.body["channel"] == json!(channel) && wanted(c))
        .map(|c| {
            let mut message =
                json!({ "type": "message", "ts": c.ts, "text": c.text(), "user": "U0BOT" });
            if with_metadata && let Some(metadata) = c.body.get("metadata") {
                message["metadata"] = metadata.clone();
            }
            message
        })
        .collect();
    axum::Json(json!({ "ok": true, "messages": messages, "has_more": false })).into_response()
}

/// `views.publish` and `views.open` as Slack answers them: the view, with its
/// id, hash and state.
fn view_answer(stub: &SlackStub, method: &str, body: Value) -> Response {
    let missing = match method {
        "views.publish" => body["user_id"].as_str().is_none(),
        _ => body["trigger_id"].as_str().is_none(),
    };
    if missing || !body["view"].is_object() {
        return ok_false("invalid_arguments");
    }
    stub.record(method, body.clone(), String::new());
    let mut view = body["view"].clone();
    view["id"] = json!("V0001");
    view["team_id"] = json!(crate::helpers::TEAM);
    view["hash"] = json!("1700000000.abcdef");
    view["state"] = json!({ "values": {} });
    view["app_id"] = json!("A0001");
    view["bot_id"] = json!("B0BOT");
    axum::Json(json!({ "ok": true, "view": view })).into_response()
}

fn authorized(stub: &SlackStub, headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {}", stub.token))
}

fn status_only(status: u16) -> Response {
    (StatusCode::from_u16(status).unwrap(), "upstream trouble").into_response()
}

async fn response_url(State(stub): State<SlackStub>, body: String) -> Response {
    match serde_json::from_str::<Value>(&body) {
        Ok(body) => {
            stub.record("response_url", body, String::new());
            (StatusCode::OK, "ok").into_response()
        }
        Err(_) => (StatusCode::BAD_REQUEST, "invalid_payload").into_response(),
    }
}

fn ok_false(error: &str) -> Response {
    axum::Json(json!({ "ok": false, "error": error })).into_response()
}
