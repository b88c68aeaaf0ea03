//! Scan schedules: the list, and the announcements of every change.

use chrono::{DateTime, Utc};
use slack_morphism::prelude::*;

use super::format::{code, context, escape_within, header, mention, message, pack, section, time};
use crate::registry::Registries;
use crate::schedule::{PutOutcome, ScanSchedule, ScheduleState};
use crate::slack::limits::MAX_SECTION_TEXT;

/// `schedules` reads and shows at most this many schedules.
pub const MAX_SCHEDULES_SHOWN: usize = 50;

/// The group's schedules, sorted by image: each with its expression in words, its
/// timezone, its state and its next run; `more` counts those not shown. With
/// `ECRSCAN_REGISTRIES`, under a heading per registry, in the order configured.
pub fn schedules(
    group: &str,
    shown: &[ScanSchedule],
    more: usize,
    registries: &Registries,
    now: DateTime<Utc>,
) -> SlackMessageContent {
    let group = code(group, 100);
    if shown.is_empty() && more == 0 {
        return super::text(&format!(
            ":calendar: No scans are scheduled in schedule group {group}. \
             Start with `/ecrscan schedule weekly IMAGE`."
        ));
    }
    // By registry, in the order configured (none known: last), then by image.
    let mut sorted: Vec<(usize, String, &ScanSchedule)> = (shown.iter())
        .map(|s| {
            let image = s.image_name();
            let (registry, _) = registries.split(&image);
            let at = registry.and_then(|r| registries.iter().position(|each| each == r));
            (at.unwrap_or(usize::MAX), image, s)
        })
        .collect();
    sorted.sort_by(|(a, a_image, _), (b, b_image, _)| (a, a_image).cmp(&(b, b_image)));
    let mut lines = Vec::new();
    let mut heading = None;
    for (at, _, s) in &sorted {
        if let Some(registry) = registries.iter().nth(*at)
            && heading != Some(at)
        {
            heading = Some(at);
            lines.push(format!(
                "*{}* · account {} · {}",
                escape_within(&registry.alias, 40),
                registry.account,
                escape_within(&registry.region, 30)
            ));
        }
        lines.push(line(s, now));
    }
    let mut blocks = vec![
        header("Scheduled scans"),
        context(format!(
            "Schedule group {group} · times in each schedule's timezone · \
             `/ecrscan pause IMAGE`, `resume IMAGE`, `unschedule IMAGE` change them"
        )),
    ];
    blocks.extend(pack(lines, MAX_SECTION_TEXT).into_iter().map(section));
    if more > 0 {
        blocks.push(context(format!(
            "…and {more} more not shown: only the first {MAX_SCHEDULES_SHOWN} by name fit."
        )));
    }
    let total = shown.len() + more;
    let noun = if total == 1 { "scan" } else { "scans" };
    message(format!("{total} scheduled {noun} in {group}"), blocks)
}

/// `:arrow_forward: `example:web-latest` · every Monday at 06:10 (Asia/Tokyo) · next run …`
fn line(s: &ScanSchedule, now: DateTime<Utc>) -> String {
    let icon = match s.state {
        ScheduleState::Enabled => ":arrow_forward:",
        ScheduleState::Disabled => ":double_vertical_bar:",
    };
    let name = code(&s.image_name(), 400);
    format!("{icon} {name} · {} · {}", when(s), next_run(s, now))
}

/// `every Monday at 06:10 (Asia/Tokyo)`.
pub(super) fn when(s: &ScanSchedule) -> String {
    format!(
        "{} ({})",
        escape_within(&s.describe(), 300),
        escape_within(&s.timezone, 60)
    )
}

pub(super) fn next_run(s: &ScanSchedule, now: DateTime<Utc>) -> String {
    match s.state {
        ScheduleState::Disabled => "paused".to_string(),
        ScheduleState::Enabled => match s.next_run(now) {
            Some(next) => format!("next run {}", time(Some(next))),
            None => "no next run".to_string(),
        },
    }
}

