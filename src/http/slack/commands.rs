//! `POST /slack/commands`: the `/ecrscan` slash command.
//!
//! The signature (and the workspace) was checked by the router's layer. Here:
//! decode, parse, hand the command to its use-case, and answer within Slack's
//! 3 seconds; the use-case does the AWS work in the background.

use std::sync::LazyLock;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use slack_morphism::prelude::SlackMessageContent;

use crate::http::error::AppError;
use crate::http::slack::verify::SlackSignature;
use crate::language::{self, Command};
use crate::service::ignores::Asked;
use crate::service::manage::Change;
use crate::service::{self, Requester};
use crate::slack::blocks;
use crate::state::AppState;
use crate::store::AuditEntry;

/// The form fields of a slash command that ecrscan uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlashCommand {
    pub team_id: String,
    pub channel_id: String,
    pub user_id: String,
    /// Empty when missing.
    pub command: String,
    /// Empty when missing.
    pub text: String,
    pub response_url: String,
}

impl SlashCommand {
    /// The form fields read, in the order [`SlashCommand::from_form`] fills them.
    const FIELDS: [&str; 6] = [
        "team_id",
        "channel_id",
        "user_id",
        "command",
        "text",
        "response_url",
    ];

    /// Reads a slash command's form body; `None` when a required field is missing.
    ///
    /// Only the pairs named in [`Self::FIELDS`] are decoded (by `form_urlencoded`).
    /// Slack sends about as many again, and decoding every pair was the largest
    /// cost of answering `/ecrscan help` (BENCHMARKS.md). Pairs are picked by
    /// their name as sent: Slack's field names are plain ASCII, never escaped.
    pub fn from_form(body: &[u8]) -> Option<SlashCommand> {
        let mut fields: [Option<String>; 6] = Default::default();
        for pair in body.split(|&b| b == b'&') {
            let name = pair.split(|&b| b == b'=').next().unwrap_or_default();
            let Some(i) = Self::FIELDS.iter().position(|f| f.as_bytes() == name) else {
                continue;
            };
            if let Some((_, value)) = form_urlencoded::parse(pair).next() {
                fields[i] = Some(value.into_owned());
            }
        }
        let [team_id, channel_id, user_id, command, text, response_url] = fields;
        Some(SlashCommand {
            team_id: team_id?,
            channel_id: channel_id?,
            user_id: user_id?,
            command: command.unwrap_or_default(),
            text: text.unwrap_or_default(),
            response_url: response_url?,
        })
    }
}

/// The answer to a request that was already handled: a replay of its signed
/// request within Slack's five minutes, or the same request sent twice.
pub const REPEATED: &str = ":repeat: This request is a repeat of one that was \
     already handled, so nothing was done again.";

/// Handles one verified slash command.
///
/// A command that changes or starts something is written to the audit log,
/// with the request's signature, before it runs; a repeat of the request finds
/// the signature taken and runs nothing. Read-only commands are traced, not
/// written.
pub async fn handle(
    State(state): State<AppState>,
    Extension(signature): Extension<SlackSignature>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = SlashCommand::from_form(&body).ok_or(AppError::BadRequest("not a slash command"))?;
    let text = form.text.trim();
    let command = match language::parse(text) {
        Ok(command) => command,
        Err(error) => {
            let problem = blocks::escape(&error.problem);
            let usage = format!(":warning: {problem}\nUsage: {}", error.usage);
            return Ok(ephemeral(&blocks::text(&usage)).into_response());
        }
    };
    if !command.changes_something() {
        tracing::debug!(user = %form.user_id, channel = %form.channel_id, text, "read-only command");
    } else if let Some(refusal) = claim(&state, &form, &signature).await {
        return Ok(ephemeral(&refusal).into_response());
    }
    if matches!(command, Command::Help) {
        return Ok(help());
    }
    let span =
        tracing::info_span!("command", user = %form.user_id, channel = %form.channel_id, text);
    let who = Requester {
        team_id: form.team_id,
        user_id: form.user_id,
        channel_id: form.channel_id,
        response_url: Some(form.response_url),
    };
    let reply = dispatch(&state, who, command, span).await;
    Ok(ephemeral(&reply).into_response())
}

/// Writes the command's audit row with the request's signature. `None` when it
/// may run; else why not: the request was handled before, or the audit log
/// cannot be written (then nothing runs unrecorded).
async fn claim(
    state: &AppState,
    form: &SlashCommand,
    signature: &SlackSignature,
) -> Option<SlackMessageContent> {
    let entry = AuditEntry {
        team_id: form.team_id.clone(),
        user_id: form.user_id.clone(),
        channel_id: form.channel_id.clone(),
        action: format!("{} {}", form.command, form.text.trim())
            .trim()
            .to_string(),
        at: chrono::Utc::now().timestamp(),
    };
    match state
        .store
        .audit_request(&entry, &signature.canonical())
        .await
    {
        Ok(true) => None,
        Ok(false) => {
            tracing::warn!(user = %form.user_id, "refused a repeated command");
            Some(blocks::text(REPEATED))
        }
        Err(error) => {
            tracing::error!(
                error = format!("{error:#}"),
                "could not write the audit log"
            );
            Some(blocks::text(
                ":x: I could not record this command, so it was not run. Try again in a moment.",
            ))
        }
    }
}

