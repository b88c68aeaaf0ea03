//! A finished scan, into Slack: fetch every finding, compare with the previous
//! scan of the tag, render, and post what changed in the image's thread of every
//! channel that hears about it.
//!
//! The messages are planned once and stored with the job (together with the scan
//! history), then posted one by one, recording each success; a retried job
//! resumes where it stopped instead of posting again.

use serde::{Deserialize, Serialize};

use crate::aws::AwsError;
use crate::jobs::{Failure, ScanResult};
use crate::routing::targets;
use crate::scan::diff::diff;
use crate::scan::events::{self, EcrScanStatus, ScanEvent, parse_with_origin};
use crate::scan::findings::{ScanKind, ScanReport, ScanStatus};
use crate::scan::image::Image;
use crate::service::ignores;
use crate::state::AppState;
use crate::store::{Job, ScanRecord};

mod deliver;
mod digest;
mod ended;
mod place;
mod render;
mod update;

use deliver::deliver;
pub use digest::refresh_digest;
pub use ended::run_ended;
use place::place;
pub use render::{
    Planned, Rendered, SINCE_LAST_UPDATE, SINCE_PREVIOUS_SCAN, Thread, layout, render,
    render_update,
};
pub use update::{enhanced_report, run_update};

/// Everything to post for one scan, channel by channel.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Progress {
    /// `example:web-latest`, for reports.
    pub image: String,
    pub repository: String,
    pub image_key: String,
    pub deliveries: Vec<Delivery>,
}

/// What one channel gets, and how much of it Slack has taken.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Delivery {
    pub channel: String,
    pub parent_ts: Option<String>,
    pub messages: Vec<Planned>,
    pub sent: usize,
    /// Why Slack refused this channel for good, when it did (reported once).
    #[serde(default)]
    pub refused: Option<String>,
    /// The digest this result was folded into, when it was.
    #[serde(default)]
    pub digest_id: Option<i64>,
}

/// Runs one stored SNS notification.
pub async fn run(state: &AppState, job: &Job) -> Result<(), Failure> {
    let progress = match &job.progress {
        Some(progress) => serde_json::from_str(progress).map_err(permanent)?,
        None => match plan(state, job).await? {
            Some(progress) => progress,
            None => return Ok(()),
        },
    };
    deliver(state, job, progress).await
}

/// What the scan history keeps of a complete scan, for the next one's changes:
/// its findings, and since when they are the same.
fn scan_record(report: &ScanReport, key: &str, previous: Option<&ScanRecord>) -> ScanRecord {
    let image = &report.image;
    let scanned_at = report
        .completed_at
        .unwrap_or_else(chrono::Utc::now)
        .timestamp();
    let unchanged = previous.filter(|p| diff(&p.findings, &report.findings).is_empty());
    ScanRecord {
        repository: image.repository.clone(),
        image_key: key.to_string(),
        digest: image.digest.clone(),
        scanned_at,
        changed_at: unchanged.map_or(scanned_at, |p| p.changed_at),
        kind: report.kind,
        findings: report.findings.clone(),
    }
}

/// `tag:web-latest`, or `digest:sha256:…` for an untagged image.
pub fn image_key(image: &Image) -> String {
    match image.tags.first() {
        Some(tag) => format!("tag:{tag}"),
        None => format!("digest:{}", image.digest),
    }
}

async fn plan(state: &AppState, job: &Job) -> Result<Option<Progress>, Failure> {
    let msg: ScanResult = serde_json::from_str(&job.payload).map_err(permanent)?;
    let (event, origin) = match parse_with_origin(&msg.event) {
        Ok(parsed) => parsed,
        Err(error) => {
            tracing::info!(message_id = %msg.message_id, %error, "not a scan event; nothing to post");
            return Ok(None);
        }
    };
    let attribute = |image| {
        let registries = &state.settings.registries;
        (registries.attribute(image, &origin.account, &origin.region)).map_err(Failure::Permanent)
    };
    if let ScanEvent::Finding(mut finding) = event {
        finding.image = attribute(finding.image)?;
        update::stage(state, &finding).await?;
        return Ok(None);
    }
    let Some(image) = event.image() else {
        tracing::info!(message_id = %msg.message_id, ?event, "not a scan result; nothing to post");
        return Ok(None);
    };
    let image = attribute(image)?;
    let report = fetch_report(state, &event, image).await?;
    let image = &report.image;
    let key = image_key(image);
    let store = &state.store;
    let request = store.scan_request(&image.repository, &image.digest).await?;
    let subscriptions = store.subscriptions(None).await?;
    let fallback = state.settings.channel.as_deref();
    let targets = targets(
        &state.settings.registries,
        image,
        request.as_ref(),
        &subscriptions,
        fallback,
    );
    if targets.is_empty() {
        tracing::warn!(image = %image.display_name(), "no subscription matches and no ECRSCAN_CHANNEL: not posted");
    }
    let complete = report.status == ScanStatus::Complete;
    let previous = match complete {
        true => store.last_scan(&image.repository, &key).await?,
        false => None,
    };
    let ignores = ignores::in_force(state, image, &report.findings).await?;
    let running = store
        .running_place(&image.repository, &image.digest)
        .await?;
    let mut deliveries = Vec::new();
    for target in targets {
        let min = target.min_severity;
        let Some(rendered) = render(&report, previous.as_ref(), min, &ignores) else {
            continue;
        };
        let rendered = rendered.running_in(running.as_deref());
        deliveries.extend(place(state, image, &key, target, rendered).await?);
    }
    let record = complete.then(|| scan_record(&report, &key, previous.as_ref()));
    let repository = image.repository.clone();
    let progress = Progress {
        image: image.display_name(),
        repository,
        image_key: key,
        deliveries,
    };
    store
        .save_plan(job.id, &to_json(&progress)?, record.as_ref())
        .await?;
    if request.is_some() {
        store
            .delete_scan_request(&image.repository, &image.digest)
            .await?;
    }
    Ok(Some(progress))
}

/// Every finding of the scanned image; a failed scan's reason when it failed.
async fn fetch_report(
    state: &AppState,
    event: &ScanEvent,
    image: Image,
) -> Result<ScanReport, Failure> {
    match state.ecr.findings(&image).await {
        Ok(report) => Ok(as_reported(event, report)),
        Err(AwsError::ScanNotFound) if failed(event) => Ok(ScanReport {
            image,
            kind: ScanKind::Basic,
            status: ScanStatus::Failed("ECR gave no reason".into()),
            completed_at: None,
            findings: Vec::new(),
        }),
        Err(error @ (AwsError::RepositoryNotFound | AwsError::ImageNotFound)) => Err(
            Failure::Permanent(format!("{} is gone: {error}", image.display_name())),
        ),
        Err(error) => Err(Failure::retry(error)),
    }
}

/// The findings ECR gave, corrected by what the event says (failure, scanner, and
/// its counts when ECR lists fewer findings): see [`events::as_reported`].
pub fn as_reported(event: &ScanEvent, report: ScanReport) -> ScanReport {
    events::as_reported(event, report)
}

fn failed(event: &ScanEvent) -> bool {
    matches!(
        event,
        ScanEvent::EcrScan {
            status: EcrScanStatus::Failed,
            ..
        }
    )
}

pub(crate) fn to_json(progress: &Progress) -> Result<String, Failure> {
    serde_json::to_string(progress).map_err(permanent)
}

fn permanent(error: serde_json::Error) -> Failure {
    Failure::Permanent(error.to_string())
}
