//! Enhanced scanning, continuously: each `Inspector2 Finding` event is staged
//! for its image; when the image's window (`ECRSCAN_FINDING_WINDOW_SECS`) closes,
//! one job folds what arrived into one update per channel, posted in the
//! image's thread as scan results are: what is new, what closed, what came
//! back; nothing when nothing a user sees changed.

use chrono::{DateTime, Utc};

use super::{Progress, deliver, image_key, permanent, place, render_update, to_json};
use crate::jobs::{Failure, FindingUpdate, JobKind};
use crate::routing::targets;
use crate::scan::findings::{Finding, ScanKind, ScanReport, ScanStatus};
use crate::scan::fold::{Folded, fold};
use crate::scan::image::Image;
use crate::scan::inspector::{FindingEvent, FindingState};
use crate::service::ignores;
use crate::state::AppState;
use crate::store::{Fold, Job, NewStagedFinding, StagedFinding};

/// Stages one event; the first of a window opens the image's batch, whose job
/// is due when the window closes.
pub(super) async fn stage(state: &AppState, event: &FindingEvent) -> Result<(), Failure> {
    let now = Utc::now().timestamp();
    let window = state.settings.finding_window.as_secs() as i64;
    let kind = JobKind::FindingUpdate.as_str();
    let staged = NewStagedFinding::from(event);
    let opened = state
        .store
        .stage_finding(&staged, kind, now, window)
        .await?;
    tracing::info!(image = %event.image.display_name(), arn = %event.arn, opened, "finding staged");
    Ok(())
}

/// Runs a [`JobKind::FindingUpdate`] job.
pub async fn run_update(state: &AppState, job: &Job) -> Result<(), Failure> {
    let progress = match &job.progress {
        Some(progress) => serde_json::from_str(progress).map_err(permanent)?,
        None => plan_update(state, job).await?,
    };
    deliver(state, job, progress).await
}

/// Folds the image's staged events, plans the update of every channel it
/// routes to, and records both (the plan, and the findings as now announced)
/// in one transaction.
async fn plan_update(state: &AppState, job: &Job) -> Result<Progress, Failure> {
    let batch: FindingUpdate = serde_json::from_str(&job.payload).map_err(permanent)?;
    let store = &state.store;
    let staged = store
        .staged_findings(&batch.repository, &batch.digest)
        .await?;
    let image = Image {
        repository: batch.repository.clone(),
        digest: batch.digest.clone(),
        tags: staged.last().map(|s| s.tags.clone()).unwrap_or_default(),
    };
    let key = image_key(&image);
    let folded = folded(state, &image, &key, &staged).await?;
    let latest = staged.iter().filter_map(|s| s.state.updated_at).max();
    let report = enhanced_report(image, folded.current.clone(), latest);
    let image = &report.image;
    let subscriptions = store.subscriptions(None).await?;
    let fallback = state.settings.channel.as_deref();
    let ignores = ignores::in_force(state, image, &report.findings).await?;
    let running = store
        .running_place(&image.repository, &image.digest)
        .await?;
    let mut deliveries = Vec::new();
    for target in targets(
        &state.settings.registries,
        image,
        None,
        &subscriptions,
        fallback,
    ) {
        let min = target.min_severity;
        let Some(rendered) = render_update(&report, &folded.changes, min, &ignores) else {
            continue;
        };
        let rendered = rendered.running_in(running.as_deref());
        deliveries.extend(place(state, image, &key, target, rendered).await?);
    }
    if deliveries.is_empty() {
        tracing::info!(image = %image.display_name(), events = staged.len(), "nothing a user sees changed: not posted");
    }
    let progress = Progress {
        image: image.display_name(),
        repository: image.repository.clone(),
        image_key: key,
        deliveries,
    };
    let states: Vec<(String, String)> = (folded.states.iter())
        .map(|(arn, s)| Ok((arn.clone(), serde_json::to_string(s).map_err(permanent)?)))
        .collect::<Result<_, Failure>>()?;
    let fold = Fold {
        repository: &image.repository,
        digest: &image.digest,
        upto: staged.last().map_or(0, |s| s.id),
        states: &states,
        kind: JobKind::FindingUpdate.as_str(),
        now: Utc::now().timestamp(),
        window: state.settings.finding_window.as_secs() as i64,
    };
    store.save_fold(job.id, &to_json(&progress)?, &fold).await?;
    Ok(progress)
}

/// The staged events folded into what was announced of the image: by its
/// findings' ARNs, and by its scan result, whose findings were listed already.
async fn folded(
    state: &AppState,
    image: &Image,
    key: &str,
    staged: &[StagedFinding],
) -> Result<Folded, Failure> {
    let store = &state.store;
    let known: Vec<(String, FindingState)> = (store.known_findings(&image.repository, &image.digest))
        .await?
        .into_iter()
        .filter_map(|(arn, json)| match serde_json::from_str(&json) {
            Ok(state) => Some((arn, state)),
            Err(error) => {
                tracing::warn!(%arn, %error, "an announced finding cannot be read back; taken as unknown");
                None
            }
        })
        .collect();
    let scan = store.last_scan(&image.repository, key).await?;
    let baseline = scan
        .filter(|scan| scan.digest == image.digest)
        .map(|scan| scan.findings)
        .unwrap_or_default();
    let events: Vec<(String, FindingState)> = (staged.iter())
        .map(|s| (s.arn.clone(), s.state.clone()))
        .collect();
    Ok(fold(&known, &events, &baseline))
}

/// The image as Amazon Inspector now sees it: its active `findings`, as of its
/// latest event (`updated_at`, Unix seconds; now when unknown).
pub fn enhanced_report(
    image: Image,
    findings: Vec<Finding>,
    updated_at: Option<i64>,
) -> ScanReport {
    ScanReport {
        image,
        kind: ScanKind::Enhanced,
        status: ScanStatus::Complete,
        completed_at: updated_at
            .and_then(|at| DateTime::from_timestamp(at, 0))
            .or_else(|| Some(Utc::now())),
        findings,
    }
}
