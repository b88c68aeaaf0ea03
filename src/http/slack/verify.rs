//! Slack request signatures: `v0=hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body))`.
//!
//! Checked on the raw body before anything parses it, in constant time, within a
//! five-minute window either way, against every configured secret (for rotation).

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::http::MAX_BODY_BYTES;
use crate::http::error::AppError;
use crate::metrics::metrics;
use crate::state::AppState;

/// How far a request's timestamp may be from our clock, either way.
pub const MAX_SKEW_SECS: i64 = 300;

/// Why a request's signature was refused (for logs and metrics, never shown to the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the X-Slack-Request-Timestamp header is missing or not a number")]
    MissingTimestamp,
    #[error("the X-Slack-Signature header is missing or not `v0=<hex>`")]
    MissingSignature,
    #[error("the request timestamp is more than five minutes from now")]
    Stale,
    #[error("the signature does not match")]
    Mismatch,
}

impl SignatureError {
    /// A short, stable label for logs and metrics (`mismatch`, ...).
    pub fn reason(&self) -> &'static str {
        match self {
            SignatureError::MissingTimestamp => "missing_timestamp",
            SignatureError::MissingSignature => "missing_signature",
            SignatureError::Stale => "stale",
            SignatureError::Mismatch => "mismatch",
        }
    }
}

