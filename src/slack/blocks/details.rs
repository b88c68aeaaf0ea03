//! Every finding of a scan, as thread replies: grouped by severity, packed densely.

use slack_morphism::prelude::*;

use super::findings::sorted;
use super::format::{
    context, count, escape_within, finding_line, message, section, severity_icon, severity_word,
};
use crate::scan::findings::{ScanReport, Severity};
use crate::slack::limits::{MAX_BLOCKS, MAX_SECTION_TEXT};

/// Characters of findings in one message: dense, yet a reader can scroll it.
/// About 150 findings with typical lines.
const MESSAGE_CHARS: usize = 24_000;
/// Sections in one message, leaving room for its context line.
const MESSAGE_SECTIONS: usize = MAX_BLOCKS - 5;
/// Room kept for a severity heading line.
const HEADING_CHARS: usize = 100;

/// Every finding, grouped by severity (most severe first), over as many
/// thread replies as needed. One message says so when there are no findings.
pub fn details(report: &ScanReport) -> Vec<SlackMessageContent> {
    let name = escape_within(&report.image.display_name(), 300);
    let sorted = sorted(&report.findings);
    if sorted.is_empty() {
        let text = format!("No findings for {name}.");
        return vec![message(text.clone(), vec![section(text)])];
    }
    let counts = count(&report.findings);
    let mut pages: Vec<Page> = Vec::new();
    for (i, finding) in sorted.iter().enumerate() {
        let line = finding_line(finding, false);
        let starts_group = i == 0 || sorted[i - 1].severity != finding.severity;
        let page = match pages.last_mut() {
            Some(page) if page.fits(&line) => page,
            _ => {
                pages.push(Page::starting_at(i));
                pages.last_mut().expect("just pushed")
            }
        };
        if starts_group || page.sections.is_empty() {
            let in_group = counts.iter().find(|(s, _)| *s == finding.severity);
            let n = in_group.map_or(0, |(_, n)| *n);
            page.open(heading(finding.severity, n, !starts_group));
        }
        page.push(line);
    }
    let (total, parts) = (sorted.len(), pages.len());
    (pages.into_iter().enumerate())
        .map(|(part, page)| page.render(&name, total, part + 1, parts))
        .collect()
}

/// `:red_circle: *Critical* · 14 findings`, or `(continued)` in a later message.
fn heading(severity: Severity, n: usize, continued: bool) -> String {
    let word = severity_word(severity);
    let title = format!("{}{}", word[..1].to_uppercase(), &word[1..]);
    let icon = severity_icon(severity);
    match (continued, n) {
        (true, _) => format!("{icon} *{title}* (continued)"),
        (false, 1) => format!("{icon} *{title}* · 1 finding"),
        (false, n) => format!("{icon} *{title}* · {n} findings"),
    }
}

/// One message's worth of findings: `start..end` of the sorted list.
struct Page {
    start: usize,
    end: usize,
    sections: Vec<String>,
    chars: usize,
}

impl Page {
    fn starting_at(start: usize) -> Self {
        Page {
            start,
            end: start,
            sections: Vec::new(),
            chars: 0,
        }
    }

    /// Whether `line` fits, with a heading and a fresh section if need be.
    fn fits(&self, line: &str) -> bool {
        let needed = HEADING_CHARS + 2 + line.chars().count();
        self.chars + needed <= MESSAGE_CHARS && self.sections.len() + 2 <= MESSAGE_SECTIONS
    }

    /// Starts a new section with `heading` as its first line.
    fn open(&mut self, heading: String) {
        self.chars += heading.chars().count();
        self.sections.push(heading);
    }

    /// Adds `line` to the last section, or to a new one when it is full.
    fn push(&mut self, line: String) {
        let len = line.chars().count();
        match self.sections.last_mut() {
            Some(text) if text.chars().count() + 1 + len <= MAX_SECTION_TEXT => {
                text.push('\n');
                text.push_str(&line);
            }
            _ => self.sections.push(line),
        }
        self.chars += 1 + len;
        self.end += 1;
    }

    fn render(self, name: &str, total: usize, part: usize, parts: usize) -> SlackMessageContent {
        let range = format!("Findings {}–{} of {total}", self.start + 1, self.end);
        let mut blocks = vec![context(format!(
            "*{range}* · {name} · part {part} of {parts}"
        ))];
        blocks.extend(self.sections.into_iter().map(section));
        message(format!("{range} for {name}"), blocks)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::scan::findings::Finding;

    #[test]
    fn fifteen_hundred_findings_fit_in_a_few_messages_each_within_limits() {
        let messages = details(&report(many(1500)));

        assert!(messages.len() <= 15, "{} messages", messages.len());
        for content in &messages {
            assert_within_limits(content);
        }
        let listed: usize = (messages.iter())
            .map(|m| visible_text(m).matches("|CVE-2024-").count())
            .sum();
        assert_eq!(listed, 1500, "every finding is listed exactly once");
    }

    #[test]
    fn each_message_says_which_findings_it_holds() {
        let messages = details(&report(many(1500)));
        let first = messages[0].text.as_deref().unwrap();
        let last = messages.last().unwrap().text.as_deref().unwrap();

        assert!(first.starts_with("Findings 1–"), "{first}");
        assert!(
            first.ends_with(" of 1500 for example:web-latest"),
            "{first}"
        );
        assert!(last.contains("–1500 of 1500"), "{last}");
    }

    #[test]
    fn findings_are_grouped_by_severity_most_severe_first() {
        let mut fixable = finding("CVE-C", Severity::Critical);
        fixable.fixed_in = Some("1.1.1l".into());
        fixable.cvss = Some(9.8);
        let list = vec![
            finding("CVE-L", Severity::Low),
            fixable,
            finding("CVE-H1", Severity::High),
            finding("CVE-H2", Severity::High),
        ];
        let text = visible_text(&details(&report(list))[0]);

        let order: Vec<usize> = [
            ":red_circle: *Critical* · 1 finding\n<https://nvd.nist.gov/vuln/detail/CVE-C|CVE-C> `openssl` 1.1.1k · fixed in 1.1.1l · CVSS 9.8",
            ":large_orange_circle: *High* · 2 findings",
            "|CVE-H1>",
            "|CVE-H2>",
            ":large_blue_circle: *Low* · 1 finding",
            "|CVE-L>",
        ]
        .iter()
        .map(|s| text.find(s).unwrap_or_else(|| panic!("{s} missing from\n{text}")))
        .collect();
        assert!(order.is_sorted(), "{text}");
    }

    #[test]
    fn a_severity_group_split_over_two_messages_is_marked_continued() {
        let messages = details(&report(vec![finding("CVE-X", Severity::Medium); 600]));

        assert!(messages.len() > 1);
        assert!(visible_text(&messages[1]).contains(":large_yellow_circle: *Medium* (continued)"));
    }

    #[test]
    fn two_thousand_absurd_findings_are_split_within_limits() {
        let findings: Vec<Finding> = (0..2000).map(absurd).collect();
        let mut report = report(findings);
        report.image.repository = "r".repeat(5000);

        for content in details(&report) {
            assert_within_limits(&content);
        }
    }

    #[test]
    fn no_findings_is_one_message_saying_so() {
        let messages = details(&report(vec![]));

        assert_eq!(messages.len(), 1);
        assert_eq!(
            messages[0].text.as_deref(),
            Some("No findings for example:web-latest.")
        );
        assert_within_limits(&messages[0]);
    }
}
