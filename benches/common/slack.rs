//! Slack's Web API on loopback: takes messages as Slack does, answering as Slack
//! does, and notes when each was taken. It takes every message at once, or
//! holds `chat.postMessage` to Slack's pace in each channel.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use slack_morphism::prelude::SlackMessageContent;

/// What one channel takes at once before Slack answers 429 (refilled at one
/// message per second), as the integration tests' stand-in holds it.
const PACE_BURST: f64 = 4.0;

/// Per channel: the messages it can still take at once, and when that was counted.
type Buckets = HashMap<String, (f64, Instant)>;

/// The message Slack answers a post or an update with: what was sent, as the
/// bot's message `ts`.
fn as_posted(sent: Value, ts: &str) -> Value {
    let mut message = json!({ "type": "message", "ts": ts, "user": "U0BOT", "bot_id": "B0BOT" });
    if let (Some(message), Value::Object(sent)) = (message.as_object_mut(), sent) {
        for (field, value) in sent {
            message.entry(field).or_insert(value);
        }
    }
    message
}

/// One message the stand-in took.
#[derive(Debug, Clone)]
pub struct Taken {
    pub at: Instant,
    /// `chat.postMessage` or `chat.update`.
    pub method: String,
    pub ts: String,
    pub body: Value,
}

impl Taken {
    /// Seen in the channel itself: a new message, or a reply broadcast to it.
    pub fn visible(&self) -> bool {
        self.method == "chat.postMessage"
            && (self.body.get("thread_ts").is_none() || self.body["reply_broadcast"] == true)
    }

    /// The fallback text and every block, as one string to search.
    pub fn everything(&self) -> String {
        format!("{} {}", self.body["text"], self.body["blocks"])
    }
}

/// The running stand-in.
#[derive(Clone, Default)]
pub struct SlackStandIn {
    pub origin: String,
    taken: Arc<Mutex<Vec<Taken>>>,
    arrived: Arc<tokio::sync::Notify>,
    /// `None` when every message is taken at once.
    pace: Option<Arc<Mutex<Buckets>>>,
    rate_limited: Arc<AtomicUsize>,
    posted: Arc<AtomicUsize>,
}

impl SlackStandIn {
    /// Starts on a free loopback port. With `enforce_pace`, a channel takes
    /// `chat.postMessage` at about one a second after a burst of four; beyond
    /// that, 429 with `Retry-After: 1`, and the message is not taken.
    pub async fn start(enforce_pace: bool) -> SlackStandIn {
        let stand_in = SlackStandIn {
            pace: enforce_pace.then(Arc::default),
            ..SlackStandIn::default()
        };
        let state = stand_in.clone();
        let app = Router::new().route(
            "/api/{method}",
            post(move |Path(method): Path<String>, body: String| {
                let state = state.clone();
                async move { state.take(&method, &body) }
            })
            .get(|| async { axum::Json(json!({ "ok": true, "messages": [], "has_more": false })) }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        SlackStandIn { origin, ..stand_in }
    }

    fn take(&self, method: &str, body: &str) -> Response {
        let at = Instant::now();
        let body: Value = serde_json::from_str(body).unwrap_or_default();
        let channel = body["channel"].as_str().unwrap_or_default().to_string();
        if method == "chat.postMessage" && !self.within_pace(&channel, at) {
            self.rate_limited.fetch_add(1, Ordering::SeqCst);
            let refusal = axum::Json(json!({ "ok": false, "error": "ratelimited" }));
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "1")],
                refusal,
            )
                .into_response();
        }
        let ts = match method {
            "chat.update" => body["ts"].as_str().unwrap_or_default().to_string(),
            _ => {
                let n = self.posted.fetch_add(1, Ordering::SeqCst) + 1;
                format!("1700000000.{n:06}")
            }
        };
        self.taken.lock().unwrap().push(Taken {
            at,
            method: method.to_string(),
            ts: ts.clone(),
            body: body.clone(),
        });
        self.arrived.notify_one();
        axum::Json(
            json!({ "ok": true, "channel": channel, "ts": ts, "message": as_posted(body, &ts) }),
        )
        .into_response()
    }

    /// Takes one message from `channel`'s bucket when the pace is enforced;
    /// `false` when the bucket is empty.
    fn within_pace(&self, channel: &str, now: Instant) -> bool {
        let Some(pace) = &self.pace else {
            return true;
        };
        let mut pace = pace.lock().unwrap();
        let (room, counted) = pace.entry(channel.to_string()).or_insert((PACE_BURST, now));
        *room = (*room + (now - *counted).as_secs_f64()).min(PACE_BURST);
        *counted = now;
        if *room < 1.0 {
            return false;
        }
        *room -= 1.0;
        true
    }

    /// Forgets the messages taken so far.
    pub fn reset(&self) {
        self.taken.lock().unwrap().clear();
    }

    /// The messages taken so far, in the order they were taken.
    pub fn taken(&self) -> Vec<Taken> {
        self.taken.lock().unwrap().clone()
    }

    /// How many posts were refused with 429 for going faster than the pace.
    pub fn rate_limited(&self) -> usize {
        self.rate_limited.load(Ordering::SeqCst)
    }

    /// Waits until `count` messages were taken (at most `limit`).
    pub async fn wait_for(&self, count: usize, limit: Duration) -> Vec<Taken> {
        self.wait_until(limit, |taken| taken.len() >= count).await
    }

    /// Waits until the messages taken satisfy `done` (at most `limit`).
    pub async fn wait_until(&self, limit: Duration, done: impl Fn(&[Taken]) -> bool) -> Vec<Taken> {
        let deadline = Instant::now() + limit;
        loop {
            let notified = self.arrived.notified();
            let taken = self.taken();
            if done(&taken) {
                return taken;
            }
            assert!(
                Instant::now() < deadline,
                "not done within {limit:?}: {} messages taken",
                taken.len()
            );
            let _ = tokio::time::timeout(Duration::from_millis(100), notified).await;
        }
    }

    /// Waits until no message was taken for `quiet`, then returns them all.
    pub async fn settled(&self, quiet: Duration) -> Vec<Taken> {
        loop {
            let taken = self.taken();
            let since = taken.last().map_or(quiet, |t| t.at.elapsed());
            if since >= quiet {
                return taken;
            }
            tokio::time::sleep(quiet - since).await;
        }
    }

    /// Every message taken fits Slack's limits.
    pub fn assert_within_limits(&self) {
        for taken in self.taken() {
            let content: SlackMessageContent = serde_json::from_value(taken.body.clone())
                .unwrap_or_else(|e| panic!("{} is not a Slack message: {e}", taken.method));
            if let Err(problems) = ecrscan::slack::limits::check(&content) {
                panic!("{} over Slack's limits: {problems:?}", taken.method);
            }
        }
    }
}
