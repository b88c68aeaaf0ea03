//! `ignore`, `ignores`, `unignore`: findings left out of the announcements for
//! a while, on the record; and the ignores in force when a result is published.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use slack_morphism::prelude::SlackMessageContent;

use super::Requester;
use super::changes::{announce, audit, refuse_unless_admin};
use crate::jobs::JobKind;
use crate::language::Usage;
use crate::registry::Registries;
use crate::routing::ImagePattern;
use crate::scan::findings::{Finding, ScanReport};
use crate::scan::image::Image;
use crate::slack::blocks::{self, ButtonTarget};
use crate::state::AppState;
use crate::store::{ImageHistory, NewIgnore};
use crate::triage::{self, Duration, Hidden, Ignore, Until};

/// What `ignore` asks for.
#[derive(Debug, Clone)]
pub struct Asked {
    pub vulnerability: String,
    pub scope: Option<ImagePattern>,
    pub duration: Duration,
    pub reason: String,
}

/// `ignore CVE-ID [PATTERN] (for N days | until YYYY-MM-DD | until fixed) reason TEXT`:
/// admins only when ECRSCAN_ADMINS is set. `thread`: where to announce it
/// instead of the channel (the modal, opened from a result).
pub async fn ignore(
    state: &AppState,
    who: &Requester,
    asked: Asked,
    thread: Option<String>,
) -> SlackMessageContent {
    if let Some(refusal) = refuse_unless_admin(state, who, "ignore findings", "ignores") {
        return refusal;
    }
    match add(state, who, asked, thread, Utc::now()).await {
        Ok(ignore) => blocks::text(&format!(
            ":white_check_mark: Ignored *{}* {}.",
            blocks::escape(&ignore.vulnerability),
            blocks::scope_words(ignore.scope.as_ref())
        )),
        Err(Refused::Mistake(problem)) => {
            let usage = Usage::of("ignore").map(Usage::render).unwrap_or_default();
            blocks::text(&format!(
                ":warning: {}\nUsage: {usage}",
                blocks::escape(&problem)
            ))
        }
        Err(Refused::Store(error)) => failed(error),
    }
}

/// Why an ignore was not stored.
#[derive(Debug)]
pub enum Refused {
    /// The user's: a date in the past.
    Mistake(String),
    Store(anyhow::Error),
}

/// Stores the ignore (after the permission check), writes the audit log and
/// announces it: in `thread` when given, else in the requester's channel.
pub async fn add(
    state: &AppState,
    who: &Requester,
    asked: Asked,
    thread: Option<String>,
    now: DateTime<Utc>,
) -> Result<Ignore, Refused> {
    let until = asked.duration.until(now).map_err(Refused::Mistake)?;
    let scope = asked.scope.as_ref().map_or("", ImagePattern::as_str);
    let new = NewIgnore {
        vulnerability: &asked.vulnerability,
        scope,
        until_at: match until {
            Until::At(at) => Some(at),
            Until::Fixed => None,
        },
        reason: &asked.reason,
        created_by: &who.user_id,
        channel: &who.channel_id,
        created_at: now.timestamp(),
    };
    let (id, replaced) = state.store.add_ignore(&new).await.map_err(Refused::Store)?;
    let ignore = Ignore {
        id,
        vulnerability: asked.vulnerability.clone(),
        scope: asked.scope.clone(),
        until,
        reason: asked.reason.clone(),
        created_by: who.user_id.clone(),
        channel: who.channel_id.clone(),
        created_at: now.timestamp(),
    };
    let until_words = match until {
        Until::At(at) => DateTime::from_timestamp(at, 0)
            .map_or_else(String::new, |d| d.format("until %Y-%m-%d").to_string()),
        Until::Fixed => "until fixed".into(),
    };
    let replaced = if replaced {
        " (replaced the previous one)"
    } else {
        ""
    };
    let action = format!(
        "ignore {} in {} {until_words}{replaced}: {}",
        ignore.vulnerability,
        ignore.scope_str(),
        ignore.reason
    );
    audit(state, who, action).await;
    let news = blocks::ignored(&who.user_id, &ignore, Some(asked.duration));
    state.spawn(announce_later(state.clone(), who.clone(), news, thread));
    Ok(ignore)
}

/// `unignore CVE-ID [PATTERN]`: admins only when ECRSCAN_ADMINS is set.
pub async fn unignore(
    state: &AppState,
    who: &Requester,
    vulnerability: String,
    scope: Option<ImagePattern>,
) -> SlackMessageContent {
    if let Some(refusal) = refuse_unless_admin(state, who, "remove ignores", "ignores") {
        return refusal;
    }
    let now = Utc::now().timestamp();
    let scope_str = scope.as_ref().map_or("", ImagePattern::as_str);
    let store = &state.store;
    match store.remove_ignore(&vulnerability, scope_str, now).await {
        Ok(true) => {
            let shown = scope.as_ref().map_or("*", ImagePattern::as_str);
            audit(state, who, format!("unignore {vulnerability} in {shown}")).await;
            let news = blocks::unignored(&who.user_id, &vulnerability, scope.as_ref());
            state.spawn(announce_later(state.clone(), who.clone(), news, None));
            blocks::text(&format!(
                ":white_check_mark: *{}* is announced again {}.",
                blocks::escape(&vulnerability),
                blocks::scope_words(scope.as_ref())
            ))
        }
        Ok(false) => match store.active_ignores(now).await {
            Ok(active) => {
                let same: Vec<&Ignore> = (active.iter())
                    .filter(|i| i.vulnerability == vulnerability)
                    .collect();
                blocks::no_such_ignore(&vulnerability, scope.as_ref(), &same)
            }
            Err(error) => failed(error),
        },
        Err(error) => failed(error),
    }
}

