//! Ignores: announcements of changes, the list, the ignored findings of a
//! thread, and the reply when an ignore ends.

use slack_morphism::prelude::*;

use super::findings::sorted;
use super::format::{
    code, context, escape_within, finding_line, findings_count, mention, message, pack, section,
    severity_word, time, truncate,
};
use crate::routing::ImagePattern;
use crate::scan::findings::{Finding, ScanReport};
use crate::slack::limits::{MAX_BLOCKS, MAX_SECTION_TEXT};
use crate::store::Ended;
use crate::triage::{Duration, Hidden, Ignore, Until};

/// The most ignores `ignores` lists; the rest are counted.
const LISTED: usize = 40;
/// The most ignored findings a thread reply lists; the rest are counted.
const HIDDEN_SHOWN: usize = 100;
/// The longest reason shown in a list line.
const REASON_SHOWN: usize = 300;

/// `*CVE-2024-6119*`.
fn vulnerability(ignore: &Ignore) -> String {
    format!("*{}*", escape_within(&ignore.vulnerability, 100))
}

/// `in every image`, or `in example:web-*`.
fn scope(ignore: &Ignore) -> String {
    scope_words(ignore.scope.as_ref())
}

/// `in every image`, or `in `example:web-*``: the scope of an ignore, as said.
pub fn scope_words(scope: Option<&ImagePattern>) -> String {
    match scope {
        None => "in every image".to_string(),
        Some(pattern) => format!("in {}", code(pattern.as_str(), 300)),
    }
}

/// A day every reader sees in their own calendar: `Jan 1, 2027`.
fn day(at: i64) -> String {
    let shown = chrono::DateTime::from_timestamp(at, 0)
        .map_or_else(|| at.to_string(), |d| d.format("%Y-%m-%d").to_string());
    format!("<!date^{at}^{{date_short}}|{shown}>")
}

/// `until Jan 1, 2027`, or `until fixed`.
fn until(ignore: &Ignore) -> String {
    match ignore.until {
        Until::At(at) => format!("until {}", day(at)),
        Until::Fixed => "until a fix is available".to_string(),
    }
}

fn reason(ignore: &Ignore) -> String {
    escape_within(&ignore.reason, REASON_SHOWN)
}

/// In the channel (or the thread, from the modal): who ignored what, for how
/// long, and why. `duration` is how it was asked for, when known.
pub fn ignored(user_id: &str, ignore: &Ignore, duration: Option<Duration>) -> SlackMessageContent {
    let how_long = match duration {
        Some(Duration::Days(days)) => format!("for {days} day{} ({})", plural(days), until(ignore)),
        _ => until(ignore),
    };
    super::text(&format!(
        ":see_no_evil: {} ignored {} {} {how_long}: {}",
        mention(user_id),
        vulnerability(ignore),
        scope(ignore),
        reason(ignore),
    ))
}

