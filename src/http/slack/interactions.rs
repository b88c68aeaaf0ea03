//! `POST /slack/interactions`: the buttons on scan summaries and in the App Home,
//! and the submitted Ignore… modal (`submissions`).
//!
//! "Rescan" runs the scan use-case for the image; "All findings" posts every
//! finding in the message's thread; "Ignore…" opens the modal to ignore one. In the Home, "Findings" opens them in a
//! modal, "Schedule weekly" schedules the image, and "Show more" publishes the
//! next page; a click there has no channel and no `response_url`, so its answers
//! go to the user's Messages tab. The signature (and the workspace) was checked
//! by the router's layer; each payload that changes or starts something is
//! audited with it, and a repeat of it runs nothing.

use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tracing::Instrument;

use crate::http::error::AppError;
use crate::http::slack::commands::REPEATED;
use crate::http::slack::submissions::{self, SubmittedView};
use crate::http::slack::verify::SlackSignature;
use crate::scan::image::ImageId;
use crate::service::{self, Requester, display};
use crate::slack::blocks::{
    ALL_FINDINGS_ACTION, ButtonTarget, HOME_FINDINGS_ACTION, HOME_PAGE_ACTION, IGNORE_ACTION,
    RESCAN_ACTION, SCHEDULE_WEEKLY_ACTION,
};
use crate::state::AppState;
use crate::store::AuditEntry;

#[derive(Debug, Deserialize)]
struct Form {
    payload: String,
}

#[derive(Debug, Deserialize)]
struct Id {
    id: String,
}

#[derive(Debug, Default, Deserialize)]
struct Container {
    /// `message`, or `view` for a click in the App Home (or a modal).
    #[serde(rename = "type")]
    kind: Option<String>,
    message_ts: Option<String>,
    thread_ts: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Action {
    action_id: String,
    value: Option<String>,
}

/// The parts of a `block_actions` payload ecrscan uses.
#[derive(Debug, Deserialize)]
struct Payload {
    #[serde(rename = "type")]
    kind: String,
    team: Id,
    user: Id,
    channel: Option<Id>,
    response_url: Option<String>,
    trigger_id: Option<String>,
    #[serde(default)]
    container: Container,
    #[serde(default)]
    actions: Vec<Action>,
    /// The submitted view of a `view_submission`.
    view: Option<SubmittedView>,
}

/// The most actions one payload runs. A click carries one; the rest of a
/// longer list are ignored (and counted in the audit row and the log).
pub const MAX_ACTIONS: usize = 5;

/// A button action that will run.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Run {
    Rescan(ButtonTarget),
    AllFindings(ButtonTarget),
    /// The Home's "Findings": a modal.
    HomeFindings(ButtonTarget),
    ScheduleWeekly(ButtonTarget),
    /// "Ignore…": the modal to ignore one of the image's findings.
    Ignore(ButtonTarget),
}

impl Run {
    /// The button's `action_id`.
    fn id(&self) -> &'static str {
        match self {
            Run::Rescan(_) => RESCAN_ACTION,
            Run::AllFindings(_) => ALL_FINDINGS_ACTION,
            Run::HomeFindings(_) => HOME_FINDINGS_ACTION,
            Run::ScheduleWeekly(_) => SCHEDULE_WEEKLY_ACTION,
            Run::Ignore(_) => IGNORE_ACTION,
        }
    }

    /// For the audit log: `button Rescan example:web-latest`.
    fn describe(&self) -> String {
        let (name, target) = match self {
            Run::Rescan(target) => ("Rescan", target),
            Run::AllFindings(target) => ("All findings", target),
            Run::HomeFindings(target) => ("Findings", target),
            Run::ScheduleWeekly(target) => ("Schedule weekly", target),
            Run::Ignore(target) => ("Ignore…", target),
        };
        format!(
            "button {name} {}",
            display(&target.repository, &image_id(target))
        )
    }
}

/// Handles one verified interaction; Slack gets its 200 at once.
///
/// The actions that will run are written to the audit log, with the request's
/// signature, before they start: a repeat of the request runs nothing.
pub async fn handle(
    State(state): State<AppState>,
    Extension(signature): Extension<SlackSignature>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form: Form =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::BadRequest("no payload"))?;
    let payload: Payload = serde_json::from_str(&form.payload)
        .map_err(|_| AppError::BadRequest("not an interaction payload"))?;
    if let ("view_submission", Some(view)) = (payload.kind.as_str(), payload.view) {
        let (team, user) = (payload.team.id, payload.user.id);
        return Ok(submissions::handle(&state, &signature, team, user, view).await);
    }
    let in_home = payload.container.kind.as_deref() == Some("view");
    if in_home && let Some(page) = page(&payload.actions) {
        let task = service::home::publish(state.clone(), payload.user.id, page);
        state.spawn(task.instrument(tracing::info_span!("home_page", page)));
        return Ok(StatusCode::OK.into_response());
    }
    let who = match (in_home, payload.channel, payload.response_url) {
        (true, _, _) => Requester::in_home(payload.team.id, payload.user.id),
        (false, Some(channel), Some(response_url)) => Requester {
            team_id: payload.team.id,
            user_id: payload.user.id,
            channel_id: channel.id,
            response_url: Some(response_url),
        },
        _ => return Ok(StatusCode::OK.into_response()),
    };
    let ignored = payload.actions.len().saturating_sub(MAX_ACTIONS);
    if ignored > 0 {
        tracing::warn!(
            ignored,
            "ignored the actions beyond the first {MAX_ACTIONS} of one payload"
        );
    }
    let runs = match payload.kind.as_str() {
        "block_actions" => runs(payload.actions),
        _ => Vec::new(),
    };
    if runs.is_empty() {
        return Ok(StatusCode::OK.into_response());
    }
    if !claim(&state, &who, &runs, ignored, &signature).await? {
        tracing::warn!(user = %who.user_id, "refused a repeated interaction");
        return Ok((StatusCode::OK, REPEATED).into_response());
    }
    let thread_ts = payload.container.thread_ts.or(payload.container.message_ts);
    let trigger_id = payload.trigger_id.unwrap_or_default();
    for run in runs {
        match in_home {
            true => start_in_home(&state, &who, run, &trigger_id),
            false => start(&state, &who, run, thread_ts.clone(), &trigger_id),
        }
    }
    Ok(StatusCode::OK.into_response())
}