/// Checks `body` against the `X-Slack-*` headers, as of `now` (Unix seconds).
pub fn verify(
    secrets: &[SecretString],
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let timestamp = header(headers, "x-slack-request-timestamp")
        .filter(|t| t.bytes().all(|b| b.is_ascii_digit()))
        .ok_or(SignatureError::MissingTimestamp)?;
    let seconds: i64 = timestamp
        .parse()
        .map_err(|_| SignatureError::MissingTimestamp)?;
    let mut signature = [0u8; 32];
    header(headers, "x-slack-signature")
        .and_then(|s| s.strip_prefix("v0="))
        .and_then(|hex_digits| hex::decode_to_slice(hex_digits, &mut signature).ok())
        .ok_or(SignatureError::MissingSignature)?;
    if (now - seconds).abs() > MAX_SKEW_SECS {
        return Err(SignatureError::Stale);
    }
    // `verify_slice` compares in constant time.
    let matches = secrets.iter().any(|secret| {
        mac(secret, timestamp, body)
            .verify_slice(&signature)
            .is_ok()
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The `X-Slack-Signature` value Slack would send for `body` at `timestamp`.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mac = mac(&SecretString::from(secret), timestamp, body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

fn mac(secret: &SecretString, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    mac
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// The verified `X-Slack-Signature` of the request, for handlers (a request
/// extension): the record that a request that changes something ran once.
#[derive(Debug, Clone)]
pub struct SlackSignature(HeaderValue);

impl SlackSignature {
    /// `v0=` and the hex digits in lower case: the hex decoder takes either
    /// case, so a replay with the digits in capitals is the same signature.
    pub fn canonical(&self) -> String {
        String::from_utf8_lossy(self.0.as_bytes()).to_ascii_lowercase()
    }
}

/// Middleware for `/slack/*`: reads the body (at most [`MAX_BODY_BYTES`]), verifies it,
/// and hands the same bytes on, with its [`SlackSignature`]. A request that fails
/// never reaches a handler.
pub async fn require_signature(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?;
    let now = chrono::Utc::now().timestamp();
    if let Err(reason) = verify(
        &state.settings.slack_signing_secrets,
        &parts.headers,
        &bytes,
        now,
    ) {
        tracing::warn!(%reason, path = %parts.uri.path(), "refused a Slack request");
        metrics().signature_failure("slack", reason.reason());
        return Err(AppError::Unauthorized);
    }
    if let Some(team) = &state.settings.team_id
        && team_of(&bytes).is_some_and(|sender| sender != *team)
    {
        tracing::warn!(path = %parts.uri.path(), "refused a request from another workspace");
        return Err(AppError::Forbidden);
    }
    let mut request = Request::from_parts(parts, Body::from(bytes));
    if let Some(signature) = request.headers().get("x-slack-signature").cloned() {
        request.extensions_mut().insert(SlackSignature(signature));
    }
    Ok(next.run(request).await)
}

/// The workspace a verified Slack request comes from: the `team_id` field of a
/// slash command or of an Events API callback (JSON), or `team.id` in an
/// interaction's `payload`. `None` when the body has none (a `url_verification`
/// handshake; anything else is refused by its handler as malformed).
fn team_of(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Callback {
        team_id: String,
    }
    if body.first() == Some(&b'{') {
        let callback: Callback = serde_json::from_slice(body).ok()?;
        return Some(callback.team_id);
    }
    #[derive(serde::Deserialize)]
    struct Payload {
        team: Team,
    }
    #[derive(serde::Deserialize)]
    struct Team {
        id: String,
    }
    let mut payload = None;
    for (name, value) in form_urlencoded::parse(body) {
        match name.as_ref() {
            "team_id" => return Some(value.into_owned()),
            "payload" => payload = Some(value),
            _ => {}
        }
    }
    let payload: Payload = serde_json::from_str(&payload?).ok()?;
    Some(payload.team.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const NOW: i64 = 1_531_420_618;

    fn headers(timestamp: &str, signature: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-slack-request-timestamp",
            HeaderValue::from_str(timestamp).unwrap(),
        );
        headers.insert(
            "x-slack-signature",
            HeaderValue::from_str(signature).unwrap(),
        );
        headers
    }

    fn secrets(list: &[&str]) -> Vec<SecretString> {
        list.iter().map(|s| SecretString::from(*s)).collect()
    }

    // The worked example from Slack's "Verifying requests from Slack" guide.
    const BODY: &[u8] = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SLACK_EXAMPLE_SIGNATURE: &str =
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    #[test]
    fn slacks_documented_example_verifies() {
        assert_eq!(sign(SECRET, "1531420618", BODY), SLACK_EXAMPLE_SIGNATURE);
        let h = headers("1531420618", SLACK_EXAMPLE_SIGNATURE);
        assert_eq!(verify(&secrets(&[SECRET]), &h, BODY, NOW), Ok(()));
    }

    #[test]
    fn a_tampered_body_is_refused() {
        let h = headers("1531420618", SLACK_EXAMPLE_SIGNATURE);
        let mut body = BODY.to_vec();
        body[10] ^= 1;
        assert_eq!(
            verify(&secrets(&[SECRET]), &h, &body, NOW),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn any_configured_secret_verifies_during_rotation() {
        let h = headers("1531420618", SLACK_EXAMPLE_SIGNATURE);
        assert_eq!(verify(&secrets(&["old", SECRET]), &h, BODY, NOW), Ok(()));
        assert_eq!(
            verify(&secrets(&["old"]), &h, BODY, NOW),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn timestamps_beyond_five_minutes_either_way_are_stale() {
        let h = headers("1531420618", SLACK_EXAMPLE_SIGNATURE);
        let s = secrets(&[SECRET]);
        assert_eq!(verify(&s, &h, BODY, NOW + 300), Ok(()));
        assert_eq!(verify(&s, &h, BODY, NOW + 301), Err(SignatureError::Stale));
        assert_eq!(verify(&s, &h, BODY, NOW - 301), Err(SignatureError::Stale));
    }

    #[test]
    fn every_refusal_has_its_own_reason_label() {
        let reasons: std::collections::HashSet<_> = [
            SignatureError::MissingTimestamp,
            SignatureError::MissingSignature,
            SignatureError::Stale,
            SignatureError::Mismatch,
        ]
        .iter()
        .map(SignatureError::reason)
        .collect();
        assert_eq!(reasons.len(), 4);
        assert!(reasons.contains("mismatch"));
    }

    #[test]
    fn missing_or_malformed_headers_are_refused() {
        let s = secrets(&[SECRET]);
        assert_eq!(
            verify(&s, &HeaderMap::new(), BODY, NOW),
            Err(SignatureError::MissingTimestamp)
        );
        let h = headers("1531420618", "a2114d57b48eac39b9ad189dd8316235");
        assert_eq!(
            verify(&s, &h, BODY, NOW),
            Err(SignatureError::MissingSignature)
        );
        let h = headers("1531420618", "v0=not-hex");
        assert_eq!(
            verify(&s, &h, BODY, NOW),
            Err(SignatureError::MissingSignature)
        );
        let h = headers("-1531420618", SLACK_EXAMPLE_SIGNATURE);
        assert_eq!(
            verify(&s, &h, BODY, NOW),
            Err(SignatureError::MissingTimestamp)
        );
    }

    #[test]
    fn the_workspace_is_read_from_a_command_or_an_interaction() {
        assert_eq!(
            team_of(b"token=x&team_id=T1DC2JH3J&user_id=U1").as_deref(),
            Some("T1DC2JH3J")
        );
        let payload = "payload=%7B%22type%22%3A%22block_actions%22%2C%22team%22%3A%7B%22id%22%3A%22T9TEAM%22%7D%7D";
        assert_eq!(team_of(payload.as_bytes()).as_deref(), Some("T9TEAM"));
        assert_eq!(team_of(b"payload=not-json"), None);
        assert_eq!(team_of(b"user_id=U1"), None);
    }
}