fn plural(n: i64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// In the channel: who removed an ignore.
pub fn unignored(
    user_id: &str,
    vulnerability: &str,
    scope: Option<&ImagePattern>,
) -> SlackMessageContent {
    super::text(&format!(
        ":eyes: {} removed the ignore of *{}* {}: it is announced again from the next result.",
        mention(user_id),
        escape_within(vulnerability, 100),
        scope_words(scope),
    ))
}

/// `unignore` of something not ignored: the ignores of that vulnerability, if any.
pub fn no_such_ignore(
    vulnerability: &str,
    scope: Option<&ImagePattern>,
    same: &[&Ignore],
) -> SlackMessageContent {
    let scope = scope_words(scope);
    let id = escape_within(vulnerability, 100);
    let hint = match same {
        [] => "`/ecrscan ignores` lists the active ones.".to_string(),
        same => {
            let scopes: Vec<String> = same.iter().map(|i| code(i.scope_str(), 300)).collect();
            format!(
                "It is ignored in {}: give that pattern, e.g. {}.",
                scopes.join(", "),
                code(
                    &format!("/ecrscan unignore {id} {}", same[0].scope_str()),
                    400
                )
            )
        }
    };
    super::text(&format!(":shrug: *{id}* is not ignored {scope}. {hint}"))
}

/// `ignores`: every active ignore, with how many current findings it hides.
pub fn ignores(list: &[(Ignore, usize)]) -> SlackMessageContent {
    if list.is_empty() {
        return super::text(
            ":see_no_evil: Nothing is ignored. Ignore a finding for a while with \
             `/ecrscan ignore CVE-2024-6119 example:web-* for 30 days reason no fix upstream yet`.",
        );
    }
    let title = format!("*Active ignores* ({})", list.len());
    let mut blocks = vec![section(title.clone())];
    for (ignore, hides) in list.iter().take(LISTED) {
        let hides = match hides {
            0 => "hides no current finding".to_string(),
            n => format!("hides {}", findings_count(*n)),
        };
        blocks.push(section(format!(
            "{} {} · {} · {hides}\nby {} {} · {}",
            vulnerability(ignore),
            scope(ignore),
            until(ignore),
            mention(&ignore.created_by),
            time(chrono::DateTime::from_timestamp(ignore.created_at, 0)),
            reason(ignore),
        )));
    }
    if list.len() > LISTED {
        blocks.push(context(format!("… and {} more.", list.len() - LISTED)));
    }
    message(title, blocks)
}

/// A thread reply listing the findings an ignore hides: named here, and only
/// here and in the summary's count. `None` when none is hidden.
pub fn hidden(hidden: &[Hidden]) -> Option<SlackMessageContent> {
    if hidden.is_empty() {
        return None;
    }
    let title = format!(
        ":see_no_evil: *Ignored* · {}: left out of the announcements",
        findings_count(hidden.len())
    );
    let lines = hidden.iter().take(HIDDEN_SHOWN).map(|h| {
        format!(
            "{} · ignored {} by {}: {}",
            finding_line(&h.finding, true),
            until(&h.ignore),
            mention(&h.ignore.created_by),
            reason(&h.ignore)
        )
    });
    let mut blocks = vec![section(title.clone())];
    let sections = pack(lines, MAX_SECTION_TEXT);
    blocks.extend(sections.into_iter().take(MAX_BLOCKS - 2).map(section));
    if hidden.len() > HIDDEN_SHOWN {
        blocks.push(context(format!(
            "… and {} more.",
            hidden.len() - HIDDEN_SHOWN
        )));
    }
    Some(message(title, blocks))
}

/// In an image's thread: an ignore ended, and the image still has the finding
/// (`finding`, as its latest result lists it).
pub fn ignore_ended(ignore: &Ignore, why: Ended, finding: &Finding) -> SlackMessageContent {
    let what = match why {
        Ended::Fixed => format!(
            ":wrench: {} has a fix now, so its ignore {} ended",
            vulnerability(ignore),
            scope(ignore)
        ),
        _ => format!(
            ":alarm_clock: The ignore of {} {} expired",
            vulnerability(ignore),
            scope(ignore)
        ),
    };
    let text = format!(
        "{what}: this image still has it, and it is announced again.\n{}\nIt was ignored by {} {}: {}",
        finding_line(finding, true),
        mention(&ignore.created_by),
        time(chrono::DateTime::from_timestamp(ignore.created_at, 0)),
        reason(ignore),
    );
    super::text(&text)
}

/// `callback_id` of the Ignore… modal.
pub const IGNORE_CALLBACK: &str = "ignore_finding";
/// The modal's inputs: each block's id is its element's `action_id` too.
pub const FINDING_INPUT: &str = "finding";
pub const DURATION_INPUT: &str = "duration";
pub const DATE_INPUT: &str = "date";
pub const REASON_INPUT: &str = "reason";
/// The durations the modal offers, by option value.
pub const DURATION_CHOICES: [(&str, &str); 4] = [
    ("30", "30 days"),
    ("90", "90 days"),
    ("fixed", "Until a fix is available"),
    ("date", "Until the date below"),
];
/// Slack's most options in one select.
const MAX_OPTIONS: usize = 100;
/// Slack's longest option text and value.
const MAX_OPTION_TEXT: usize = 75;
const MAX_OPTION_VALUE: usize = 150;

/// The Ignore… modal for an image's findings (most severe first, those already
/// ignored left out): pick one, how long, and why. `metadata` comes back with
/// the submission (`private_metadata`).
pub fn ignore_modal(report: &ScanReport, metadata: String) -> SlackView {
    let name = report.image.display_name();
    let mut options: Vec<SlackBlockChoiceItem<SlackBlockPlainTextOnly>> = Vec::new();
    for finding in sorted(&report.findings) {
        let id = finding.id.as_str();
        if id.chars().count() > MAX_OPTION_VALUE || options.iter().any(|o| o.value == id) {
            continue;
        }
        let mut text = format!("{id} · {}", severity_word(finding.severity));
        if let Some(package) = &finding.package {
            text.push_str(&format!(" · {package}"));
        }
        options.push(SlackBlockChoiceItem::new(
            SlackBlockPlainTextOnly::from(truncate(&text, MAX_OPTION_TEXT)),
            id.to_string(),
        ));
        if options.len() == MAX_OPTIONS {
            break;
        }
    }
    let title = pt!("Ignore a finding");
    if options.is_empty() {
        let text = format!("{} has no finding left to ignore.", code(&name, 300));
        return SlackView::Modal(
            SlackModalView::new(title, vec![section(text)]).with_close(pt!("Close")),
        );
    }
    let input = |id: &str, label: &str, element: SlackInputBlockElement| -> SlackBlock {
        SlackInputBlock::new(label.into(), element)
            .with_block_id(id.to_string().into())
            .into()
    };
    let choices: Vec<SlackBlockChoiceItem<SlackBlockPlainTextOnly>> = DURATION_CHOICES
        .iter()
        .map(|(value, text)| SlackBlockChoiceItem::new((*text).into(), value.to_string()))
        .collect();
    let blocks = vec![
        section(format!(
            "Leave a finding of {} out of the announcements for a while. It stays in ECR's \
             and Inspector's reports; the thread and `/ecrscan ignores` show it as ignored.",
            code(&name, 300)
        )),
        input(
            FINDING_INPUT,
            "Finding",
            SlackBlockStaticSelectElement::new()
                .with_action_id(FINDING_INPUT.to_string().into())
                .with_options(options)
                .into(),
        ),
        input(
            DURATION_INPUT,
            "For how long",
            SlackBlockStaticSelectElement::new()
                .with_action_id(DURATION_INPUT.to_string().into())
                .with_initial_option(choices[0].clone())
                .with_options(choices)
                .into(),
        ),
        SlackInputBlock::new(
            "Date (for \"Until the date below\")".into(),
            SlackBlockDatePickerElement::new()
                .with_action_id(DATE_INPUT.to_string().into())
                .into(),
        )
        .with_block_id(DATE_INPUT.to_string().into())
        .with_optional(true)
        .into(),
        input(
            REASON_INPUT,
            "Why",
            SlackBlockPlainTextInputElement::new()
                .with_action_id(REASON_INPUT.to_string().into())
                .with_max_length(crate::language::MAX_REASON as u64)
                .with_placeholder("no fix upstream yet".into())
                .into(),
        ),
        context(format!(
            "Applies to {} only; for other images use `/ecrscan ignore`.",
            code(&name, 300)
        )),
    ];
    SlackView::Modal(
        SlackModalView::new(title, blocks)
            .with_submit(pt!("Ignore"))
            .with_close(pt!("Cancel"))
            .with_callback_id(IGNORE_CALLBACK.into())
            .with_private_metadata(metadata),
    )
}

#[cfg(test)]
mod tests;