/// The page a "Show more" (or "Back to the worst") click asks for.
fn page(actions: &[Action]) -> Option<usize> {
    let action = actions.first()?;
    action.action_id.strip_prefix(HOME_PAGE_ACTION)?;
    action.value.as_deref()?.parse().ok()
}

/// The known actions among the first [`MAX_ACTIONS`], each once.
fn runs(actions: Vec<Action>) -> Vec<Run> {
    let mut runs = Vec::new();
    for action in actions.into_iter().take(MAX_ACTIONS) {
        let Some(target) = action
            .value
            .as_deref()
            .and_then(|v| ButtonTarget::from_value(v).ok())
        else {
            continue;
        };
        let run = match action.action_id.as_str() {
            RESCAN_ACTION => Run::Rescan(target),
            ALL_FINDINGS_ACTION => Run::AllFindings(target),
            HOME_FINDINGS_ACTION => Run::HomeFindings(target),
            SCHEDULE_WEEKLY_ACTION => Run::ScheduleWeekly(target),
            IGNORE_ACTION => Run::Ignore(target),
            other => {
                tracing::info!(action = other, "ignored an unknown action");
                continue;
            }
        };
        if !runs.contains(&run) {
            runs.push(run);
        }
    }
    runs
}

/// Writes the audit row of the actions with the request's signature; `false`
/// when the request was handled before.
async fn claim(
    state: &AppState,
    who: &Requester,
    runs: &[Run],
    ignored: usize,
    signature: &SlackSignature,
) -> anyhow::Result<bool> {
    let mut action: Vec<String> = runs.iter().map(Run::describe).collect();
    if ignored > 0 {
        action.push(format!("({ignored} more ignored)"));
    }
    let entry = AuditEntry {
        team_id: who.team_id.clone(),
        user_id: who.user_id.clone(),
        channel_id: who.channel_id.clone(),
        action: action.join("; "),
        at: chrono::Utc::now().timestamp(),
    };
    state
        .store
        .audit_request(&entry, &signature.canonical())
        .await
}

/// Starts one action of a click in the App Home in the background; its answers
/// go to the user's Messages tab.
fn start_in_home(state: &AppState, who: &Requester, run: Run, trigger_id: &str) {
    let span = tracing::info_span!("home_interaction", user = %who.user_id, action = run.id());
    let (state, who) = (state.clone(), who.clone());
    match run {
        Run::Rescan(target) => {
            let task = service::home::rescan(state.clone(), who, target);
            state.spawn(task.instrument(span));
        }
        Run::HomeFindings(target) | Run::AllFindings(target) => {
            let task = service::home::open_findings(state.clone(), trigger_id.to_string(), target);
            state.spawn(task.instrument(span));
        }
        Run::ScheduleWeekly(target) => {
            let task = service::home::schedule_weekly(state.clone(), who, target);
            state.spawn(task.instrument(span));
        }
        Run::Ignore(target) => {
            let trigger = trigger_id.to_string();
            let task = service::ignores::open_modal(state.clone(), who, trigger, target, None);
            state.spawn(task.instrument(span));
        }
    }
}

/// Starts one action in the background.
fn start(state: &AppState, who: &Requester, run: Run, thread_ts: Option<String>, trigger_id: &str) {
    let span = tracing::info_span!("interaction", user = %who.user_id, action = run.id());
    match run {
        Run::Rescan(target) => {
            let images = vec![(target.repository.clone(), image_id(&target))];
            let task = service::scans::run(state.clone(), who.clone(), images);
            state.spawn(task.instrument(span));
        }
        Run::AllFindings(target) => {
            let image = target.image();
            let task = service::findings::post_all(state.clone(), who.clone(), image, thread_ts);
            state.spawn(task.instrument(span));
        }
        Run::Ignore(target) => {
            let (trigger, who) = (trigger_id.to_string(), who.clone());
            let task = service::ignores::open_modal(state.clone(), who, trigger, target, thread_ts);
            state.spawn(task.instrument(span));
        }
        Run::HomeFindings(_) | Run::ScheduleWeekly(_) => {
            tracing::info!("ignored a button of the App Home outside it");
        }
    }
}

fn image_id(target: &ButtonTarget) -> ImageId {
    match &target.tag {
        Some(tag) => ImageId::Tag(tag.clone()),
        None => ImageId::Digest(target.digest.clone()),
    }
}