/// `ignores`: the active ignores, each with how many findings of the images'
/// latest results it hides; for everyone.
pub async fn list(state: &AppState) -> SlackMessageContent {
    let now = Utc::now().timestamp();
    let listed = async {
        let active = state.store.active_ignores(now).await?;
        let histories = state.store.image_histories().await?;
        anyhow::Ok(hiding(active, &histories, &state.settings.registries))
    };
    match listed.await {
        Ok(list) => blocks::ignores(&list),
        Err(error) => failed(error),
    }
}

/// Each ignore with how many findings of the images' latest results it hides.
fn hiding(
    active: Vec<Ignore>,
    histories: &[ImageHistory],
    registries: &Registries,
) -> Vec<(Ignore, usize)> {
    let images: Vec<(Image, &[Finding])> = (histories.iter())
        .map(|h| (h.latest.image(), h.latest.findings.as_slice()))
        .collect();
    active
        .into_iter()
        .map(|ignore| {
            let hides = (images.iter())
                .map(|(image, findings)| {
                    (findings.iter())
                        .filter(|f| ignore.hides(f, image, registries))
                        .count()
                })
                .sum();
            (ignore, hides)
        })
        .collect()
}

/// `report` without the findings an ignore hides, and those it hides, to be
/// shown apart (`findings`). When the ignores cannot be read, nothing is hidden.
pub async fn apart(state: &AppState, report: ScanReport) -> (ScanReport, Vec<Hidden>) {
    let ignores = match state.store.active_ignores(Utc::now().timestamp()).await {
        Ok(ignores) => ignores,
        Err(error) => {
            tracing::warn!(error = format!("{error:#}"), "could not read the ignores");
            Vec::new()
        }
    };
    let registries = &state.settings.registries;
    let covering: Vec<Ignore> = (ignores.into_iter())
        .filter(|ignore| ignore.covers(&report.image, registries))
        .collect();
    let (findings, hidden) = triage::split(&report.findings, &covering);
    (ScanReport { findings, ..report }, hidden)
}

/// The ignores in force for a result of `image` that lists `findings`. The
/// `until fixed` ones that a fix among `findings` ends are ended here (a job
/// announces it in the threads of the images that still have the finding) and
/// left out.
pub async fn in_force(
    state: &AppState,
    image: &Image,
    findings: &[Finding],
) -> anyhow::Result<Vec<Ignore>> {
    let now = Utc::now().timestamp();
    let active: Vec<Ignore> = (state.store.active_ignores(now).await?.into_iter())
        .filter(|ignore| ignore.covers(image, &state.settings.registries))
        .collect();
    let fixed: Vec<i64> = (triage::fixed(findings, &active).into_iter())
        .map(|ignore| ignore.id)
        .collect();
    if !fixed.is_empty() {
        let kind = JobKind::IgnoreEnded.as_str();
        let ended = state.store.end_ignores(now, &fixed, kind).await?;
        tracing::info!(?ended, image = %image.display_name(), "ignores ended: a fix is available");
    }
    Ok((active.into_iter())
        .filter(|ignore| !fixed.contains(&ignore.id))
        .collect())
}

/// Ends the ignores whose date is `now` or earlier; a job announces each in
/// the threads of the images that still have the finding. The worker calls it
/// at start-up and every minute.
pub async fn expire(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<Vec<i64>> {
    let kind = JobKind::IgnoreEnded.as_str();
    let ended = state.store.end_ignores(now.timestamp(), &[], kind).await?;
    if !ended.is_empty() {
        tracing::info!(?ended, "ignores expired");
    }
    Ok(ended)
}

async fn announce_later(
    state: AppState,
    who: Requester,
    content: SlackMessageContent,
    thread: Option<String>,
) {
    match thread {
        Some(ts) => super::changes::announce_in_thread(&state, &who, &ts, content).await,
        None => announce(&state, &who, content).await,
    }
}

fn failed(error: anyhow::Error) -> SlackMessageContent {
    tracing::error!(error = format!("{error:#}"), "an ignore change failed");
    blocks::text(":x: The ignore could not be saved; nothing changed. Try again in a moment.")
}

/// What the Ignore… modal carries (its `private_metadata`): the image, and the
/// thread the button was in, where the ignore is announced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModalContext {
    pub channel: String,
    pub thread_ts: Option<String>,
    pub image: ButtonTarget,
}