/// Starts the command's work and returns the immediate answer.
async fn dispatch(
    state: &AppState,
    who: Requester,
    command: Command,
    span: tracing::Span,
) -> SlackMessageContent {
    match command {
        Command::Help => blocks::help(),
        Command::Now(images) => service::scans::start(state, who, &images, span),
        Command::Findings(image) => service::findings::start(state, who, &image, span),
        Command::Running(clusters) => service::running::start(state, who, clusters, span),
        Command::RunningSync => service::keep_running::sync(state, who, span),
        Command::ScheduleRunning { when, clusters } => {
            service::keep_running::schedule(state, who, when, clusters, span)
        }
        Command::Schedule { when, images } => {
            service::schedule::start(state, who, when, &images, span)
        }
        Command::Schedules => service::schedules::start(state, who, span),
        Command::Unschedule(image) => {
            service::manage::start(state, who, Change::Unschedule, &image, span)
        }
        Command::Pause(image) => service::manage::start(state, who, Change::Pause, &image, span),
        Command::Resume(image) => service::manage::start(state, who, Change::Resume, &image, span),
        Command::Subscribe { pattern, min } => {
            service::subscriptions::subscribe(state, &who, pattern, min).await
        }
        Command::Unsubscribe(pattern) => {
            service::subscriptions::unsubscribe(state, &who, pattern).await
        }
        Command::Subscriptions => service::subscriptions::list(state, &who).await,
        Command::Ignore {
            vulnerability,
            scope,
            duration,
            reason,
        } => {
            let asked = Asked {
                vulnerability,
                scope,
                duration,
                reason,
            };
            service::ignores::ignore(state, &who, asked, None).await
        }
        Command::Ignores => service::ignores::list(state).await,
        Command::Unignore {
            vulnerability,
            scope,
        } => service::ignores::unignore(state, &who, vulnerability, scope).await,
    }
}

/// An immediate ephemeral answer: the message with `"response_type": "ephemeral"`.
#[derive(Serialize)]
struct Ephemeral<'a> {
    #[serde(flatten)]
    content: &'a SlackMessageContent,
    response_type: &'static str,
}

fn ephemeral(content: &SlackMessageContent) -> Json<Ephemeral<'_>> {
    Json(Ephemeral {
        content,
        response_type: "ephemeral",
    })
}

/// The answer to `help`, the same every time: rendered once.
fn help() -> Response {
    static HELP: LazyLock<Bytes> = LazyLock::new(|| {
        serde_json::to_vec(&ephemeral(&blocks::help()).0)
            .map(Bytes::from)
            .unwrap_or_default()
    });
    ([(CONTENT_TYPE, "application/json")], HELP.clone()).into_response()
}

#[cfg(test)]
mod tests {
    use super::SlashCommand;

    // The body of Slack's own example in "Verifying requests from Slack".
    const SLACK_EXAMPLE: &[u8] = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

    #[test]
    fn reads_the_fields_of_slacks_example_decoded() {
        assert_eq!(
            SlashCommand::from_form(SLACK_EXAMPLE),
            Some(SlashCommand {
                team_id: "T1DC2JH3J".into(),
                channel_id: "G8PSS9T3V".into(),
                user_id: "U2CERLKJA".into(),
                command: "/webhook-collect".into(),
                text: String::new(),
                response_url:
                    "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN"
                        .into(),
            })
        );
    }

    #[test]
    fn decodes_plus_and_percent_escapes_in_the_text() {
        let body = b"team_id=T&channel_id=C&user_id=U&response_url=r&text=schedule+weekly+web%2Dlatest+tz+Asia%2FTokyo+%E2%9C%93";
        let form = SlashCommand::from_form(body).unwrap();
        assert_eq!(
            form.text,
            "schedule weekly web-latest tz Asia/Tokyo \u{2713}"
        );
        assert_eq!(form.command, "", "missing: empty");
    }

    #[test]
    fn a_body_without_a_required_field_is_not_a_slash_command() {
        assert_eq!(
            SlashCommand::from_form(b"team_id=T&channel_id=C&user_id=U"),
            None
        );
        assert_eq!(SlashCommand::from_form(b"payload=%7B%7D"), None);
        assert_eq!(SlashCommand::from_form(b""), None);
    }
}
