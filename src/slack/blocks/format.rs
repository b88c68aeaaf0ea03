//! The pieces every message is made of: escaping, truncation, icons, finding lines.

use chrono::{DateTime, Utc};
use slack_morphism::prelude::*;

use crate::scan::findings::{Finding, ScanKind, ScanStatus, Severity};
use crate::slack::limits::MAX_SECTION_TEXT;

/// The icon shown next to a severity, the same in every message.
pub fn severity_icon(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => ":red_circle:",
        Severity::High => ":large_orange_circle:",
        Severity::Medium => ":large_yellow_circle:",
        Severity::Low => ":large_blue_circle:",
        Severity::Informational | Severity::Untriaged | Severity::Undefined => ":white_circle:",
    }
}

/// `critical`, `high`, ... as a sentence says it.
pub fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Informational => "informational",
        Severity::Untriaged => "untriaged",
        Severity::Undefined => "undefined",
    }
}

/// Escapes the three characters mrkdwn gives a meaning to (`&`, `<`, `>`), as
/// Slack's "Formatting text for app surfaces" asks: the one way text that did not
/// come from us (users, AWS, Slack) enters mrkdwn, so that a `<!everyone>`, a
/// `<@U…>` or a `<http://…|…>` in it shows as typed and does nothing.
pub fn escape(text: &str) -> String {
    escape_within(text, usize::MAX)
}

/// `text` as a code span, escaped and cut to about `max` characters. mrkdwn has
/// no escape for a backtick inside a span, so each one (which would end the span
/// early) is shown as `ˋ`, a modifier letter that looks the same.
pub fn code(text: &str, max: usize) -> String {
    format!("`{}`", escape_within(&text.replace('`', "ˋ"), max))
}

/// A mention of the Slack user `id` (`<@U…>`) when `id` is a user id (`U` or `W`
/// and uppercase letters and digits); anything else is shown as escaped text,
/// never as a mention.
pub fn mention(id: &str) -> String {
    match is_slack_id(id, &['U', 'W']) {
        true => format!("<@{id}>"),
        false => escape_within(id, 100),
    }
}

/// A link to the Slack channel `id` (`<#C…>`) when `id` is a conversation id
/// (`C`, `G` or `D` and uppercase letters and digits); anything else is shown
/// as escaped text, never as a link.
pub fn channel(id: &str) -> String {
    match is_slack_id(id, &['C', 'G', 'D']) {
        true => format!("<#{id}>"),
        false => escape_within(id, 100),
    }
}

