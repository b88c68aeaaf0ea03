//! A finished scan, into Slack: fetch every finding, compare with the previous
//! scan of the tag, render, and post in the image's thread of every channel that
//! hears about it.
//!
//! The messages are planned once and stored with the job (together with the scan
//! history), then posted one by one, recording each success; a retried job
//! resumes where it stopped instead of posting again.

use serde::{Deserialize, Serialize};
use slack_morphism::prelude::SlackMessageContent;

use crate::aws::AwsError;
use crate::jobs::{Failure, ScanResult};
use crate::routing::{Target, targets};
use crate::scan::diff::diff;
use crate::scan::events::{EcrScanStatus, ScanEvent, parse_event};
use crate::scan::findings::{Finding, ScanKind, ScanReport, ScanStatus, Severity};
use crate::scan::image::Image;
use crate::slack::blocks;
use crate::state::AppState;
use crate::store::{Job, ScanRecord};

mod deliver;

use deliver::deliver;

/// One message of a plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Planned {
    /// A new message in the channel; it becomes the image's thread.
    Parent(SlackMessageContent),
    /// Refresh the thread's parent with the latest summary.
    UpdateParent(SlackMessageContent),
    /// A reply in the thread.
    Reply {
        content: SlackMessageContent,
        broadcast: bool,
    },
}

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