/// In the channel: `<@U1> scheduled scans of `example:web-latest`: every Monday at
/// 06:10 (Asia/Tokyo); next run …`. `done` holds every image of one command (all
/// on the same WHEN), at least one.
pub fn scheduled(
    user: &str,
    done: &[(ScanSchedule, PutOutcome)],
    now: DateTime<Utc>,
) -> SlackMessageContent {
    let user = mention(user);
    let verb = |put: &PutOutcome| match put {
        PutOutcome::Created => "scheduled",
        PutOutcome::Updated => "rescheduled",
    };
    let paused = |s: &ScanSchedule| {
        format!(
            " The schedule stays paused: {} resumes it.",
            resume_command(s)
        )
    };
    let text = match done {
        [] => format!("{user} scheduled nothing."),
        [(s, put)] => {
            let mut text = format!(
                ":calendar: {user} {} scans of {}: {}; {}.",
                verb(put),
                code(&s.image_name(), 400),
                when(s),
                next_run(s, now)
            );
            if s.state == ScheduleState::Disabled {
                text.push_str(&paused(s));
            }
            text
        }
        [(first, _), ..] => {
            let mut text = format!(
                ":calendar: {user} scheduled scans of {} images: {}.",
                done.len(),
                when(first)
            );
            for (s, put) in done {
                let note = match put {
                    PutOutcome::Created => String::new(),
                    PutOutcome::Updated => " (rescheduled)".to_string(),
                };
                text.push_str(&format!(
                    "\n• {}{note}: {}",
                    code(&s.image_name(), 400),
                    next_run(s, now)
                ));
            }
            text
        }
    };
    super::text(&text)
}

/// In the channel: the schedule was deleted.
pub fn unscheduled(user: &str, s: &ScanSchedule) -> SlackMessageContent {
    let user = mention(user);
    super::text(&format!(
        ":wastebasket: {user} removed the scheduled scans of {}, which ran {}.",
        code(&s.image_name(), 400),
        when(s)
    ))
}

/// In the channel: the schedule was paused.
pub fn paused(user: &str, s: &ScanSchedule) -> SlackMessageContent {
    let user = mention(user);
    super::text(&format!(
        ":double_vertical_bar: {user} paused the scheduled scans of {}, which ran {}. \
         {} resumes them.",
        code(&s.image_name(), 400),
        when(s),
        resume_command(s)
    ))
}

/// `` `/ecrscan resume IMAGE` `` for the schedule's image.
fn resume_command(s: &ScanSchedule) -> String {
    code(&format!("/ecrscan resume {}", s.image_name()), 420)
}

/// In the channel: the schedule was resumed.
pub fn resumed(user: &str, s: &ScanSchedule, now: DateTime<Utc>) -> SlackMessageContent {
    let user = mention(user);
    let mut active = s.clone();
    active.state = ScheduleState::Enabled;
    super::text(&format!(
        ":arrow_forward: {user} resumed the scheduled scans of {}: {}; {}.",
        code(&s.image_name(), 400),
        when(s),
        next_run(&active, now)
    ))
}

/// To the requester: the image has no schedule in the group.
pub fn no_schedule(image: &str, group: &str) -> SlackMessageContent {
    super::text(&format!(
        ":grey_question: {} has no schedule in schedule group {}. \
         `/ecrscan schedules` lists the scheduled images.",
        code(image, 400),
        code(group, 100)
    ))
}

/// To the requester: the schedule is already paused, or already active.
pub fn unchanged(s: &ScanSchedule) -> SlackMessageContent {
    let state = match s.state {
        ScheduleState::Enabled => "active",
        ScheduleState::Disabled => "paused",
    };
    super::text(&format!(
        ":information_source: The schedule of {} is already {state}; nothing changed.",
        code(&s.image_name(), 400)
    ))
}

#[cfg(test)]
mod tests;
