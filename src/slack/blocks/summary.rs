//! The messages of a scan's thread: "scan started" and the summary of the result.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use slack_morphism::prelude::*;

use super::changes::has_new_critical;
use super::findings::{counted, fallback, heading, state};
use super::format::{
    code, context, counts_words, escape_within, finding_line, findings_count, mention, message,
    more_line, pack, section, status_line, time,
};
use crate::scan::diff::Changes;
use crate::scan::findings::{Finding, ScanKind, ScanReport, ScanStatus, Severity, total};
use crate::scan::image::Image;
use crate::slack::limits::{MAX_BUTTON_VALUE, MAX_SECTION_TEXT};

/// `action_id` of the "Rescan" button.
pub const RESCAN_ACTION: &str = "rescan";
/// `action_id` of the "All findings" button.
pub const ALL_FINDINGS_ACTION: &str = "all_findings";
/// `action_id` of the "Ignore…" button: it opens the modal to ignore a finding.
pub const IGNORE_ACTION: &str = "ignore";

/// New findings listed in a summary; the rest are counted.
const NEW_SHOWN: usize = 10;
/// Fixed findings listed in a summary; the rest are counted.
const FIXED_SHOWN: usize = 5;

/// The image a summary button acts on, carried as JSON in the button's `value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ButtonTarget {
    pub repository: String,
    pub digest: String,
    #[serde(default)]
    pub tag: Option<String>,
}

impl ButtonTarget {
    /// The image by repository, digest and first tag.
    pub fn of(image: &Image) -> Self {
        ButtonTarget {
            repository: image.repository.clone(),
            digest: image.digest.clone(),
            tag: image.tags.first().cloned(),
        }
    }

    /// The JSON for a button's `value`, within Slack's 2,000 characters: the
    /// tag is left out when it would not fit, and `None` when even repository
    /// and digest do not (no real ECR name is that long).
    pub fn to_value(&self) -> Option<String> {
        let untagged = ButtonTarget {
            tag: None,
            ..self.clone()
        };
        [self, &untagged]
            .into_iter()
            .map(|target| serde_json::to_string(target).expect("plain strings serialise"))
            .find(|json| json.chars().count() <= MAX_BUTTON_VALUE)
    }

    /// The image it names, with its tag when it has one.
    pub fn image(&self) -> Image {
        Image {
            repository: self.repository.clone(),
            digest: self.digest.clone(),
            tags: self.tag.iter().cloned().collect(),
        }
    }

    /// Reads a button's `value` back.
    pub fn from_value(value: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(value)
    }
}

/// The in-channel "scan started" message; results are threaded under it.
pub fn scan_started(image: &Image, user_id: &str) -> SlackMessageContent {
    let text = format!(
        "Scan of {} ({}) started by {}",
        code(&image.display_name(), 300),
        escape_within(image.short_digest(), 80),
        mention(user_id),
    );
    let blocks = vec![
        section(text.clone()),
        context("Results will be posted in this thread.".into()),
    ];
    message(text, blocks)
}

/// The summary of a finished scan, with what changed since the previous one
/// (`None`: this is the first scan of the tag; only a complete scan is compared),
/// when nothing did, since when the findings are the same (`unchanged_since`),
/// and how many findings an ignore hides (`ignored`; they are not in `report`,
/// and never named here: a summary may be a new message in the channel).
pub fn summary(
    report: &ScanReport,
    changes: Option<&Changes>,
    unchanged_since: Option<DateTime<Utc>>,
    ignored: usize,
) -> SlackMessageContent {
    let mut blocks = heading(report, true);
    blocks.push(state(report, ignored));
    let complete = report.status == ScanStatus::Complete;
    if complete {
        blocks.extend(what_changed(report, changes, unchanged_since));
    }
    let news = match changes {
        None => !report.findings.is_empty(),
        Some(changes) => !changes.new.is_empty() || !changes.reopened.is_empty(),
    };
    blocks.extend(buttons(report, complete && news));

    let mut fallback = fallback(report);
    match changes {
        Some(changes) if changes.is_empty() => {
            fallback = format!("{fallback}; unchanged since {}", compared_with(report));
        }
        Some(changes) => {
            fallback = format!(
                "{fallback}; since {}: {} new, {} fixed",
                compared_with(report),
                changes.new.len(),
                changes.fixed.len()
            );
        }
        None => {}
    }
    if ignored > 0 {
        fallback = format!("{fallback} · {ignored} ignored");
    }
    if changes.is_some_and(has_new_critical) {
        fallback = format!("New critical findings. {fallback}");
    }
    message(fallback, blocks)
}

/// A summary that also says where its image runs ("prod/web, 3 tasks"), below
/// its heading and in its notification text: a result for an image that runs
/// matters more than one for an image that does not.
pub fn running_in(summary: SlackMessageContent, place: &str) -> SlackMessageContent {
    let place = escape_within(place, 500);
    let mut blocks = summary.blocks.unwrap_or_default();
    let line = context(format!(":arrow_forward: Running in {place}"));
    blocks.insert(blocks.len().min(2), line);
    let fallback = summary.text.unwrap_or_default();
    message(format!("{fallback}; running in {place}"), blocks)
}

