//! What changed for an image, as replies in its thread: every new, reopened and
//! changed finding listed (over as many replies as needed), the fixed and
//! suppressed ones listed up to a point then counted, the unchanged ones counted.

use slack_morphism::prelude::*;

use super::format::{
    code, context, count, counts_words, finding_line, message, more_line, pack, section,
};
use crate::scan::diff::Changes;
use crate::scan::findings::{Finding, Severity};
use crate::scan::image::Image;
use crate::slack::limits::{MAX_BLOCKS, MAX_SECTION_TEXT};

/// Fixed (or suppressed) findings listed; the rest are counted.
const GONE_SHOWN: usize = 20;
/// Characters of findings in one reply, as for the details of a scan.
const MESSAGE_CHARS: usize = 24_000;
/// Sections in one reply, leaving room for its context line.
const MESSAGE_SECTIONS: usize = MAX_BLOCKS - 5;

/// The replies saying what changed for `image` `since` (`since the previous
/// scan`, `in Inspector's latest findings`); none when nothing did.
pub fn changes(image: &Image, changes: &Changes, since: &str) -> Vec<SlackMessageContent> {
    if changes.is_empty() {
        return Vec::new();
    }
    let name = code(&image.display_name(), 300);
    let mut lines = Vec::new();
    listed(&mut lines, "New", &changes.new, usize::MAX);
    listed(&mut lines, "Reopened", &changes.reopened, usize::MAX);
    listed(&mut lines, "Changed", &changes.updated, usize::MAX);
    listed(&mut lines, "Fixed", &changes.fixed, GONE_SHOWN);
    listed(&mut lines, "Suppressed", &changes.suppressed, GONE_SHOWN);
    let pages = pages(pack(lines, MAX_SECTION_TEXT));
    let parts = pages.len();
    let head = format!("*What changed* in {name} {since}: {}", tally(changes));
    let fallback = fallback(&image.display_name(), changes, since);
    (pages.into_iter().enumerate())
        .map(|(i, sections)| {
            let mut blocks = match i {
                0 => vec![section(head.clone())],
                _ => vec![context(format!(
                    "*What changed* in {name} (continued, part {} of {parts})",
                    i + 1
                ))],
            };
            blocks.extend(sections.into_iter().map(section));
            let text = match i {
                0 => fallback.clone(),
                _ => format!("{fallback} (continued)"),
            };
            message(text, blocks)
        })
        .collect()
}

/// Whether `changes` brought a CRITICAL finding, new or reopened.
pub fn has_new_critical(changes: &Changes) -> bool {
    new_criticals(changes).next().is_some()
}

/// Whether `changes` deserve to be shown in the channel, not only in the
/// image's thread: a new (or reopened) CRITICAL finding, or a new HIGH one with
/// a known exploit.
pub fn worth_broadcasting(changes: &Changes) -> bool {
    let exploitable_high = |f: &Finding| f.severity == Severity::High && f.exploit_available;
    has_new_critical(changes)
        || changes
            .new
            .iter()
            .chain(&changes.reopened)
            .any(exploitable_high)
}

/// The ids of the CRITICAL findings `changes` brought, new or reopened.
pub fn new_criticals(changes: &Changes) -> impl Iterator<Item = &str> {
    (changes.new.iter().chain(&changes.reopened))
        .filter(|f| f.severity == Severity::Critical)
        .map(|f| f.id.as_str())
}

