//! What a result says in one channel, and in which messages: pure, so that
//! `ecrscan preview` shows exactly what is posted.

use serde::{Deserialize, Serialize};
use slack_morphism::prelude::SlackMessageContent;

use crate::scan::burst::Outcome;
use crate::scan::diff::{Changes, diff};
use crate::scan::findings::{Finding, ScanReport, ScanStatus, Severity};
use crate::slack::blocks;
use crate::store::ScanRecord;
use crate::triage::{Ignore, split};

/// Said of a rescan's changes.
pub const SINCE_PREVIOUS_SCAN: &str = "since the previous scan";
/// Said of the changes Amazon Inspector reported for an image.
pub const SINCE_LAST_UPDATE: &str = "since the last update";

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

/// One channel's view of a result.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The thread's parent: the image's state now.
    pub summary: SlackMessageContent,
    /// Every finding, over as many replies as needed (none for a scan not complete).
    pub details: Vec<SlackMessageContent>,
    /// What changed since the previous scan, over as many replies as needed
    /// (none when nothing did, or when there is nothing to compare with).
    pub changes: Vec<SlackMessageContent>,
    pub outcome: Outcome,
    /// The ids of the CRITICAL findings this result brings: new since the
    /// previous scan, or all of them in a first scan.
    pub criticals: Vec<String>,
    /// Whether the result is broadcast to the channel from an existing thread:
    /// a CRITICAL finding new since the previous scan, or (enhanced scanning) a
    /// new CRITICAL or a new HIGH with a known exploit.
    pub new_critical: bool,
    /// Whether the image runs (set by [`Rendered::running_in`]): a digest names
    /// the images that run first.
    pub running: bool,
}

impl Rendered {
    /// The same, its summary saying where the image runs, when ecrscan knows
    /// (`None`: it does not, or the image runs nowhere).
    pub fn running_in(self, place: Option<&str>) -> Rendered {
        match place {
            Some(place) => Rendered {
                summary: blocks::running_in(self.summary, place),
                running: true,
                ..self
            },
            None => self,
        }
    }
}

/// Where a result's messages go in a channel.
#[derive(Debug, Clone)]
pub enum Thread {
    /// A new thread: the summary is its parent.
    New,
    /// The image's thread (or the "scan started" message).
    Existing,
    /// The channel's digest of a burst; `head` is its message when it is not
    /// posted yet.
    Digest {
        head: Option<Box<SlackMessageContent>>,
    },
}

