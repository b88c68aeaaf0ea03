//! The messages about the schedules kept for running images: what a sync
//! changed, and why nothing was.

use chrono::{DateTime, Utc};
use slack_morphism::prelude::SlackMessageContent;

use super::format::{code, escape_within, mention, plural};
use super::schedules::{next_run, when};
use super::text;
use crate::schedule::ScanSchedule;
use crate::store::KeptSchedule;

/// At most this many images are named per list; the rest are counted.
const SHOWN: usize = 20;

/// What a sync of the running images changed: the schedules it made (with
/// where each image runs), and those it removed for images that no longer
/// run. `user`: who asked (`None`: the daily re-sync).
pub fn kept(
    user: Option<&str>,
    added: &[(ScanSchedule, String)],
    removed: &[KeptSchedule],
    now: DateTime<Utc>,
) -> SlackMessageContent {
    let who = user.map_or_else(|| "The daily re-sync".to_string(), mention);
    let mut lines = vec![format!(
        ":calendar: {who} {} of the images ECS runs:",
        counted(added.len(), removed.len())
    )];
    for (schedule, place) in added.iter().take(SHOWN) {
        lines.push(format!(
            "• {} runs in {}: scanned {}; {}",
            code(&schedule.image_name(), 300),
            escape_within(place, 300),
            when(schedule),
            next_run(schedule, now)
        ));
    }
    if added.len() > SHOWN {
        lines.push(format!("…and {} more scheduled.", added.len() - SHOWN));
    }
    for gone in removed.iter().take(SHOWN) {
        lines.push(format!(
            "• {} no longer runs: its schedule is removed",
            code(&format!("{}@{}", gone.repository, gone.digest), 300)
        ));
    }
    if removed.len() > SHOWN {
        lines.push(format!("…and {} more removed.", removed.len() - SHOWN));
    }
    text(&lines.join("\n"))
}

fn counted(added: usize, removed: usize) -> String {
    let images = |n: usize| plural(n, "image");
    match (added, removed) {
        (a, 0) => format!("scheduled scans of {}", images(a)),
        (0, r) => format!("unscheduled {}", images(r)),
        (a, r) => format!(
            "scheduled scans of {} and unscheduled {}",
            images(a),
            images(r)
        ),
    }
}

/// `running sync` when nothing changed.
pub fn kept_unchanged(kept: usize) -> SlackMessageContent {
    let images = match kept {
        1 => "1 running image is".to_string(),
        n => format!("{n} running images are"),
    };
    text(&format!(
        ":white_check_mark: Nothing changed: {images} scheduled, as ECS runs them now."
    ))
}

/// `running sync` before `schedule WHEN running`.
pub fn no_running_policy() -> SlackMessageContent {
    text(
        ":warning: Nothing to sync: no schedule keeps the running images yet. \
         Start with `/ecrscan schedule weekly running` (or `… running in CLUSTER`).",
    )
}
