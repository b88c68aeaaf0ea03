//! Block Kit rendering: pure functions from domain data to Slack messages.
//!
//! Every function returns messages that carry a plain `text` fallback and fit
//! Slack's limits ([`crate::slack::limits`]) whatever the size of the input.
//! Text from users, AWS and Slack is escaped for mrkdwn ([`escape`], [`code`] for
//! code spans; [`mention`] and [`channel`] make `<@…>`/`<#…>` of real ids only)
//! and cut on character boundaries with `…`.

mod changes;
mod details;
mod digest;
mod findings;
mod format;
mod help;
mod home;
mod ignores;
#[cfg(test)]
mod inert;
mod kept;
mod running;
mod schedules;
mod subscriptions;
mod summary;
#[cfg(test)]
pub(crate) mod testing;

use slack_morphism::prelude::*;

use crate::slack::limits::{MAX_BLOCKS, MAX_SECTION_TEXT};

pub use changes::{changes, has_new_critical, new_criticals, worth_broadcasting};
pub use details::details;
pub use digest::digest;
pub use findings::findings;
pub use format::{channel, code, escape, mention, plural, severity_icon, truncate};
pub use help::help;
pub use home::{
    HOME_FINDINGS_ACTION, HOME_PAGE_ACTION, HOME_ROWS_PER_PAGE, SCHEDULE_WEEKLY_ACTION,
    findings_modal, home, no_findings_modal,
};
#[cfg(test)]
use ignores::hidden as hidden_findings;
pub use ignores::{
    DATE_INPUT, DURATION_CHOICES, DURATION_INPUT, FINDING_INPUT, IGNORE_CALLBACK, REASON_INPUT,
    hidden, ignore_ended, ignore_modal, ignored, ignores, no_such_ignore, scope_words, unignored,
};
pub use kept::{kept, kept_unchanged, no_running_policy};
pub use running::{MAX_RUNNING_SHOWN, running};
pub use schedules::{
    MAX_SCHEDULES_SHOWN, no_schedule, paused, resumed, scheduled, schedules, unchanged, unscheduled,
};
pub use subscriptions::{no_such_subscription, subscribed, subscriptions, unsubscribed};
pub use summary::{
    ALL_FINDINGS_ACTION, ButtonTarget, IGNORE_ACTION, RESCAN_ACTION, running_in, scan_started,
    summary, summary_of_counts,
};

/// A plain message: `message` as mrkdwn sections, with the same text as fallback.
///
/// `message` is mrkdwn: escape anything a user, AWS or Slack wrote with
/// [`escape`] or [`code`].
/// A long message is split over sections (at line breaks where it can).
pub fn text(message: &str) -> SlackMessageContent {
    let message = if message.trim().is_empty() {
        "…"
    } else {
        message
    };
    let pieces = message.lines().flat_map(|line| {
        let chars: Vec<char> = line.chars().collect();
        let mut pieces: Vec<String> = chars
            .chunks(MAX_SECTION_TEXT)
            .map(|c| c.iter().collect())
            .collect();
        if pieces.is_empty() {
            pieces.push(String::new());
        }
        pieces
    });
    let mut texts = format::pack(pieces, MAX_SECTION_TEXT);
    texts.retain(|t| !t.trim().is_empty());
    if texts.len() > MAX_BLOCKS {
        texts.truncate(MAX_BLOCKS - 1);
        texts.push("_…the rest of this message was too long for Slack._".into());
    }
    let blocks = texts.into_iter().map(format::section).collect();
    format::message(message.to_string(), blocks)
}

#[cfg(test)]
mod tests {
    use super::testing::assert_within_limits;
    use super::*;

    #[test]
    fn a_text_message_is_one_mrkdwn_section_with_the_same_fallback() {
        let content = text("Scanning *example:web-latest*");
        let json = serde_json::to_value(&content).unwrap();

        assert_eq!(json["text"], "Scanning *example:web-latest*");
        assert_eq!(json["blocks"][0]["type"], "section");
        assert_eq!(json["blocks"][0]["text"]["type"], "mrkdwn");
        assert_eq!(
            json["blocks"][0]["text"]["text"],
            "Scanning *example:web-latest*"
        );
        assert_within_limits(&content);
    }

    #[test]
    fn a_very_long_text_message_is_split_into_sections_within_limits() {
        let long_line = "x".repeat(10_000);
        let many_lines = "line\n".repeat(20_000);

        for message in [long_line.as_str(), many_lines.as_str()] {
            let content = text(message);
            assert_within_limits(&content);
            assert!(content.blocks.unwrap().len() > 1);
        }
    }

    #[test]
    fn an_empty_text_message_still_has_a_fallback() {
        assert_within_limits(&text(""));
    }
}