/// `2 new · 1 fixed · 40 unchanged`, leaving out the kinds of change that did not happen.
fn tally(changes: &Changes) -> String {
    let mut parts: Vec<String> = [
        (changes.new.len(), "new"),
        (changes.reopened.len(), "reopened"),
        (changes.updated.len(), "changed"),
        (changes.fixed.len(), "fixed"),
        (changes.suppressed.len(), "suppressed"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    parts.push(format!("{} unchanged", changes.unchanged));
    parts.join(" · ")
}

/// `New critical findings. example:web-latest: 2 new (1 critical, 1 high), 1 fixed since …`.
fn fallback(name: &str, changes: &Changes, since: &str) -> String {
    let name = super::format::escape_within(name, 400);
    let new = match changes.new.len() {
        0 => String::new(),
        n => format!("{n} new ({}), ", counts_words(&count(&changes.new))),
    };
    let text = format!(
        "{name}: {new}{} fixed {since}",
        changes.fixed.len() + changes.suppressed.len()
    );
    match has_new_critical(changes) {
        true => format!("New critical findings. {text}"),
        false => text,
    }
}

/// `*New*` and the first `shown` of `findings`, the rest counted.
fn listed(lines: &mut Vec<String>, title: &str, findings: &[Finding], shown: usize) {
    if findings.is_empty() {
        return;
    }
    lines.push(format!("*{title}*"));
    lines.extend(findings.iter().take(shown).map(|f| finding_line(f, true)));
    lines.extend(more_line(
        findings.iter().skip(shown),
        &title.to_lowercase(),
    ));
}

/// Sections grouped into replies within Slack's limits.
fn pages(sections: Vec<String>) -> Vec<Vec<String>> {
    let mut pages: Vec<Vec<String>> = Vec::new();
    let mut chars = 0;
    for text in sections {
        let len = text.chars().count();
        match pages.last_mut() {
            Some(page) if chars + len <= MESSAGE_CHARS && page.len() < MESSAGE_SECTIONS => {
                chars += len;
                page.push(text);
            }
            _ => {
                chars = len;
                pages.push(vec![text]);
            }
        }
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn some_changes() -> Changes {
        let mut critical = finding("CVE-2026-0001", Severity::Critical);
        critical.fixed_in = Some("3.0.9".into());
        critical.cvss = Some(9.8);
        critical.exploit_available = true;
        Changes {
            new: vec![critical, finding("CVE-2026-0002", Severity::Medium)],
            fixed: vec![finding("CVE-2020-0001", Severity::High)],
            unchanged: 40,
            ..Changes::default()
        }
    }

    #[test]
    fn the_reply_names_each_new_finding_most_severe_first_and_counts_the_rest() {
        let replies = changes(&image(), &some_changes(), "since the previous scan");
        let text = visible_text(&replies[0]);

        assert_eq!(replies.len(), 1);
        assert!(
            text.starts_with(
                "*What changed* in `example:web-latest` since the previous scan: \
                 2 new · 1 fixed · 40 unchanged"
            ),
            "{text}"
        );
        let critical = text.find("|CVE-2026-0001> `openssl` 1.1.1k · fixed in 3.0.9 · CVSS 9.8");
        let medium = text.find("|CVE-2026-0002>");
        let fixed = text.find(
            "*Fixed*\n:large_orange_circle: <https://nvd.nist.gov/vuln/detail/CVE-2020-0001|",
        );
        assert!(critical.unwrap() < medium.unwrap(), "{text}");
        assert!(medium.unwrap() < fixed.unwrap(), "{text}");
        assert_eq!(
            replies[0].text.as_deref(),
            Some(
                "New critical findings. example:web-latest: 2 new (1 critical, 1 medium), \
                 1 fixed since the previous scan"
            )
        );
        assert_within_limits(&replies[0]);
    }

    #[test]
    fn nothing_changed_gives_no_reply() {
        let unchanged = Changes {
            unchanged: 12,
            ..Changes::default()
        };
        assert!(changes(&image(), &unchanged, "since the previous scan").is_empty());
    }

    #[test]
    fn a_thousand_new_findings_continue_over_replies_each_within_limits() {
        let many_new = Changes {
            new: many(1000),
            fixed: many(300),
            ..Changes::default()
        };
        let replies = changes(&image(), &many_new, "since the previous scan");

        assert!(replies.len() > 1);
        for reply in &replies {
            assert_within_limits(reply);
        }
        let all: String = replies.iter().map(visible_text).collect();
        assert_eq!(all.matches("|CVE-2024-").count(), 1000 + GONE_SHOWN);
        assert!(
            all.contains("…and 280 more fixed"),
            "fixed beyond 20 are counted"
        );
        assert!(visible_text(&replies[1]).contains("(continued, part 2 of"));
    }

    #[test]
    fn reopened_changed_and_suppressed_findings_are_named_as_such() {
        let enhanced = Changes {
            reopened: vec![finding("CVE-R", Severity::Critical)],
            updated: vec![finding("CVE-U", Severity::High)],
            suppressed: vec![finding("CVE-S", Severity::Low)],
            unchanged: 3,
            ..Changes::default()
        };
        let replies = changes(&image(), &enhanced, "in Inspector's latest findings");
        let text = visible_text(&replies[0]);

        for part in [
            "1 reopened · 1 changed · 1 suppressed · 3 unchanged",
            "*Reopened*\n:red_circle: <https://nvd.nist.gov/vuln/detail/CVE-R|CVE-R>",
            "*Changed*\n:large_orange_circle:",
            "*Suppressed*\n:large_blue_circle:",
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
        assert!(
            has_new_critical(&enhanced),
            "a reopened CRITICAL counts as new"
        );
    }
}