/// The summary of a scan known only from its event's severity counts, most severe
/// first (`ecrscan preview` without a findings file; `None`: the event carries no
/// counts): it says the findings were not fetched. `report` gives the image, kind,
/// status and time; its findings are ignored.
pub fn summary_of_counts(
    report: &ScanReport,
    counts: Option<&[(Severity, usize)]>,
) -> SlackMessageContent {
    let name = escape_within(&report.image.display_name(), 400);
    let (line, fallback) = match counts.map(|c| (c, total(c))) {
        None => (
            ":grey_question: The scan event carries no severity counts.".to_string(),
            format!("{name}: no severity counts in the scan event"),
        ),
        Some((_, 0)) => (
            "*No findings* in the scan event.".to_string(),
            format!("{name}: no findings"),
        ),
        Some((counts, n)) => (
            counted(counts),
            format!("{name}: {} ({})", findings_count(n), counts_words(counts)),
        ),
    };
    let failed = matches!(report.status, ScanStatus::Failed(_));
    let (state, fallback) = match status_line(&report.status) {
        // A failed scan found nothing to count: its reason is all there is to say.
        Some(status) if failed => (status, format!("{name}: scan failed")),
        Some(status) => (format!("{status}\n{line}"), fallback),
        None => (line, fallback),
    };
    let mut blocks = heading(report, true);
    blocks.push(section(state));
    let source = match counts {
        Some(_) => ": these are the event's severity counts",
        None => "",
    };
    blocks.push(context(format!(
        ":information_source: Findings not fetched{source}. \
         The bot posts each finding too, from `DescribeImageScanFindings`."
    )));
    blocks.extend(buttons(report, false));
    message(format!("{fallback} (findings not fetched)"), blocks)
}

/// What a result is compared with: the previous scan of the tag, or, for
/// enhanced scanning (Amazon Inspector rescans on its own and reports each
/// change), the last update posted.
fn compared_with(report: &ScanReport) -> &'static str {
    match report.kind {
        ScanKind::Basic => "the previous scan",
        ScanKind::Enhanced => "the last update",
    }
}

fn what_changed(
    report: &ScanReport,
    changes: Option<&Changes>,
    unchanged_since: Option<DateTime<Utc>>,
) -> Vec<SlackBlock> {
    let Some(changes) = changes else {
        return vec![context(
            ":new: First scan of this tag: nothing to compare with yet.".into(),
        )];
    };
    let (new, fixed, unchanged) = (changes.new.len(), changes.fixed.len(), changes.unchanged);
    if changes.is_empty() {
        let since = unchanged_since.or(report.completed_at);
        return vec![section(format!(
            "*Last scanned* {} · *unchanged since* {} ({unchanged} unchanged).",
            time(report.completed_at),
            time(since)
        ))];
    }
    let mut blocks = vec![section(format!(
        "*Since {}*: {new} new · {fixed} fixed · {unchanged} unchanged",
        compared_with(report)
    ))];
    blocks.extend(listed("New", &changes.new, NEW_SHOWN));
    blocks.extend(listed("Fixed", &changes.fixed, FIXED_SHOWN));
    blocks
}

/// `*New*` and the first `shown` findings (already most severe first), the rest counted.
fn listed(title: &str, findings: &[Finding], shown: usize) -> Vec<SlackBlock> {
    if findings.is_empty() {
        return vec![];
    }
    let lines = std::iter::once(format!("*{title}*"))
        .chain(findings.iter().take(shown).map(|f| finding_line(f, true)));
    let mut blocks: Vec<SlackBlock> = pack(lines, MAX_SECTION_TEXT)
        .into_iter()
        .map(section)
        .collect();
    if let Some(more) = more_line(findings.iter().skip(shown), &title.to_lowercase()) {
        blocks.push(context(more));
    }
    blocks
}

/// All findings, Rescan for a basic scan, and Ignore… when the result brings
/// new findings (`ignorable`). ECR refuses manual scans on an enhanced
/// registry, so an enhanced scan's summary says Inspector rescans instead.
fn buttons(report: &ScanReport, ignorable: bool) -> Vec<SlackBlock> {
    let enhanced = report.kind == ScanKind::Enhanced;
    let mut blocks = Vec::new();
    if enhanced {
        blocks.push(context(
            ":arrows_counterclockwise: Amazon Inspector rescans this image continuously: \
             there is no scan to start by hand."
                .into(),
        ));
    }
    let Some(value) = ButtonTarget::of(&report.image).to_value() else {
        return blocks;
    };
    let button = |text: &str, action: &str| -> SlackActionBlockElement {
        SlackBlockButtonElement::new(pt!(text.to_string()))
            .with_action_id(action.to_string().into())
            .with_value(value.clone())
            .into()
    };
    let mut elements = vec![button("All findings", ALL_FINDINGS_ACTION)];
    if !enhanced {
        elements.insert(0, button("Rescan", RESCAN_ACTION));
    }
    if ignorable {
        elements.push(button("Ignore…", IGNORE_ACTION));
    }
    blocks.push(SlackActionsBlock::new(elements).into());
    blocks
}

#[cfg(test)]
mod tests;
