//! The ceiling for bench/run: the least a Slack slash-command endpoint can do.
//! It checks the signature as Slack documents it (`v0=HMAC-SHA256(secret,
//! "v0:" + timestamp + ":" + body)`, in constant time, timestamp within five
//! minutes) and returns a fixed ephemeral answer (ecrscan's help, from HELP_JSON).
//! No parsing, no routing beyond one path, no logging, no storage.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Clone)]
struct Config {
    secret: &'static [u8],
    answer: &'static [u8],
}

#[tokio::main]
async fn main() {
    let secret = std::env::var("SLACK_SIGNING_SECRET").expect("SLACK_SIGNING_SECRET");
    let help = std::env::var("HELP_JSON").expect("HELP_JSON");
    let answer = std::fs::read(&help).unwrap_or_else(|e| panic!("{help}: {e}"));
    let port: u16 = std::env::var("PORT").expect("PORT").parse().expect("PORT");
    let config = Config {
        secret: Box::leak(secret.into_bytes().into_boxed_slice()),
        answer: Box::leak(answer.into_boxed_slice()),
    };
    let app = Router::new()
        .route("/slack/commands", post(command))
        .with_state(config);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    println!("axum-minimal is serving port={port}");
    axum::serve(listener, app).await.expect("serve");
}

async fn command(State(config): State<Config>, headers: HeaderMap, body: Bytes) -> Response {
    if !verified(config.secret, &headers, &body) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    ([(header::CONTENT_TYPE, "application/json")], config.answer).into_response()
}

fn verified(secret: &[u8], headers: &HeaderMap, body: &[u8]) -> bool {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(timestamp), Some(signature)) = (
        header("x-slack-request-timestamp"),
        header("x-slack-signature"),
    ) else {
        return false;
    };
    let Ok(seconds) = timestamp.parse::<i64>() else {
        return false;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    if (now - seconds).abs() > 300 {
        return false;
    }
    let Some(Ok(signature)) = signature.strip_prefix("v0=").map(hex::decode) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    mac.verify_slice(&signature).is_ok()
}
