//! `ignore`, `ignores`, `unignore`: findings left out of the announcements for
//! a while, on the record; and the ignores in force when a result is published.

use chrono::{DateTime, Utc};
use slack_morphism::prelude::SlackMessageContent;

use super::Requester;
use super::changes::{announce, audit, refuse_unless_admin};
use crate::jobs::JobKind;
use crate::language::Usage;
use crate::routing::ImagePattern;
use crate::scan::findings::{Finding, ScanReport};
use crate::scan::image::Image;
use crate::slack::blocks;
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
            scope_words(ignore.scope.as_ref())
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
            let action = format!(
                "unignore {vulnerability} in {}",
                scope_str_or_all(scope_str)
            );
            audit(state, who, action).await;
            let removed = Ignore {
                id: 0,
                vulnerability: vulnerability.clone(),
                scope: scope.clone(),
                until: Until::Fixed,
                reason: String::new(),
                created_by: who.user_id.clone(),
                channel: who.channel_id.clone(),
                created_at: now,
            };
            let news = blocks::unignored(&who.user_id, &removed);
            state.spawn(announce_later(state.clone(), who.clone(), news, None));
            blocks::text(&format!(
                ":white_check_mark: *{}* is announced again {}.",
                blocks::escape(&vulnerability),
                scope_words(scope.as_ref())
            ))
        }
        Ok(false) => match store.active_ignores(now).await {
            Ok(active) => {
                let same: Vec<&Ignore> = (active.iter())
                    .filter(|i| i.vulnerability == vulnerability)
                    .collect();
                blocks::no_such_ignore(&vulnerability, scope_str, &same)
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
        anyhow::Ok(hiding(active, &histories))
    };
    match listed.await {
        Ok(list) => blocks::ignores(&list),
        Err(error) => failed(error),
    }
}

/// Each ignore with how many findings of the images' latest results it hides.
fn hiding(active: Vec<Ignore>, histories: &[ImageHistory]) -> Vec<(Ignore, usize)> {
    let images: Vec<(Image, &[Finding])> = (histories.iter())
        .map(|h| (h.latest.image(), h.latest.findings.as_slice()))
        .collect();
    active
        .into_iter()
        .map(|ignore| {
            let hides = (images.iter())
                .map(|(image, findings)| findings.iter().filter(|f| ignore.hides(f, image)).count())
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
    let (findings, hidden) = triage::split(&report.findings, &report.image, &ignores);
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
        .filter(|ignore| ignore.covers(image))
        .collect();
    let fixed: Vec<i64> = (triage::fixed(findings, image, &active).into_iter())
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

fn scope_str_or_all(scope: &str) -> &str {
    match scope {
        "" => "*",
        scope => scope,
    }
}

/// `in every image`, or `in `example:web-*``.
fn scope_words(scope: Option<&ImagePattern>) -> String {
    match scope {
        None => "in every image".into(),
        Some(pattern) => format!("in {}", blocks::code(pattern.as_str(), 300)),
    }
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