/// The Ignore… button: opens the modal with the image's latest stored findings
/// (no AWS call: the click's `trigger_id` lasts only three seconds). A
/// non-admin, when admins are set, is told instead.
pub async fn open_modal(
    state: AppState,
    who: Requester,
    trigger_id: String,
    image: ButtonTarget,
    thread_ts: Option<String>,
) {
    if let Some(refusal) = refuse_unless_admin(&state, &who, "ignore findings", "ignores") {
        return super::respond(&state, &who, refusal).await;
    }
    let key = super::publish::image_key(&image.image());
    let scan = match state.store.last_scan(&image.repository, &key).await {
        Ok(scan) => scan,
        Err(error) => {
            let error = format!("{error:#}");
            return tracing::error!(error, "could not read the findings for the Ignore… modal");
        }
    };
    let report = match scan {
        Some(scan) => apart(&state, scan.into_report()).await.0,
        None => ScanReport {
            image: image.image(),
            kind: crate::scan::findings::ScanKind::Basic,
            status: crate::scan::findings::ScanStatus::Complete,
            completed_at: None,
            findings: Vec::new(),
        },
    };
    let context = ModalContext {
        channel: who.channel_id.clone(),
        thread_ts,
        image,
    };
    let metadata = serde_json::to_string(&context).expect("plain strings serialise");
    let view = blocks::ignore_modal(&report, metadata);
    if let Err(error) = state.slack.open_modal(&trigger_id, view).await {
        tracing::warn!(%error, "could not open the Ignore… modal");
    }
}

/// The Ignore… modal's inputs, as submitted.
#[derive(Debug, Clone, Default)]
pub struct ModalForm {
    pub finding: Option<String>,
    pub duration: Option<String>,
    pub date: Option<String>,
    pub reason: Option<String>,
}

/// What a submitted Ignore… modal asks for: the finding, in the image's
/// `repo:tag` (its repository when untagged), or, by input, what is wrong.
pub fn asked_in_modal(
    form: &ModalForm,
    image: &ButtonTarget,
) -> Result<Asked, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let vulnerability = match form.finding.as_deref().map(triage::vulnerability_id) {
        Some(Ok(id)) => Some(id),
        Some(Err(problem)) => {
            errors.push((blocks::FINDING_INPUT, problem));
            None
        }
        None => {
            errors.push((blocks::FINDING_INPUT, "Pick a finding.".into()));
            None
        }
    };
    let duration = match (form.duration.as_deref(), form.date.as_deref()) {
        (Some("30"), _) => Some(Duration::Days(30)),
        (Some("90"), _) => Some(Duration::Days(90)),
        (Some("fixed"), _) => Some(Duration::UntilFixed),
        (Some("date"), Some(date)) => match chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d") {
            Ok(date) => Some(Duration::Date(date)),
            Err(_) => {
                errors.push((blocks::DATE_INPUT, "Pick a date.".into()));
                None
            }
        },
        (Some("date"), None) => {
            errors.push((blocks::DATE_INPUT, "Pick the date the ignore ends.".into()));
            None
        }
        _ => {
            errors.push((blocks::DURATION_INPUT, "Pick how long.".into()));
            None
        }
    };
    let reason = form.reason.as_deref().map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        errors.push((
            blocks::REASON_INPUT,
            "Say why, so that the next person knows.".into(),
        ));
    } else if reason.chars().count() > crate::language::MAX_REASON {
        let max = crate::language::MAX_REASON;
        errors.push((
            blocks::REASON_INPUT,
            format!("Keep it to {max} characters."),
        ));
    }
    let pattern = match &image.tag {
        Some(tag) => format!("{}:{tag}", image.repository),
        None => image.repository.clone(),
    };
    let scope = match ImagePattern::parse(&pattern) {
        Ok(scope) => Some(scope),
        Err(problem) => {
            errors.push((blocks::FINDING_INPUT, problem));
            None
        }
    };
    match (vulnerability, duration, scope) {
        (Some(vulnerability), Some(duration), Some(scope)) if errors.is_empty() => Ok(Asked {
            vulnerability,
            scope: Some(scope),
            duration,
            reason: reason.to_string(),
        }),
        _ => Err(errors),
    }
}

/// Stores what a submitted Ignore… modal asks for and announces it in the
/// result's thread; by input, what is wrong when it cannot.
pub async fn submit_modal(
    state: &AppState,
    who: &Requester,
    form: &ModalForm,
    context: &ModalContext,
) -> Result<(), Vec<(&'static str, String)>> {
    if !state.settings.is_admin(&who.user_id) {
        let refusal = "Only the admins (ECRSCAN_ADMINS) may ignore findings.".to_string();
        return Err(vec![(blocks::FINDING_INPUT, refusal)]);
    }
    let asked = asked_in_modal(form, &context.image)?;
    match add(state, who, asked, context.thread_ts.clone(), Utc::now()).await {
        Ok(_) => Ok(()),
        Err(Refused::Mistake(problem)) => Err(vec![(blocks::DATE_INPUT, problem)]),
        Err(Refused::Store(error)) => {
            tracing::error!(error = format!("{error:#}"), "could not store an ignore");
            let problem = "The ignore could not be saved; try again in a moment.".to_string();
            Err(vec![(blocks::REASON_INPUT, problem)])
        }
    }
}