/// A result for one channel: findings below `min` left out, and `None` when a
/// channel with a minimum has nothing at or above it, found or fixed.
///
/// `ignores` are those in force for the image ([`ignores::in_force`](crate::service::ignores::in_force)).
/// A finding that one of them hides is left out of both scans, so it is
/// never new, fixed or broadcast; the summary counts it, and a thread reply
/// names it.
pub fn render(
    report: &ScanReport,
    previous: Option<&ScanRecord>,
    min: Severity,
    ignores: &[Ignore],
) -> Option<Rendered> {
    let counts = |f: &&Finding| f.severity <= min && !ignores.iter().any(|i| i.names(f));
    let status = match &report.status {
        ScanStatus::FindingsPending(pending) => {
            let pending: Vec<_> = pending.iter().filter(|(s, _)| *s <= min).copied().collect();
            if pending.is_empty() && min != Severity::Undefined {
                return None;
            }
            ScanStatus::FindingsPending(pending)
        }
        status => status.clone(),
    };
    let at_least: Vec<Finding> = (report.findings.iter())
        .filter(|f| f.severity <= min)
        .cloned()
        .collect();
    let (findings, hidden) = split(&at_least, ignores);
    let report = ScanReport {
        findings,
        status,
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
    let unchanged_since = previous
        .filter(|_| changes.as_ref().is_some_and(Changes::is_empty))
        .and_then(|p| chrono::DateTime::from_timestamp(p.changed_at, 0));
    let outcome = match &changes {
        _ if matches!(report.status, ScanStatus::Failed(_)) => Outcome::Failed,
        _ if !complete => Outcome::Pending,
        None => Outcome::First,
        Some(changes) if changes.is_empty() => Outcome::Unchanged,
        Some(_) => Outcome::Changed,
    };
    let criticals = match &changes {
        Some(changes) => blocks::new_criticals(changes).map(str::to_string).collect(),
        None => critical_ids(&report.findings),
    };
    let mut details = match complete {
        true => blocks::details(&report),
        false => Vec::new(),
    };
    details.extend(blocks::hidden(&hidden).filter(|_| complete));
    Some(Rendered {
        summary: blocks::summary(&report, changes.as_ref(), unchanged_since, hidden.len()),
        details,
        changes: changes.as_ref().map_or_else(Vec::new, |changes| {
            blocks::changes(&report.image, changes, SINCE_PREVIOUS_SCAN)
        }),
        new_critical: changes.as_ref().is_some_and(blocks::has_new_critical),
        outcome,
        criticals,
        running: false,
    })
}

/// What Amazon Inspector's latest findings of an image change for one channel:
/// the image's findings now (`report`), what changed (`changes`), both kept to
/// the channel's minimum and without what `ignores` hide. `None` when nothing a
/// user of that channel would see changed.
pub fn render_update(
    report: &ScanReport,
    changes: &Changes,
    min: Severity,
    ignores: &[Ignore],
) -> Option<Rendered> {
    let kept = |findings: &[Finding]| -> Vec<Finding> {
        findings
            .iter()
            .filter(|f| f.severity <= min && !ignores.iter().any(|i| i.names(f)))
            .cloned()
            .collect()
    };
    let at_least: Vec<Finding> = (report.findings.iter())
        .filter(|f| f.severity <= min)
        .cloned()
        .collect();
    let (findings, hidden) = split(&at_least, ignores);
    let report = ScanReport {
        findings,
        ..report.clone()
    };
    let mut changes = Changes {
        new: kept(&changes.new),
        fixed: kept(&changes.fixed),
        reopened: kept(&changes.reopened),
        suppressed: kept(&changes.suppressed),
        updated: kept(&changes.updated),
        unchanged: 0,
    };
    if changes.is_empty() {
        return None;
    }
    let moved = changes.new.len() + changes.reopened.len() + changes.updated.len();
    changes.unchanged = report.findings.len().saturating_sub(moved);
    let mut details = blocks::details(&report);
    details.extend(blocks::hidden(&hidden));
    Some(Rendered {
        summary: blocks::summary(&report, Some(&changes), None, hidden.len()),
        details,
        changes: blocks::changes(&report.image, &changes, SINCE_LAST_UPDATE),
        outcome: Outcome::Changed,
        criticals: blocks::new_criticals(&changes)
            .map(str::to_string)
            .collect(),
        new_critical: blocks::worth_broadcasting(&changes),
        running: false,
    })
}

/// The distinct ids of the CRITICAL findings among `findings`, in order.
fn critical_ids(findings: &[Finding]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for f in findings.iter().filter(|f| f.severity == Severity::Critical) {
        if !ids.contains(&f.id) {
            ids.push(f.id.clone());
        }
    }
    ids
}

/// The messages of a rendered result in posting order. `quiet` (in a burst):
/// nothing is broadcast, the digest names what matters instead.
///
/// A first result opens the thread: the summary, every finding as replies. A
/// later one refreshes the summary and replies with what changed, or, when
/// nothing did, only refreshes the summary.
pub fn layout(rendered: Rendered, thread: Thread, quiet: bool) -> Vec<Planned> {
    let broadcast = rendered.new_critical && !quiet;
    let reply = |content| Planned::Reply {
        content,
        broadcast: false,
    };
    let (mut messages, rest) = match (thread, rendered.outcome) {
        (Thread::New, _) => (vec![Planned::Parent(rendered.summary)], rendered.details),
        (Thread::Digest { head }, _) => {
            let head = head.map(|head| Planned::Parent(*head));
            let summary = reply(rendered.summary);
            (
                head.into_iter().chain([summary]).collect(),
                rendered.details,
            )
        }
        (Thread::Existing, Outcome::Unchanged) => {
            (vec![Planned::UpdateParent(rendered.summary)], Vec::new())
        }
        (Thread::Existing, Outcome::Changed) => {
            let mut changes = rendered.changes.into_iter();
            let first = changes
                .next()
                .map(|content| Planned::Reply { content, broadcast });
            let update = Planned::UpdateParent(rendered.summary);
            (
                std::iter::once(update).chain(first).collect(),
                changes.collect(),
            )
        }
        (Thread::Existing, Outcome::First | Outcome::Failed | Outcome::Pending) => {
            let summary = Planned::Reply {
                content: rendered.summary.clone(),
                broadcast,
            };
            let update = Planned::UpdateParent(rendered.summary);
            (vec![update, summary], rendered.details)
        }
    };
    messages.extend(rest.into_iter().map(reply));
    messages
}

#[cfg(test)]
mod tests;