/// What the scan history keeps of a complete scan, for the next one's changes.
fn scan_record(report: &ScanReport, key: &str) -> ScanRecord {
    let image = &report.image;
    ScanRecord {
        repository: image.repository.clone(),
        image_key: key.to_string(),
        digest: image.digest.clone(),
        scanned_at: report
            .completed_at
            .unwrap_or_else(chrono::Utc::now)
            .timestamp(),
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
    let event = match parse_event(&msg.event) {
        Ok(event) => event,
        Err(error) => {
            tracing::info!(message_id = %msg.message_id, %error, "not a scan event; nothing to post");
            return Ok(None);
        }
    };
    if let ScanEvent::Finding(finding) = &event {
        tracing::info!(message_id = %msg.message_id, arn = %finding.arn, "a finding event, not a scan result; nothing to post");
        return Ok(None);
    }
    let Some(image) = event.image() else {
        tracing::info!(message_id = %msg.message_id, ?event, "not a scan result; nothing to post");
        return Ok(None);
    };
    let report = fetch_report(state, &event, image).await?;
    let image = &report.image;
    let key = image_key(image);
    let store = &state.store;
    let request = store.scan_request(&image.repository, &image.digest).await?;
    let subscriptions = store.subscriptions(None).await?;
    let fallback = state.settings.channel.as_deref();
    let targets = targets(image, request.as_ref(), &subscriptions, fallback);
    if targets.is_empty() {
        tracing::warn!(image = %image.display_name(), "no subscription matches and no ECRSCAN_CHANNEL: not posted");
    }
    let complete = report.status == ScanStatus::Complete;
    let previous = match complete {
        true => store.last_scan(&image.repository, &key).await?,
        false => None,
    };
    let mut deliveries = Vec::new();
    for target in targets {
        let Some(rendered) = render(&report, previous.as_ref(), target.min_severity) else {
            continue;
        };
        deliveries.push(deliver_to(state, image, &key, target, rendered).await?);
    }
    let record = complete.then(|| scan_record(&report, &key));
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

/// One channel's view of a result.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub summary: SlackMessageContent,
    /// Every finding, over as many replies as needed (none for a scan not complete).
    pub details: Vec<SlackMessageContent>,
    pub new_critical: bool,
}

/// Where a result's messages go in a channel.
#[derive(Debug, Clone)]
pub enum Thread {
    /// A new thread: the summary is its parent.
    New,
    /// The image's thread (or the "scan started" message): refresh the parent,
    /// reply with the summary.
    Existing,
    /// The channel's digest, with its refreshed text; `posted` once it exists.
    Digest {
        head: Box<SlackMessageContent>,
        posted: bool,
    },
}

/// A result for one channel: findings below `min` left out, and `None` when a
/// channel with a minimum has nothing at or above it, found or fixed. Pure:
/// `ecrscan preview` shows exactly this.
pub fn render(
    report: &ScanReport,
    previous: Option<&ScanRecord>,
    min: Severity,
) -> Option<Rendered> {
    let counts = |f: &&Finding| f.severity <= min;
    let report = ScanReport {
        findings: report.findings.iter().filter(counts).cloned().collect(),
        ..report.clone()
    };
    let changes = previous.map(|p| {
        let before: Vec<Finding> = p.findings.iter().filter(counts).cloned().collect();
        diff(&before, &report.findings)
    });
    let complete = report.status == ScanStatus::Complete;
    let nothing_fixed = changes.as_ref().is_none_or(|c| c.fixed.is_empty());
    if complete && min != Severity::Undefined && nothing_fixed && report.findings.is_empty() {
        return None;
    }
    Some(Rendered {
        summary: blocks::summary(&report, changes.as_ref()),
        details: if complete {
            blocks::details(&report)
        } else {
            Vec::new()
        },
        new_critical: changes.as_ref().is_some_and(blocks::has_new_critical),
    })
}

/// The messages of a rendered result in posting order. Pure.
pub fn layout(rendered: Rendered, thread: Thread) -> Vec<Planned> {
    let summary_reply = Planned::Reply {
        content: rendered.summary.clone(),
        broadcast: rendered.new_critical,
    };
    let mut messages = match thread {
        Thread::New => vec![Planned::Parent(rendered.summary)],
        Thread::Existing => vec![Planned::UpdateParent(rendered.summary), summary_reply],
        Thread::Digest {
            head,
            posted: false,
        } => vec![Planned::Parent(*head), summary_reply],
        Thread::Digest { head, posted: true } => vec![Planned::UpdateParent(*head), summary_reply],
    };
    let details = rendered.details.into_iter();
    messages.extend(details.map(|content| Planned::Reply {
        content,
        broadcast: false,
    }));
    messages
}

/// Where and how a result goes in one channel: under the "scan started" message,
/// in the image's thread, in a new thread, or folded into the channel's digest
/// when more than `ECRSCAN_DIGEST_THRESHOLD` results reached it within the window.
async fn deliver_to(
    state: &AppState,
    image: &Image,
    key: &str,
    target: Target,
    rendered: Rendered,
) -> anyhow::Result<Delivery> {
    let store = &state.store;
    let now = chrono::Utc::now().timestamp();
    let window = state.settings.digest_window.as_secs();
    let recent = store
        .count_result(&target.channel, now, window as i64)
        .await?;
    let folded = target.started_ts.is_none() && recent > i64::from(state.settings.digest_threshold);
    let (parent_ts, digest_id, thread) = if folded {
        let digest = store
            .join_digest(&target.channel, now, window as i64)
            .await?;
        let head = Box::new(blocks::digest(
            digest.results,
            window,
            &image.display_name(),
        ));
        let posted = digest.ts.is_some();
        (digest.ts, Some(digest.id), Thread::Digest { head, posted })
    } else {
        let channel = &target.channel;
        let parent_ts = match &target.started_ts {
            Some(ts) => {
                store
                    .save_image_thread(&image.repository, key, channel, ts)
                    .await?;
                Some(ts.clone())
            }
            None => store.image_thread(&image.repository, key, channel).await?,
        };
        let thread = if parent_ts.is_some() {
            Thread::Existing
        } else {
            Thread::New
        };
        (parent_ts, None, thread)
    };
    Ok(Delivery {
        channel: target.channel,
        parent_ts,
        messages: layout(rendered, thread),
        sent: 0,
        refused: None,
        digest_id,
    })
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

/// The findings ECR gave, with the event's word on failure: a scan the event says
/// failed is shown as failed whatever the findings' status says.
pub fn as_reported(event: &ScanEvent, report: ScanReport) -> ScanReport {
    match report.status {
        ScanStatus::Failed(_) => report,
        _ if failed(event) => ScanReport {
            status: ScanStatus::Failed("ECR reported the scan as failed".into()),
            ..report
        },
        _ => report,
    }
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
