//! `ecrscan preview EVENT.json [--findings FINDINGS.json]`: the messages the bot
//! would post for a scan event, rendered offline (no Slack or AWS settings), as
//! Block Kit JSON and as Block Kit Builder links, for reviewing the format.
//!
//! The messages come from [`publish::render`], as for a first scan of the image
//! posted in a channel; without a findings file, from the event's severity counts.

use std::path::Path;

pub mod home;

use anyhow::{Context, bail};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use slack_morphism::prelude::SlackMessageContent;

use crate::aws::report_from_json;
use crate::scan::events::{EcrScanStatus, ScanEvent, parse_event};
use crate::scan::findings::{ScanKind, ScanReport, ScanStatus, Severity};
use crate::scan::fold::fold;
use crate::scan::inspector::FindingEvent;
use crate::service::publish::{self, Planned};
use crate::slack::blocks;

/// Where Slack's Block Kit Builder takes a message in its URL fragment.
pub const BUILDER_URL: &str = "https://app.slack.com/block-kit-builder/#";

/// What JavaScript's `encodeURIComponent` leaves alone, as the Builder reads it back.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// One message the bot would post, and where.
#[derive(Debug, Clone)]
pub struct Message {
    /// Where it goes, in words ("the summary, in the channel").
    pub place: String,
    pub content: SlackMessageContent,
}

/// The messages for an EventBridge event (JSON) and, when given, a saved
/// `DescribeImageScanFindings` response (JSON) of the same image.
pub fn messages(event: &str, findings: Option<&str>) -> anyhow::Result<Vec<Message>> {
    let event = parse_event(event).context("EVENT is not an EventBridge event")?;
    if let ScanEvent::Finding(finding) = &event {
        return update(finding);
    }
    let Some(image) = event.image() else {
        if let ScanEvent::Other {
            source,
            detail_type,
        } = &event
        {
            bail!(
                "EVENT is a {source} `{detail_type}` event, not a scan result: the bot posts nothing for it"
            );
        }
        bail!("EVENT is not a scan result: the bot posts nothing for it");
    };
    let Some(findings) = findings else {
        let (report, counts) = from_event(&event, image);
        return Ok(vec![Message {
            place: "the summary, in the channel (findings not fetched)".into(),
            content: blocks::summary_of_counts(&report, counts.as_deref()),
        }]);
    };
    let report = report_from_json(image, findings)
        .context("FINDINGS is not a DescribeImageScanFindings response")?;
    let report = publish::as_reported(&event, report);
    let planned = publish::render(&report, None, Severity::Undefined, &[])
        .map(|rendered| publish::layout(rendered, publish::Thread::New, false))
        .unwrap_or_default();
    Ok(planned.into_iter().map(place).collect())
}

/// The update one `Inspector2 Finding` event makes, as the only event of its
/// image's window: in the image's thread when the channel has one, and as a
/// new thread otherwise.
fn update(event: &FindingEvent) -> anyhow::Result<Vec<Message>> {
    let folded = fold(&[], &[(event.arn.clone(), event.state.clone())], &[]);
    let report =
        publish::enhanced_report(event.image.clone(), folded.current, event.state.updated_at);
    let Some(rendered) = publish::render_update(&report, &folded.changes, Severity::Undefined, &[])
    else {
        bail!(
            "EVENT says a finding of {} is {}: a finding never announced that is not active posts nothing",
            event.image.display_name(),
            event.state.status.as_str()
        );
    };
    let in_thread = publish::layout(rendered.clone(), publish::Thread::Existing, false);
    let new_thread = publish::layout(rendered, publish::Thread::New, false);
    let placed = |planned: Vec<Planned>, when: &'static str| {
        planned.into_iter().map(place).map(move |m| Message {
            place: format!("{when}: {}", m.place),
            ..m
        })
    };
    let mut messages: Vec<Message> = placed(in_thread, "in the image's thread").collect();
    messages.extend(placed(new_thread, "where the image has no thread yet"));
    Ok(messages)
}

/// What the event alone tells: the image, scanner, status and time, and the counts
/// (`None`: the event carries none).
fn from_event(
    event: &ScanEvent,
    image: crate::scan::image::Image,
) -> (ScanReport, Option<Vec<(Severity, usize)>>) {
    let (kind, status, time, counts) = match event {
        ScanEvent::EcrScan {
            status,
            counts,
            time,
            ..
        } => {
            let status = match status {
                EcrScanStatus::Complete => ScanStatus::Complete,
                EcrScanStatus::Failed => {
                    ScanStatus::Failed("ECR reported the scan as failed".into())
                }
            };
            (ScanKind::Basic, status, *time, counts.clone())
        }
        ScanEvent::InspectorScan { counts, time, .. } => (
            ScanKind::Enhanced,
            ScanStatus::Complete,
            *time,
            counts.clone(),
        ),
        ScanEvent::Finding(_) | ScanEvent::Other { .. } => {
            unreachable!("only scan events come here")
        }
    };
    let report = ScanReport {
        image,
        kind,
        status,
        completed_at: Some(time),
        findings: Vec::new(),
    };
    (report, counts)
}

fn place(planned: Planned) -> Message {
    let (place, content) = match planned {
        Planned::Parent(content) => (
            "the summary, in the channel: it opens the image's thread",
            content,
        ),
        Planned::UpdateParent(content) => ("the thread's first message, updated", content),
        Planned::Reply {
            content,
            broadcast: true,
        } => ("a reply in the thread, also sent to the channel", content),
        Planned::Reply { content, .. } => ("a reply in the thread", content),
    };
    Message {
        place: place.into(),
        content,
    }
}

/// A link that opens the message's blocks in Slack's Block Kit Builder.
pub fn builder_link(content: &SlackMessageContent) -> String {
    let blocks = serde_json::json!({ "blocks": content.blocks.clone().unwrap_or_default() });
    format!(
        "{BUILDER_URL}{}",
        utf8_percent_encode(&blocks.to_string(), COMPONENT)
    )
}

/// What `ecrscan preview` prints: each message's place, its JSON, and its link.
pub fn report(messages: &[Message]) -> String {
    let total = messages.len();
    let mut out = String::new();
    for (i, message) in messages.iter().enumerate() {
        let json = serde_json::to_string_pretty(&message.content).expect("messages serialise");
        out.push_str(&format!(
            "Message {} of {total}: {}\n{json}\nBlock Kit Builder: {}\n\n",
            i + 1,
            message.place,
            builder_link(&message.content)
        ));
    }
    out
}

/// Reads the files and renders the report.
pub fn run(event: &Path, findings: Option<&Path>) -> anyhow::Result<String> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
    };
    let event = read(event)?;
    let findings = findings.map(read).transpose()?;
    Ok(report(&messages(&event, findings.as_deref())?))
}

#[cfg(test)]
mod tests;