fn is_slack_id(id: &str, first: &[char]) -> bool {
    id.starts_with(first)
        && (2..=32).contains(&id.len())
        && (id.bytes()).all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Cuts `text` to at most `max` characters, ending in `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Escapes `text` and cuts the result to at most `max` characters, never
/// inside an entity such as `&amp;`.
pub fn escape_within(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut len = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let piece = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            _ => "",
        };
        let piece_len = if piece.is_empty() { 1 } else { piece.len() };
        let room = if chars.peek().is_some() {
            max.saturating_sub(1)
        } else {
            max
        };
        if len + piece_len > room {
            out.push('…');
            return out;
        }
        if piece.is_empty() {
            out.push(c);
        } else {
            out.push_str(piece);
        }
        len += piece_len;
    }
    out
}

/// `1 image`, `3 images`: `n` of `noun`, a noun with a plain plural in `s`.
pub fn plural(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// `1 finding`, `3 findings`.
pub fn findings_count(n: usize) -> String {
    plural(n, "finding")
}

/// `:red_circle: 3 critical · :large_orange_circle: 12 high`, most severe first.
pub fn counts_line(counts: &[(Severity, usize)]) -> String {
    counts
        .iter()
        .map(|(s, n)| format!("{} {n} {}", severity_icon(*s), severity_word(*s)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// `3 critical, 12 high`, for fallbacks and "…and N more" lines.
pub fn counts_words(counts: &[(Severity, usize)]) -> String {
    counts
        .iter()
        .map(|(s, n)| format!("{n} {}", severity_word(*s)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How many of `findings` there are of each severity, most severe first, zeros left out.
pub fn count<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Vec<(Severity, usize)> {
    let mut counts = [0; Severity::ALL.len()];
    for f in findings {
        if let Some(i) = Severity::ALL.iter().position(|s| *s == f.severity) {
            counts[i] += 1;
        }
    }
    Severity::ALL
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| (*s, n))
        .collect()
}

/// `…and 40 more (2 high, 38 medium)`, or `…and 40 more new (...)` with
/// `what` = `new`; `None` when nothing is left.
pub fn more_line<'a>(rest: impl IntoIterator<Item = &'a Finding>, what: &str) -> Option<String> {
    let counts = count(rest);
    let n: usize = counts.iter().map(|(_, n)| n).sum();
    let what = if what.is_empty() {
        String::new()
    } else {
        format!(" {what}")
    };
    (n > 0).then(|| format!("…and {n} more{what} ({})", counts_words(&counts)))
}

/// One finding on one line: CVE (linked), package and version, fixed-in, CVSS,
/// and Inspector's badges: "exploit available" (in bold: the one to act on first)
/// and "fix available" (left out when the fixed-in version already says so).
/// Never longer than about 900 characters, whatever the input.
pub fn finding_line(f: &Finding, with_icon: bool) -> String {
    let id = if f.id.trim().is_empty() {
        "(no id)"
    } else {
        f.id.as_str()
    };
    let id = escape_within(id, 100);
    let mut line = String::new();
    if with_icon {
        line.push_str(severity_icon(f.severity));
        line.push(' ');
    }
    let uri = f.uri.as_deref().filter(|uri| !uri.trim().is_empty());
    match uri.map(|uri| (uri, link_target(uri))) {
        Some((_, Some(target))) => line.push_str(&format!("<{target}|{id}>")),
        Some((uri, None)) => line.push_str(&format!("{id} ({})", code(uri, 200))),
        None => line.push_str(&id),
    }
    if let Some(package) = f.package.as_deref().filter(|p| !p.is_empty()) {
        line.push_str(&format!(" {}", code(package, 120)));
    }
    if let Some(version) = &f.version {
        line.push_str(&format!(" {}", escape_within(version, 60)));
    }
    if let Some(fixed) = &f.fixed_in {
        line.push_str(&format!(" · fixed in {}", escape_within(fixed, 60)));
    }
    if let Some(cvss) = f.cvss {
        line.push_str(&format!(" · CVSS {cvss:.1}"));
    }
    if f.exploit_available {
        line.push_str(" · *exploit available*");
    }
    if f.fix_available && f.fixed_in.is_none() {
        line.push_str(" · fix available");
    }
    line
}

/// The escaped address of a link, when `uri` is a plain `https` address of
/// sensible length. Anything else (plain `http`, other schemes, characters that
/// would break the mrkdwn around it) is shown as text, never as a link.
fn link_target(uri: &str) -> Option<String> {
    let plain = uri.starts_with("https://")
        && !uri
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '|'));
    let escaped = escape(uri);
    (plain && escaped.chars().count() <= 500).then_some(escaped)
}

/// A time every reader sees in their own timezone, with a UTC fallback.
pub fn time(at: Option<DateTime<Utc>>) -> String {
    match at {
        Some(at) => format!(
            "<!date^{}^{{date_short_pretty}} at {{time}}|{}>",
            at.timestamp(),
            at.format("%Y-%m-%d %H:%M UTC")
        ),
        None => "time unknown".to_string(),
    }
}

/// `basic scan` or `enhanced scan (Amazon Inspector)`.
pub fn kind(kind: ScanKind) -> &'static str {
    match kind {
        ScanKind::Basic => "basic scan",
        ScanKind::Enhanced => "enhanced scan (Amazon Inspector)",
    }
}

/// What a user should read about a scan that did not complete; `None` when it did
/// (findings ECR does not list yet are the summary's to explain).
pub fn status_line(status: &ScanStatus) -> Option<String> {
    match status {
        ScanStatus::Complete | ScanStatus::FindingsPending(_) => None,
        ScanStatus::InProgress => Some(
            ":hourglass_flowing_sand: *Scan in progress*: findings follow when it completes."
                .into(),
        ),
        ScanStatus::Failed(reason) => Some(format!(
            ":x: *Scan failed*: {}",
            escape_within(or_unknown(reason), 1000)
        )),
        ScanStatus::Other(description) => Some(format!(
            ":grey_question: *Scan status*: {}",
            escape_within(or_unknown(description), 1000)
        )),
    }
}

fn or_unknown(text: &str) -> &str {
    if text.trim().is_empty() {
        "no reason given"
    } else {
        text
    }
}

/// Joins lines into texts of at most `max` characters each; a line longer
/// than `max` is cut.
pub fn pack(lines: impl IntoIterator<Item = String>, max: usize) -> Vec<String> {
    let mut texts: Vec<String> = Vec::new();
    let mut len = 0;
    for line in lines {
        let line = truncate(&line, max);
        let line_len = line.chars().count();
        match texts.last_mut() {
            Some(text) if len + 1 + line_len <= max => {
                text.push('\n');
                text.push_str(&line);
                len += 1 + line_len;
            }
            _ => {
                texts.push(line);
                len = line_len;
            }
        }
    }
    texts
}

/// A section of mrkdwn; `text` must already fit ([`MAX_SECTION_TEXT`]).
pub fn section(text: String) -> SlackBlock {
    debug_assert!(text.chars().count() <= MAX_SECTION_TEXT);
    SlackSectionBlock::new()
        .with_text(mrkdwn(text).into())
        .into()
}

/// A context line of mrkdwn.
pub fn context(text: String) -> SlackBlock {
    SlackContextBlock::new(vec![mrkdwn(text).into()]).into()
}

/// mrkdwn that Slack takes `verbatim`: our `<…>` (mentions, dates, links) still
/// work, but Slack makes no link of an address, channel name or mention that
/// merely appears in the (escaped) text.
fn mrkdwn(text: String) -> SlackBlockMarkDownText {
    SlackBlockMarkDownText::new(text).with_verbatim(true)
}

/// A header, cut to Slack's 150 characters. A header is `plain_text`, which
/// Slack never parses for mentions or links, so its text is not escaped.
pub fn header(text: &str) -> SlackBlock {
    SlackHeaderBlock::new(pt!(truncate(text, crate::slack::limits::MAX_HEADER_TEXT))).into()
}

/// A message: `blocks` with `fallback` as its notification text.
pub fn message(fallback: String, blocks: Vec<SlackBlock>) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(truncate(&fallback, 3000))
        .with_blocks(blocks)
}

#[cfg(test)]
mod tests;
